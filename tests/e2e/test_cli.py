"""The `hub` command as a user runs it: help, migrate, demo-data, export-schema, serve."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ScratchDatabases

ROOT = Path(__file__).resolve().parents[2]
HUB = [sys.executable, "-m", "hub.cli"]


def run_hub(
    *args: str, database_url: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUB_DATABASE_URL": database_url, "HUB_ENV": "development"}
    return subprocess.run(
        [*HUB, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.parametrize("command", ["serve", "migrate", "demo-data", "export-schema"])
def test_every_command_has_help(command: str) -> None:
    """`hub COMMAND --help` explains the command and exits 0."""
    result = run_hub(command, "--help", database_url="sqlite+aiosqlite:///:memory:")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout


def test_export_schema_prints_the_committed_schema(tmp_path: Path) -> None:
    """`hub export-schema` prints schema.graphql; `--output` writes it to a file."""
    result = run_hub("export-schema", database_url="sqlite+aiosqlite:///:memory:")
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert result.returncode == 0 and result.stdout == committed
    target = tmp_path / "out.graphql"
    result = run_hub("export-schema", "--output", str(target), database_url="sqlite://")
    assert result.returncode == 0 and target.read_text(encoding="utf-8") == committed


async def test_migrate_then_demo_data_then_reload(scratch: ScratchDatabases) -> None:
    """migrate, load, refuse a second load without --replace, skip with --if-empty, reload."""
    url = await scratch.create()
    refused = await asyncio.to_thread(run_hub, "demo-data", database_url=url)
    assert refused.returncode == 2 and "hub migrate" in refused.stderr

    migrated = await asyncio.to_thread(run_hub, "migrate", database_url=url)
    assert migrated.returncode == 0 and "migrated" in migrated.stderr
    again = await asyncio.to_thread(run_hub, "migrate", database_url=url)
    assert again.returncode == 0 and "nothing to do" in again.stderr

    loaded = await asyncio.to_thread(run_hub, "demo-data", database_url=url)
    assert loaded.returncode == 0, loaded.stderr
    assert "demo data loaded" in loaded.stderr

    second = await asyncio.to_thread(run_hub, "demo-data", database_url=url)
    assert second.returncode == 2 and "--replace" in second.stderr

    skipped = await asyncio.to_thread(run_hub, "demo-data", "--if-empty", database_url=url)
    assert skipped.returncode == 0 and "not loaded" in skipped.stderr

    reloaded = await asyncio.to_thread(run_hub, "demo-data", "--replace", database_url=url)
    assert reloaded.returncode == 0, reloaded.stderr


def test_a_wrong_personal_data_key_stops_every_command_at_start() -> None:
    """A key of the wrong size is refused before any work (exit 2), named but not shown."""
    short = base64.b64encode(os.urandom(16)).decode()
    env = {**os.environ, "HUB_PII_KEYS": json.dumps({"k1": short})}
    result = subprocess.run(
        [*HUB, "migrate"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2, result.stderr
    assert "invalid settings: personal-data keys: key 'k1'" in result.stderr
    assert short not in result.stderr


def test_demo_data_is_refused_in_production() -> None:
    """Demo data never goes into a production store."""
    env = {**os.environ, "HUB_ENV": "production", "HUB_DATABASE_URL": "sqlite+aiosqlite:///x.db"}
    result = subprocess.run(
        [*HUB, "demo-data"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "production" in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_serve_answers_graphql_over_a_real_socket(scratch: ScratchDatabases) -> None:
    """`hub serve` prints the GraphiQL address and answers queries on it."""
    url = await scratch.create()
    assert (await asyncio.to_thread(run_hub, "migrate", database_url=url)).returncode == 0
    assert (await asyncio.to_thread(run_hub, "demo-data", database_url=url)).returncode == 0
    port = _free_port()
    env = {**os.environ, "HUB_DATABASE_URL": url, "HUB_ENV": "development"}
    server = await asyncio.create_subprocess_exec(
        *HUB,
        "serve",
        "--port",
        str(port),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=5) as client:
            # A generous bound: start-up time is not what this test is about, and a loaded
            # machine (a full suite beside browser tests) can take tens of seconds to import.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                server.terminate()
                raw, _ = await server.communicate()
                pytest.fail(f"hub serve did not become ready:\n{raw.decode()[-3000:]}")
            answer = await client.post("/graphql", json={"query": "{ towns { name } }"})
            assert len(answer.json()["data"]["towns"]) == 8
            page = await client.get("/graphql", headers={"accept": "text/html"})
            assert "graphiql" in page.text.lower()
    finally:
        server.terminate()
        raw, _ = await asyncio.wait_for(server.communicate(), timeout=20)
    output = raw.decode()
    assert f"GraphiQL at http://localhost:{port}/graphql" in output
