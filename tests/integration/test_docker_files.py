"""The container files in docker/ (issue #7), checked without Docker: compose.yaml's services,
health checks and dependencies, the settings it passes (and that production accepts them), the
Dockerfile's stages and sources, nginx's upstreams, every `hub …` command they run against the
CLI, and the entrypoint and health check against a real `hub serve` on SQLite.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
import typer.main
import yaml
from typer.testing import CliRunner

from hub.cli import app as cli_app
from hub.config import Environment, Settings
from hub.store.migrate import head_revision
from hub.sync.sandboxes import SANDBOX_PORTS

REPO = Path(__file__).resolve().parents[2]
DOCKER = REPO / "docker"
HUB_IMAGE = "ejin-horo-property-hub"
REPLICAS = {"hub-1", "hub-2"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))


def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def hub_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run the hub's image."""
    return {
        name: service
        for name, service in services(compose).items()
        if str(service.get("image", "")).startswith(HUB_IMAGE)
    }


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def depends_on(service: dict[str, Any]) -> dict[str, str]:
    deps = service.get("depends_on", {})
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in deps.items()}


def has_healthcheck(service: dict[str, Any]) -> bool:
    check = service.get("healthcheck")
    return bool(check) and not check.get("disable", False) and bool(check.get("test"))


# --- compose.yaml -------------------------------------------------------------------------------


def test_compose_has_the_services_of_the_deployment(compose: dict[str, Any]) -> None:
    """PostgreSQL 15 with a volume, Redis, the migrate job, two replicas, the scheduler, the
    sandboxes, nginx and the backups are all services; only nginx publishes a port."""
    found = services(compose)
    expected = {"postgres", "redis", "migrate", "scheduler", "sandboxes", "nginx", "backup"}
    assert expected | REPLICAS <= set(found)
    postgres = found["postgres"]
    assert postgres["image"].split(":")[1].startswith("15")
    volume = next(v for v in postgres["volumes"] if v.endswith(":/var/lib/postgresql/data"))
    assert volume.split(":")[0] in compose["volumes"]
    assert found["backup"]["image"] == postgres["image"]  # pg_dump of the server's version
    assert {name for name, s in found.items() if s.get("ports")} == {"nginx"}
    assert set(hub_services(compose)) >= {"migrate", "scheduler", "sandboxes"} | REPLICAS


def test_compose_dependencies_wait_for_health_and_the_migration(compose: dict[str, Any]) -> None:
    """Every `service_healthy` dependency has a health check, `service_completed_successfully`
    names a one-shot job, and every hub server waits for the migration and its database."""
    found = services(compose)
    for name, service in found.items():
        for dependency, condition in depends_on(service).items():
            assert dependency in found, (name, dependency)
            assert dependency != name
            if condition == "service_healthy":
                assert has_healthcheck(found[dependency]), (name, dependency)
            elif condition == "service_completed_successfully":
                assert found[dependency].get("restart") == "no", (name, dependency)
    for name in REPLICAS | {"scheduler"}:
        assert has_healthcheck(found[name]), name
        deps = depends_on(found[name])
        assert deps.get("migrate") == "service_completed_successfully", name
        assert deps.get("postgres") == "service_healthy", name
        assert deps.get("redis") == "service_healthy", name
    assert depends_on(found["migrate"]) == {"postgres": "service_healthy"}
    assert found["migrate"]["command"] == ["migrate"]
    assert depends_on(found["nginx"]) == dict.fromkeys(REPLICAS, "service_healthy")
    assert depends_on(found["scheduler"]).get("sandboxes") == "service_healthy"


def test_compose_passes_only_settings_the_hub_reads(compose: dict[str, Any]) -> None:
    """Every HUB_* variable and secret target in compose.yaml is a field of hub.config.Settings
    (a misspelt name would be ignored silently), and the health checks probe HUB_PORT."""
    known = {f"HUB_{name.upper()}" for name in Settings.model_fields}
    for name, service in hub_services(compose).items():
        env = environment(service)
        targets = [s["target"] for s in service.get("secrets", []) if isinstance(s, dict)]
        for variable in [*env, *targets]:
            if variable.startswith("HUB_"):
                assert variable in known, (name, variable)
        if has_healthcheck(service) and name != "sandboxes":
            probe = " ".join(service["healthcheck"]["test"])
            assert f"127.0.0.1:{env['HUB_PORT']}/healthz" in probe, name


def production_environment(compose: dict[str, Any], service: str, secrets: Path) -> dict[str, str]:
    """The environment a service's hub sees: compose's variables, and its secrets as
    docker/entrypoint.sh exports them (files from ``secrets``, made by make-secrets.sh)."""
    spec = services(compose)[service]
    env = environment(spec)
    mounts = {}
    for entry in spec.get("secrets", []):
        source = compose["secrets"][entry["source"]]["file"]
        local = secrets / Path(source).name
        mounts[f"/run/secrets/{entry.get('target', entry['source'])}"] = local
        if entry.get("target", "").startswith("HUB_"):
            env[entry["target"]] = local.read_text(encoding="utf-8")
    if "HUB_SECRETS_FILE" in env:
        env["HUB_SECRETS_FILE"] = str(mounts[env["HUB_SECRETS_FILE"]])
    return env


@pytest.fixture(scope="module")
def made_secrets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: docker/make-secrets.sh needs it")
    folder = tmp_path_factory.mktemp("docker") / "secrets"
    subprocess.run(["sh", str(DOCKER / "make-secrets.sh"), str(folder)], check=True)
    return folder


def test_compose_configuration_is_accepted_by_production(
    compose: dict[str, Any], made_secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the secrets of make-secrets.sh, every hub service's settings validate in production:
    PostgreSQL over asyncpg, Redis for the limits, every sandbox as a source with credentials;
    only the scheduler runs the schedule."""
    for variable in list(os.environ):
        if variable.startswith("HUB_"):
            monkeypatch.delenv(variable)
    for name in sorted(REPLICAS | {"scheduler", "migrate"}):
        env = production_environment(compose, name, made_secrets)
        with monkeypatch.context() as patch:
            for variable, value in env.items():
                patch.setenv(variable, value)
            settings = Settings(_env_file=None)  # type: ignore[call-arg]
            assert settings.env is Environment.PRODUCTION
            assert settings.database_url.startswith("postgresql+asyncpg://hub:")
            assert urlsplit(settings.database_url).hostname == "postgres"
            assert settings.redis_url == "redis://redis:6379/0"
            sources = settings.source_settings()
            assert set(sources) == set(SANDBOX_PORTS)
            for source, config in sources.items():
                assert config.base_url == f"http://sandboxes:{SANDBOX_PORTS[source]}"
                assert config.credentials, source
            assert settings.scheduler is (name == "scheduler")
            # The secrets are needed: production refuses to start without the keys.
            patch.delenv("HUB_PII_KEYS")
            with pytest.raises(ValueError, match="HUB_PII_KEYS"):
                Settings(_env_file=None)  # type: ignore[call-arg]
    url = (made_secrets / "HUB_DATABASE_URL").read_text(encoding="utf-8")
    assert urlsplit(url).password == (made_secrets / "postgres_password").read_text("utf-8")


def test_sandbox_credentials_file_matches_the_sandboxes() -> None:
    """docker/sandbox-credentials.json holds the credentials the sandboxes accept."""
    from connectors.sandbox_kit import demo_credentials

    written = json.loads((DOCKER / "sandbox-credentials.json").read_text(encoding="utf-8"))
    assert written == demo_credentials()


def test_forwarded_addresses_are_trusted_from_nginx_only(compose: dict[str, Any]) -> None:
    """The replicas trust X-Forwarded-For from nginx's fixed address, inside the network."""
    nginx = services(compose)["nginx"]
    address = nginx["networks"]["backend"]["ipv4_address"]
    subnet = compose["networks"]["backend"]["ipam"]["config"][0]["subnet"]
    import ipaddress

    assert ipaddress.ip_address(address) in ipaddress.ip_network(subnet)
    for name in REPLICAS:
        assert environment(services(compose)[name])["FORWARDED_ALLOW_IPS"] == address


# --- nginx.conf ---------------------------------------------------------------------------------


def nginx_blocks(text: str, keyword: str) -> Iterator[tuple[str, str]]:
    """(argument, body) of every ``keyword argument { … }`` block (bodies nest)."""
    for match in re.finditer(rf"\b{keyword}\s+([^{{;\s]+)\s*\{{", text):
        depth, start = 1, match.end()
        position = start
        while depth:
            position += 1
            depth += {"{": 1, "}": -1}.get(text[position - 1], 0)
        yield match.group(1), text[start : position - 1]


def test_nginx_balances_the_replicas_with_websockets(compose: dict[str, Any]) -> None:
    """nginx.conf's upstream lists exactly the replica services on their HUB_PORT, every
    location proxies to it, and the WebSocket upgrade headers are passed."""
    text = re.sub(r"#[^\n]*", "", (DOCKER / "nginx.conf").read_text(encoding="utf-8"))
    assert text.count("{") == text.count("}")
    upstreams = dict(nginx_blocks(text, "upstream"))
    assert set(upstreams) == {"hub"}
    servers = set(re.findall(r"^\s*server\s+([^\s;]+)", upstreams["hub"], re.MULTILINE))
    expected = {f"{name}:{environment(services(compose)[name])['HUB_PORT']}" for name in REPLICAS}
    assert servers == expected
    serving = {
        name
        for name, service in hub_services(compose).items()
        if service.get("command") == ["serve"]
        and environment(service).get("HUB_SCHEDULER") != "true"
    }
    assert serving == REPLICAS  # every serving replica is behind nginx, the scheduler is not
    locations = dict(nginx_blocks(text, "location"))
    assert "/graphql" in locations
    proxied = [body for body in locations.values() if "proxy_pass" in body]
    assert proxied and all("proxy_pass http://hub;" in body for body in proxied)
    assert re.search(r"proxy_set_header\s+Upgrade\s+\$http_upgrade;", text)
    assert re.search(r"proxy_set_header\s+Connection\s+\$connection_upgrade;", text)
    assert re.search(r"proxy_http_version\s+1\.1;", text)
    assert "/nginx-health" in " ".join(services(compose)["nginx"]["healthcheck"]["test"])
    assert "= /nginx-health" in text


# --- Dockerfile ---------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def stages() -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for instruction in dockerfile_instructions():
        if instruction[0] == "FROM":
            found.append([])
        if found:
            found[-1].append(instruction)
    return found


def test_dockerfile_is_multi_stage_slim_and_non_root() -> None:
    """Two stages on python:3.11-slim; the runtime copies the build's virtualenv, installs no
    compilers, runs as a non-root user and checks /healthz."""
    arguments = dict(
        rest.split("=", 1) for kind, rest in dockerfile_instructions() if kind == "ARG"
    )
    assert arguments["PYTHON_IMAGE"] == "python:3.11-slim"
    build, runtime = stages()
    assert build[0][1] == "${PYTHON_IMAGE} AS build"
    assert runtime[0][1].startswith("${PYTHON_IMAGE}")
    runtime_text = "\n".join(f"{k} {v}" for k, v in runtime)
    assert "COPY --from=build /opt/hub /opt/hub" in runtime_text
    for tool in ("gcc", "build-essential", "apt-get install", "pip install"):
        assert tool not in runtime_text
    user = [v for k, v in runtime if k == "USER"]
    assert user and user[-1] not in {"root", "0"}
    healthcheck = next(v for k, v in runtime if k == "HEALTHCHECK")
    assert "/healthz" in healthcheck
    entrypoint = json.loads(next(v for k, v in runtime if k == "ENTRYPOINT"))
    copied = {v.split()[-1]: v.split()[-2] for k, v in runtime if k == "COPY"}
    assert copied[entrypoint[0]] == "docker/entrypoint.sh"


def test_dockerfile_copies_files_that_exist() -> None:
    """Every COPY from the build context names a file or folder of the repository that the
    build context (docker/Dockerfile.dockerignore) keeps; the virtualenv and secrets stay out."""
    sources = []
    for kind, rest in dockerfile_instructions():
        if kind == "COPY" and not rest.startswith("--from"):
            sources += [word for word in rest.split()[:-1] if not word.startswith("--")]
    assert sources
    ignored = [
        line.strip()
        for line in (DOCKER / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert {".venv", ".git", "docker/secrets", ".env"} <= set(ignored)
    for source in sources:
        assert (REPO / source).exists(), source
        assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), source


def test_package_data_ships_every_file_the_hub_reads() -> None:
    """The image installs the project as a package (not the source tree): every non-Python file
    under hub/ must be in pyproject.toml's package-data, or the container would miss it."""
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["hub"]
    missing = []
    for path in (REPO / "hub").rglob("*"):
        if path.is_dir() or "__pycache__" in path.parts or path.suffix in {".py", ".pyc"}:
            continue
        relative = path.relative_to(REPO / "hub").as_posix()
        if not any(fnmatch.fnmatchcase(relative, pattern) for pattern in patterns):
            missing.append(relative)
    assert not missing


# --- hub commands -------------------------------------------------------------------------------


def hub_commands(compose: dict[str, Any]) -> list[list[str]]:
    """The argument lists given to `hub`: the Dockerfile's CMD, the commands of the hub image's
    services, and every `hub …` or `run --rm <service> …` line of docker/README.md."""
    commands = []
    for kind, rest in dockerfile_instructions():
        if kind == "CMD":
            commands.append(json.loads(rest))
    for service in hub_services(compose).values():
        commands.append(service["command"])
    readme = (DOCKER / "README.md").read_text(encoding="utf-8")
    for block in re.findall(r"```sh\n(.*?)```", readme, re.DOTALL):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            match = re.search(r"run --rm (?:-e \S+ )*(\S+) (.+)$", line)
            if match and match.group(1) in hub_services(compose):
                commands.append(shlex.split(match.group(2)))
    return commands


def test_every_hub_command_exists_in_the_cli(compose: dict[str, Any]) -> None:
    """Each `hub` command of the Dockerfile, compose.yaml and docker/README.md is a command of
    the CLI whose options parse (`--help` answers, the arguments are accepted)."""
    command_tree: Any = typer.main.get_command(cli_app)  # typer's own (vendored) click
    runner = CliRunner()
    commands = hub_commands(compose)
    assert len(commands) >= 8
    for words in commands:
        command, path, rest = command_tree, [], list(words)
        while hasattr(command, "commands") and rest and not rest[0].startswith("-"):
            sub = command.commands.get(rest[0])
            assert sub is not None, f"hub {' '.join(words)}: no command {rest[0]!r}"
            command, path = sub, [*path, rest.pop(0)]
        assert not hasattr(command, "commands"), f"hub {' '.join(words)}: a group"
        result = runner.invoke(cli_app, [*path, "--help"])
        assert result.exit_code == 0, (words, result.output)
        command.make_context(" ".join(["hub", *path]), rest)  # raises on unknown options


# --- the entrypoint and the health check, for real ----------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthcheck_command() -> str:
    runtime = stages()[-1]
    check = next(v for k, v in runtime if k == "HEALTHCHECK")
    return check.split(" CMD ", 1)[1]


def test_entrypoint_exports_secrets_and_the_healthcheck_probes_serve(tmp_path: Path) -> None:
    """docker/entrypoint.sh turns secret files into settings (here the database of `hub
    migrate` and `hub serve`), and the image's HEALTHCHECK passes against the served hub and
    fails once it is gone."""
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    database = tmp_path / "hub.db"
    (secrets / "HUB_DATABASE_URL").write_text(f"sqlite+aiosqlite:///{database}")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        SECRETS_DIR=str(secrets),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        HUB_HOST="127.0.0.1",
        HUB_PORT=str(port),
    )
    entrypoint = str(DOCKER / "entrypoint.sh")
    migrated = subprocess.run(
        ["sh", entrypoint, "migrate"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert migrated.returncode == 0, migrated.stderr
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        revision = connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
    engine.dispose()
    assert revision == head_revision()

    probe = ["sh", "-c", healthcheck_command()]
    server = subprocess.Popen(
        ["sh", entrypoint, "serve"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while subprocess.run(probe, env=env, capture_output=True).returncode != 0:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "hub serve did not become healthy"
            time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert subprocess.run(probe, env=env, capture_output=True).returncode != 0
