"""A production hub's log and audit log after the known-dangerous requests (issue #12, §2).

``hub serve`` runs as a real process in production mode (JSON lines, its stderr written to a
file) on a scratch database holding the demo data, sealed with the production keys. The probe
sends, over real HTTP and a real WebSocket (graphql-transport-ws), what an attacker or a careless
client would: anonymous ``ownerCredit`` look-ups with a resident's real ID number and name as
variables beside an out-of-range ``node(id:)`` in the same document; list filters carrying an ID
number with a NUL byte or 30,000 characters; valid-looking, forged, revoked, demo, malformed and
JWT-shaped credentials in the ``Authorization`` header, in the WebSocket handshake header and in
the ``connection_init`` payload; ``syncTrigger`` with an ID number, a phone number or control
characters as its source; an ID number as ``X-Request-ID``. Then the whole log file is searched
for every demo resident's and committee member's ID number, phone and name, and for every
credential the probe used (the whole key and its secret part): none may occur. The audit log
table may hold no ID number nor phone either.

With PostgreSQL a second probe stops the database under a running hub (a private cluster) and
sends the same credentials and look-ups during the outage.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import secrets
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from hub.config import Settings, get_settings
from hub.demo import build_dataset
from hub.demo.load import load_demo_data
from hub.domain.access import Role
from hub.services import identity
from hub.services.parameters import pii_keyring
from hub.store.migrate import upgrade_to_head
from hub.store.models import AuditEntry
from hub.store.session import create_engine, create_sessionmaker
from tests.conftest import DEMO_TODAY, ScratchDatabases, backend_name
from tests.private_postgres import private_postgres
from tests.ws_client import Closed, connect

REPO = Path(__file__).resolve().parents[2]
START_DEADLINE = 60.0
PII_KEYS = {"p1": base64.b64encode(os.urandom(32)).decode()}
PII_INDEX_KEY = base64.b64encode(os.urandom(32)).decode()
UPSTREAM_SECRET = f"upstream-{secrets.token_urlsafe(18)}"
"""The client secret of the configured upstream (``ordos``), which must not be logged either."""
OUT_OF_RANGE = "Compound:99999999999999999999"

OWNER_CREDIT_AND_NODE = """query Probe($idNumber: String!, $name: String!, $id: ID!) {
  ownerCredit(idNumber: $idNumber, name: $name) { name grade }
  node(id: $id) { id }
  broken: node(id: "Compound:99999999999999999999") { id }
}"""
ENTERPRISES_NAMED = """query Named($text: String!) {
  enterprises(filter: {nameContains: $text}, first: 1) { totalCount }
}"""
COMPOUNDS_NAMED = """query Named($text: String!, $after: String) {
  compounds(filter: {nameContains: $text}, first: 1, after: $after) { totalCount }
}"""
SYNC_TRIGGER = """mutation Trigger($source: String!) {
  syncTrigger(source: $source) {
    __typename ... on ValidationFailed { message field } ... on SyncTriggerAccepted { source }
  }
}"""
OWNER_CREDIT = """query Check($idNumber: String!, $name: String!) {
  ownerCredit(idNumber: $idNumber, name: $name) { name grade }
}"""
VIEWER = "query Who { viewer { authenticated role } }"


@dataclass(frozen=True)
class Credentials:
    """The credentials of the probe: key → the strings of it that must never be logged."""

    valid: str
    community: str
    never_logged: dict[str, list[str]] = field(default_factory=dict)

    @property
    def refused(self) -> list[str]:
        """Every credential the hub must refuse (all but the two valid keys)."""
        return [c for c in self.never_logged if c not in (self.valid, self.community)]


def secret_parts(credential: str) -> list[str]:
    """The strings of a credential that must not be logged: the whole of it, and for an API key
    its secret part (its prefix is public, and is how a key is named in logs)."""
    parts = credential.split("_", 2)
    if len(parts) == 3 and parts[0] == identity.KEY_PREFIX:
        return [credential, parts[2]]
    return [credential, *[p for p in re.split(r"[ .]", credential) if len(p) >= 16]]


async def prepare(url: str, *, break_owner_credit: bool = False) -> Credentials:
    """Migrate the database at ``url``, load the demo data sealed with the production keys, and
    create the probe's API keys: two valid ones, a revoked one; then the forged ones.

    With ``break_owner_credit`` the table of owner-credit records is renamed away: an
    ``ownerCredit`` look-up of a real resident then fails with an unexpected error (a bug, as
    far as the hub can tell) after the resident was found, with the ID number and name in the
    frames of its traceback — the issue's report, on purpose and on both databases."""
    settings = Settings(
        env="production", database_url=url, pii_keys=PII_KEYS, pii_index_key=PII_INDEX_KEY
    )
    engine = create_engine(url)
    try:
        await upgrade_to_head(engine)
        async with create_sessionmaker(engine)() as session, session.begin():
            await load_demo_data(
                session,
                settings=get_settings(),
                today=DEMO_TODAY.date(),
                keyring=pii_keyring(settings),
                upstream=False,
            )
            valid = await identity.create_client(
                session, unit_code="zjj", role=Role.COMPETENT_DEPARTMENT
            )
            community = await identity.create_client(
                session, unit_code="community-150627100001", role=Role.COMMUNITY
            )
            revoked = await identity.create_client(
                session, unit_code="dcs", role=Role.INSPECTION_OFFICE
            )
            await session.flush()
            await identity.revoke_client(session, prefix=revoked.client.key_prefix, now=DEMO_TODAY)
            if break_owner_credit:
                await session.execute(
                    sa.text("ALTER TABLE owner_credit_records RENAME TO owner_credit_records_gone")
                )
    finally:
        await engine.dispose()
    prefix = valid.key.split("_", 2)[1]
    jwt_like = ".".join(
        base64.urlsafe_b64encode(part).decode().rstrip("=")
        for part in (
            b'{"alg":"ES256","kid":"hub-dev"}',
            b'{"sub":"x","unit":"zjj"}',
            os.urandom(64),
        )
    )
    credentials = [
        valid.key,
        community.key,
        revoked.key,
        f"hub_{prefix}_{secrets.token_urlsafe(24)}",  # a real prefix, a forged secret
        f"hub_{secrets.token_hex(6)}_{secrets.token_urlsafe(24)}",  # an unknown prefix
        identity.demo_key("zjj"),  # refused in production
        f"hub_{secrets.token_hex(20)}",  # malformed
        jwt_like,
    ]
    return Credentials(
        valid=valid.key,
        community=community.key,
        never_logged={c: secret_parts(c) for c in credentials},
    )


def hub_environment(url: str) -> dict[str, str]:
    """The environment of a production ``hub serve`` on the database at ``url``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    with socket.socket() as sock:  # a port nobody listens on: the upstream is down
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    source = {
        "kind": "ordos",
        "base_url": f"http://127.0.0.1:{dead_port}",
        "enabled": False,
        "retry_attempts": 1,
        "credentials": {"client_id": "hub-probe", "client_secret": UPSTREAM_SECRET},
    }
    env.update(
        HUB_ENV="production",
        HUB_DATABASE_URL=url,
        HUB_PII_KEYS=json.dumps(PII_KEYS),
        HUB_PII_INDEX_KEY=PII_INDEX_KEY,
        HUB_LOG_FORMAT="json",
        HUB_LOG_LEVEL="DEBUG",  # the strictest: whatever DEBUG logs must hold no secret either
        HUB_RATE_LIMIT_FIELDS="{}",  # the probe sends more look-ups than the public may
        HUB_SOURCES=json.dumps({"ordos": source}),
    )
    return env


def tail(log: Path) -> str:
    """The end of a log file (for the message of a failed start)."""
    return log.read_text(errors="replace")[-3000:]


@asynccontextmanager
async def running_hub(url: str, log: Path) -> AsyncIterator[str]:
    """``hub serve`` in production on ``url``, its stderr written to ``log``; yields its base URL
    and stops it (SIGINT, as an operator's Ctrl-C) at the end."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "hub.cli", "serve", "--host", "127.0.0.1", "--port", str(port)),
            env=hub_environment(url),
            cwd=REPO,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=sink,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base_url) as http, asyncio.timeout(START_DEADLINE):
            while True:
                assert process.returncode is None, tail(log)
                with suppress(httpx.TransportError):
                    if (await http.get("/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
        yield base_url
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                async with asyncio.timeout(30):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()


def demo_people() -> dict[str, list[str]]:
    """The plain personal values of the demo data set: ID numbers, phones and names of every
    resident and committee member (the generator's values, before sealing)."""
    demo = build_dataset(today=DEMO_TODAY.date())
    people = [*demo.residents, *demo.committee_members]
    return {
        "id_number": sorted({p["id_number"] for p in demo.residents}),
        "phone": sorted({p["phone"] for p in people if p.get("phone")}),
        "name": sorted({p["name"] for p in people}),
    }


async def graphql(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    credential: str | None = None,
    method: str = "POST",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = {"X-GraphQL-CSRF": "1", **(headers or {})}  # a GET needs it in production
    if credential is not None:
        sent["Authorization"] = f"Bearer {credential}"
    if method == "GET":
        params = {"query": query, "variables": json.dumps(variables or {}, ensure_ascii=False)}
        return await http.get("/graphql", params=params, headers=sent)
    return await http.post("/graphql", json={"query": query, "variables": variables}, headers=sent)


async def probe_http(base_url: str, credentials: Credentials, person: dict[str, str]) -> list[Any]:
    """The dangerous requests over HTTP; the answers (for the test's sanity checks)."""
    id_number, name, phone = person["id_number"], person["name"], person["phone"]
    look_up = {"idNumber": id_number, "name": name, "id": f"Compound:{id_number}"}
    credit = {"idNumber": id_number, "name": name}
    answers: list[Any] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        for method in ("POST", "GET"):
            for credential in (None, credentials.valid):
                answers.append(
                    await graphql(http, OWNER_CREDIT, credit, credential=credential, method=method)
                )
            answers.append(await graphql(http, OWNER_CREDIT_AND_NODE, look_up, method=method))
            answers.append(
                await graphql(
                    http,
                    OWNER_CREDIT_AND_NODE,
                    look_up,
                    credential=credentials.valid,
                    method=method,
                )
            )
        for text in (f"{id_number}\x00{name}", id_number * 1700, f"{name}{phone}"):
            answers.append(await graphql(http, ENTERPRISES_NAMED, {"text": text}))
            forged = base64.urlsafe_b64encode(json.dumps([id_number, name]).encode()).decode()
            answers.append(
                await graphql(
                    http,
                    COMPOUNDS_NAMED,
                    {"text": text, "after": forged},
                    credential=credentials.valid,
                )
            )
        for credential in credentials.refused:
            for method in ("POST", "GET"):
                answers.append(await graphql(http, VIEWER, credential=credential, method=method))
            answers.append(
                await http.post(
                    "/graphql",
                    json={"query": VIEWER},
                    headers={"Authorization": f"Basic {credential}"},
                )
            )
            answers.append(
                await http.post(
                    "/graphql", json={"query": VIEWER}, headers={"Authorization": credential}
                )
            )
        answers.append(
            await graphql(
                http, VIEWER, credential=credentials.valid, headers={"X-Request-ID": id_number}
            )
        )
        for source in (
            id_number,
            phone,
            f"ordos\n\r\t\u202e{id_number}{name}" + "x" * 300,
            "ordos",
        ):
            answers.append(
                await graphql(http, SYNC_TRIGGER, {"source": source}, credential=credentials.valid)
            )
    return answers


async def ws_operation(
    base_url: str,
    payload: dict[str, Any],
    *,
    header: str | None = None,
    init: dict[str, Any] | None = None,
) -> list[Any]:
    """One graphql-transport-ws connection: handshake (with the credential in its header, if
    given), connection_init (with ``init`` as payload), one ``subscribe``; what came back."""
    headers = [("Authorization", f"Bearer {header}")] if header is not None else []
    seen: list[Any] = []
    try:
        async with connect(base_url, headers=headers) as ws:
            if not ws.accepted:
                return [("rejected", ws.rejected_status)]
            await ws.send_json({"type": "connection_init", "payload": init or {}})
            seen.append(await ws.receive_json())
            await ws.send_json({"id": "1", "type": "subscribe", "payload": payload})
            while True:
                message = await ws.receive_json(within=5)
                seen.append(message)
                if message.get("type") in ("complete", "error"):
                    break
    except (Closed, TimeoutError, ConnectionError) as exc:
        seen.append(("ended", repr(exc)))
    return seen


async def probe_websocket(
    base_url: str, credentials: Credentials, person: dict[str, str]
) -> list[Any]:
    """The dangerous operations over a real WebSocket; what came back."""
    look_up = {
        "query": OWNER_CREDIT_AND_NODE,
        "variables": {
            "idNumber": person["id_number"],
            "name": person["name"],
            "id": f"Compound:{person['id_number']}",
        },
    }
    viewer = {"query": VIEWER}
    credit = {
        "query": OWNER_CREDIT,
        "variables": {"idNumber": person["id_number"], "name": person["name"]},
    }
    seen: list[Any] = [await ws_operation(base_url, credit)]
    for credential in credentials.refused:
        seen.append(await ws_operation(base_url, viewer, header=credential))
        seen.append(
            await ws_operation(base_url, viewer, init={"authorization": f"Bearer {credential}"})
        )
        seen.append(await ws_operation(base_url, viewer, init={"Authorization": credential}))
    seen.append(await ws_operation(base_url, look_up))
    seen.append(await ws_operation(base_url, look_up, header=credentials.community))
    seen.append(
        await ws_operation(base_url, look_up, init={"authorization": f"Bearer {credentials.valid}"})
    )
    return seen


async def audit_text(url: str) -> str:
    """Every audit row of the database, as one text (all columns, detail as JSON)."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = (await session.scalars(sa.select(AuditEntry))).all()
    finally:
        await engine.dispose()
    return "\n".join(
        json.dumps(
            {c.key: getattr(row, c.key) for c in AuditEntry.__table__.columns},
            default=str,
            ensure_ascii=False,
        )
        for row in rows
    )


def found(text: str, values: list[str]) -> list[str]:
    """The values that occur in ``text`` (JSON lines: non-ASCII may be escaped, so both forms)."""
    return [v for v in values if v in text or json.dumps(v, ensure_ascii=True)[1:-1] in text]


@dataclass
class Probe:
    """What a probe of a production hub left: its log, its audit rows, the answers."""

    log: str
    audit: str
    http: list[Any]
    websocket: list[Any]
    credentials: Credentials


@pytest.fixture(scope="module")
async def probe(scratch: ScratchDatabases, tmp_path_factory: pytest.TempPathFactory) -> Probe:
    url = await scratch.create()
    credentials = await prepare(url, break_owner_credit=True)
    demo = build_dataset(today=DEMO_TODAY.date())
    resident = demo.residents[0]  # 魏兰金 of the report
    person = {
        "id_number": resident["id_number"],
        "name": resident["name"],
        "phone": resident["phone"],
    }
    log = tmp_path_factory.mktemp("probe") / "hub.log"
    async with running_hub(url, log) as base_url:
        http = await probe_http(base_url, credentials, person)
        websocket = await probe_websocket(base_url, credentials, person)
        await asyncio.sleep(1.0)  # the background sync of `ordos` fails and logs
    return Probe(
        log=log.read_text(encoding="utf-8", errors="replace"),
        audit=await audit_text(url),
        http=http,
        websocket=websocket,
        credentials=credentials,
    )


def log_lines(log: str) -> list[dict[str, Any]]:
    """The JSON lines of a log (``hub serve`` prints its own banner, ``hub: …``, before them)."""
    return [
        json.loads(line)
        for line in log.splitlines()
        if line.strip() and not line.startswith("hub: ")
    ]


def tracebacks(log: str) -> list[list[dict[str, Any]]]:
    """The exceptions logged, each as its list of stacks."""
    return [line["exception"] for line in log_lines(log) if "exception" in line]


def test_the_probe_reached_the_hub(probe: Probe) -> None:
    """The log holds one request line per HTTP request of the probe, and every line is JSON: the
    searches below search a real log, not an empty or broken one."""
    requests = [line for line in log_lines(probe.log) if line.get("logger") == "hub.request"]
    assert len(requests) >= len(probe.http), probe.log[-3000:]


def test_tracebacks_in_the_log_carry_no_local_variables(probe: Probe) -> None:
    """The failing owner-credit look-ups were logged with their tracebacks, frames naming file,
    line and function, but never the values of the frames' local variables (which structlog
    and rich show by default)."""
    logged = tracebacks(probe.log)
    assert logged, "the broken owner-credit table made no unexpected error"
    frames = [frame for stacks in logged for stack in stacks for frame in stack["frames"]]
    assert frames and all(set(frame) == {"filename", "lineno", "name"} for frame in frames)
    assert any(frame["name"] == "resolve_owner_credit" for frame in frames)
    assert "variable_values" not in probe.log


def test_the_log_holds_no_personal_data_of_the_demo(probe: Probe) -> None:
    """No ID number, phone number or name of any demo resident or committee member is in the
    log, whatever the probe sent."""
    people = demo_people()
    assert found(probe.log, people["id_number"]) == []
    assert found(probe.log, people["phone"]) == []
    assert found(probe.log, [n for n in people["name"] if len(n) >= 2]) == []


def test_the_log_holds_no_credential_but_its_public_prefix(probe: Probe) -> None:
    """Neither a whole credential nor the secret part of an API key the probe sent (valid,
    revoked, forged, demo, malformed, JWT-shaped) is in the log; nor the upstream's secret."""
    leaked = {
        credential[:12]: found(probe.log, parts)
        for credential, parts in probe.credentials.never_logged.items()
        if found(probe.log, parts)
    }
    assert leaked == {}
    assert UPSTREAM_SECRET not in probe.log


def test_the_audit_log_holds_no_id_number_nor_phone(probe: Probe) -> None:
    """The audit rows the probe caused (its syncTrigger calls among them) hold no ID number and
    no phone number, of the demo or of any shape."""
    assert "syncTrigger" in probe.audit
    people = demo_people()
    assert found(probe.audit, people["id_number"]) == []
    assert found(probe.audit, people["phone"]) == []
    assert found(probe.audit, [n for n in people["name"] if len(n) >= 2]) == []
    assert not re.search(r"(?<!\d)\d{17}[\dXx](?!\d)", probe.audit)
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", probe.audit)
    assert "\\u0000" not in probe.audit and "\x00" not in probe.audit


def test_sync_trigger_refuses_an_unknown_source_without_echoing_it(probe: Probe) -> None:
    """``syncTrigger`` with an ID number, a phone number or a text with control characters as its
    source is refused (ValidationFailed naming the configured sources, or BAD_USER_INPUT), with
    at most a short, masked form of what was sent; the configured source is accepted."""
    *unknown, known = [answer.json() for answer in probe.http[-4:]]
    for body in unknown:
        result = (body.get("data") or {}).get("syncTrigger")
        if result is None:
            [error] = body["errors"]
            assert error["extensions"]["code"] == "BAD_USER_INPUT", body
            message = error["message"]
        else:
            assert result["__typename"] == "ValidationFailed", body
            assert result["field"] == "source" and "ordos" in result["message"], body
            message = result["message"]
        assert len(message) < 200 and not re.search(r"\d{11}", message), message
        assert message.isprintable(), message
    assert known["data"]["syncTrigger"] == {"__typename": "SyncTriggerAccepted", "source": "ordos"}


FAILING_APP = """
import sys
import uvicorn
from hub.config import Settings
from hub.observability import configure_logging

async def app(scope, receive, send):
    if scope["type"] == "http":
        authorization = dict(scope["headers"]).get(b"authorization", b"").decode()
        raise RuntimeError("the handler failed")

configure_logging(Settings(log_format="json"))  # as `hub serve` does, then log_config=None
config = uvicorn.Config(
    app, host="127.0.0.1", port=int(sys.argv[1]), log_config=None, access_log=False,
    lifespan="off",
)
try:
    uvicorn.Server(config).run()
except KeyboardInterrupt:  # uvicorn raises the SIGINT again once it has shut down
    pass
"""


async def test_uvicorn_logs_an_application_error_without_locals(tmp_path: Path) -> None:
    """An exception escaping the ASGI app is logged by uvicorn ("Exception in ASGI
    application") through the hub's root handler, set up as ``hub serve`` sets it up: as a JSON
    line whose traceback names the frames but holds neither the request's credential (a local
    of the failing frame) nor any other local."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    key = f"hub_{secrets.token_hex(6)}_{secrets.token_urlsafe(24)}"
    log = tmp_path / "uvicorn.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", FAILING_APP, str(port), env=env, cwd=REPO, stderr=sink
        )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            async with asyncio.timeout(START_DEADLINE):
                while True:
                    assert process.returncode is None, tail(log)
                    with suppress(httpx.TransportError):
                        answer = await http.get("/", headers={"Authorization": f"Bearer {key}"})
                        break
                    await asyncio.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            await process.wait()
    text = log.read_text(encoding="utf-8")
    assert answer.status_code == 500
    [line] = [line for line in log_lines(text) if line["event"].startswith("Exception in ASGI")]
    [stack] = line["exception"]
    assert stack["exc_value"] == "the handler failed"
    assert any(frame["name"] == "app" for frame in stack["frames"])
    assert all(set(frame) == {"filename", "lineno", "name"} for frame in stack["frames"])
    assert found(text, secret_parts(key)) == []


@pytest.mark.skipif(
    backend_name() != "postgresql",
    reason="runs in the PostgreSQL run of the suite (on a private cluster, not the shared one)",
)
async def test_a_database_outage_logs_no_credential_nor_personal_data(tmp_path: Path) -> None:
    """PostgreSQL stopped under a running production hub: the requests of valid and refused
    credentials and the owner-credit look-ups fail, and the log holds no credential secret nor
    personal data of the look-ups."""
    with private_postgres() as server:
        admin = create_engine(server.url())
        async with admin.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(sa.text('CREATE DATABASE "hub"'))
        await admin.dispose()
        url = server.url("hub")
        credentials = await prepare(url)
        resident = build_dataset(today=DEMO_TODAY.date()).residents[0]
        person = {k: resident[k] for k in ("id_number", "name", "phone")}
        log = tmp_path / "hub.log"
        async with running_hub(url, log) as base_url:
            async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
                before = await graphql(http, VIEWER, credential=credentials.valid)
                assert before.json()["data"]["viewer"]["authenticated"] is True
                await asyncio.to_thread(server.stop)
                for credential in list(credentials.never_logged):
                    for _ in range(3):
                        await graphql(http, VIEWER, credential=credential)
                look_up = {
                    "idNumber": person["id_number"],
                    "name": person["name"],
                    "id": OUT_OF_RANGE,
                }
                during = await graphql(http, OWNER_CREDIT_AND_NODE, look_up)
                await graphql(http, OWNER_CREDIT_AND_NODE, look_up, credential=credentials.valid)
            await probe_websocket(base_url, credentials, person)
        text = log.read_text(encoding="utf-8", errors="replace")
    assert during.status_code in (200, 503)
    assert "database" in text.lower()  # the outage was seen and logged
    leaked = [c[:12] for c, parts in credentials.never_logged.items() if found(text, parts)]
    assert leaked == []
    assert found(text, [person["id_number"], person["name"], person["phone"]]) == []
    assert "variable_values" not in text and '"locals"' not in text
