"""The WebSocket door (graphql-transport-ws at /graphql) is as strong as the HTTP door.

The hub is served by uvicorn on loopback and spoken to over a real socket on both doors. The
parity tests send each probe of ``PROBES`` — a limit, an error rule or a masking rule of HTTP —
through both doors of one app and require the same answer (data, error messages and codes; each
error carries a request id). The other tests cover what only a connection has: its caps, its
credential, its protocol.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hub.app import create_app
from hub.config import Settings
from hub.domain.access import Role
from hub.graphql.relay import encode_global_id
from hub.services import identity
from hub.store.models import ApiClient
from tests.conftest import DEMO_TODAY
from tests.doors import Serve, comparable, ws_operation
from tests.doors import serve as serve  # the fixture
from tests.e2e.test_limits import production_settings as production
from tests.loopback import served
from tests.ws_client import Closed, WebSocketClient, connect

SQL_WORDS = ("SELECT", "INSERT", "sqlalchemy", "asyncpg", "sqlite3", "Traceback", "[SQL", "FROM ")


@pytest.fixture
def serve_own(engine: AsyncEngine) -> Serve:
    """``async with serve_own(settings) as url``: the hub with an engine of its own on the test
    database, for tests with concurrent connections (the test's transaction is one connection)."""

    @asynccontextmanager
    async def run(settings: Settings) -> AsyncIterator[str]:
        url = engine.url.render_as_string(hide_password=False)
        app = create_app(
            settings.model_copy(update={"database_url": url}), clock=lambda: DEMO_TODAY
        )
        async with served(app) as base:
            yield base

    return run


@pytest.fixture
async def committed_key(engine: AsyncEngine) -> AsyncIterator[Callable[[str], Awaitable[str]]]:
    """``await committed_key(unit_code)``: an API key committed to the test database (for an app
    with its own engine), deleted at the end."""
    created: list[int] = []

    async def make(unit_code: str) -> str:
        async with AsyncSession(engine) as session, session.begin():
            unit = await identity.get_unit_or_raise(session, code=unit_code)
            new = await identity.create_client(
                session, unit_code=unit_code, role=Role(unit.role.value), label="door test"
            )
            created.append(new.client.id)
        return new.key

    yield make
    async with AsyncSession(engine) as session, session.begin():
        await session.execute(sa.delete(ApiClient).where(ApiClient.id.in_(created)))


def _auth(key: str | None) -> list[tuple[str, str]]:
    return [("Authorization", f"Bearer {key}")] if key else []


async def over_http(url: str, key: str | None, payload: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.post("/graphql", json=payload, headers=dict(_auth(key)))
    assert response.status_code < 500, response.text
    body: dict[str, Any] = response.json()
    return body


async def over_ws(url: str, key: str | None, payload: dict[str, Any]) -> dict[str, Any]:
    async with connect(url, headers=_auth(key)) as ws:
        await ws.send_json({"type": "connection_init"})
        assert (await ws.receive_json())["type"] == "connection_ack"
        body: dict[str, Any] = await ws_operation(ws, payload)
        return body


@dataclass
class Probe:
    """One rule of the HTTP door: a document, who sends it, and the hub it is sent to."""

    name: str
    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    unit: str | None = None  # None: the public
    settings: dict[str, Any] = field(default_factory=dict)
    code: str | None = None  # the code every answer's first error must have (None: no error)
    repeat: int = 1  # sent this many times on each door; the last answers are compared


NAMES = (
    "query($name: String) { enterprises(first: 2, filter: {nameContains: $name}) { totalCount } }"
)
COMPOUNDS = "{ compounds(first: 2) { totalCount } }"
MEMBERS = "{ committees(first: 3) { nodes { currentTerm { members { name phone } } } } }"

PROBES = [
    Probe(
        "forged cursor",
        '{ enterprises(first: 2, after: "Zm9yZ2Vk") { totalCount } }',
        code="BAD_USER_INPUT",
    ),
    Probe("NUL in a filter", NAMES, {"name": "物业\x00"}, code="BAD_USER_INPUT"),
    Probe("overlong filter", NAMES, {"name": "物" * 30_000}, code="BAD_USER_INPUT"),
    Probe(
        "out-of-range global id",
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": base64.b64encode(b"Compound:9223372036854775808").decode()},
        code="BAD_USER_INPUT",
    ),
    Probe(
        "suggestions cut in production",
        "{ townz { code } }",
        settings={"production": True},
        code="BAD_USER_INPUT",
    ),
    Probe(
        "introspection off in production",
        "{ __schema { types { name } } }",
        settings={"production": True},
        code="BAD_USER_INPUT",
    ),
    Probe(
        "trusted documents required",
        COMPOUNDS,
        unit="town-150627100",
        settings={"trusted_documents": "require"},
        code="PERSISTED_QUERY_NOT_IN_LIST",
    ),
    Probe(
        "request rate",
        "{ towns { code } }",
        unit="zjj",
        settings={"rate_limit_client": "2/minute"},
        code="RATE_LIMITED",
        repeat=3,
    ),
    Probe(
        "public rate",
        "{ towns { code } }",
        settings={"rate_limit_ip": "2/minute"},
        code="RATE_LIMITED",
        repeat=3,
    ),
    Probe(
        "cost",
        "{ enterprises(first: 100) { nodes { contracts { compound { name } } } } }",
        unit="zjj",
        settings={"max_cost": 100},
        code="BAD_USER_INPUT",
    ),
    Probe(
        "depth",
        "{ compounds { nodes { contracts { compound { contracts { compound { "
        "contracts { compound { name } } } } } } } } }",
        unit="zjj",
        settings={"max_depth": 5},
        code="BAD_USER_INPUT",
    ),
    Probe(
        "aliases",
        "{ " + " ".join(f"a{i}: towns {{ code }}" for i in range(40)) + " }",
        code="BAD_USER_INPUT",
    ),
    Probe("a member unit's field asked by the public", MEMBERS, code="UNAUTHENTICATED"),
    Probe("masked personal data", MEMBERS, unit="zjj"),
    Probe(
        "unmasking needs the pii permission",
        "{ committees(first: 1) { nodes { currentTerm { members { name(unmasked: true) } } } } }",
        unit="zjj",
        code="FORBIDDEN",
    ),
    Probe(
        "several operations without operationName",
        "query A { towns { code } } query B { viewer { role } }",
        code="BAD_USER_INPUT",
    ),
    Probe(
        "a year no record has",
        "{ ranking(year: -3198) { year } }",
        unit="zjj",
        code="BAD_USER_INPUT",
    ),
    Probe("a plain query", "{ towns { code name } }", unit="community-150627100001"),
]


def _settings(probe: Probe) -> Settings:
    options = dict(probe.settings)
    if options.pop("production", False):
        return production(**options)
    return Settings(database_url="sqlite+aiosqlite:///:memory:", **options)


@pytest.mark.parametrize("probe", PROBES, ids=[p.name for p in PROBES])
async def test_every_http_rule_holds_over_the_websocket(
    probe: Probe, serve: Serve, api_key: Callable[[str], Awaitable[str]]
) -> None:
    """The same document by the same caller gets the same answer through both doors."""
    key = await api_key(probe.unit) if probe.unit else None
    payload = {"query": probe.query, "variables": probe.variables}
    answers = []
    for door in (over_http, over_ws):
        async with serve(_settings(probe)) as url:  # fresh counters for each door
            for _ in range(probe.repeat):
                answer = await door(url, key, payload)
        answers.append(answer)
    http, ws = answers
    assert comparable(ws) == comparable(http), (http, ws)
    errors = ws.get("errors", [])
    if probe.code is None:
        assert not errors, errors
    else:
        assert errors and errors[0]["extensions"]["code"] == probe.code, errors
    text = str(ws)
    assert not [word for word in SQL_WORDS if word in text], text
    assert "Did you mean" not in text or not probe.settings.get("production")


async def open_acknowledged(url: str, **options: Any) -> Any:
    """A context manager of a connection that has sent connection_init and got its ack."""

    @asynccontextmanager
    async def opened() -> AsyncIterator[WebSocketClient]:
        async with connect(url, **options) as ws:
            await ws.send_json({"type": "connection_init"})
            assert (await ws.receive_json())["type"] == "connection_ack"
            yield ws

    return opened()


async def closed_with(ws: WebSocketClient) -> tuple[int | None, str]:
    with pytest.raises(Closed) as closed:
        while True:
            await ws.receive_json()
    return closed.value.code, closed.value.reason


async def test_a_message_over_the_cap_closes_the_connection(serve: Serve) -> None:
    """A message larger than HUB_WS_MAX_MESSAGE_BYTES is refused with 1009 and a reason."""
    settings = production(ws_max_message_bytes=10_000)
    async with serve(settings) as url, await open_acknowledged(url) as ws:
        query = "{ towns { code } }" + " " * 20_000
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        code, reason = await closed_with(ws)
    assert code == 1009 and "10,000 bytes" in reason


async def test_connections_per_client_are_capped(
    serve_own: Serve, committed_key: Callable[[str], Awaitable[str]]
) -> None:
    """One connection more than HUB_WS_MAX_CONNECTIONS_PER_CLIENT is closed with 4429; another
    client still connects, and a closed connection gives its place back."""
    key, other = await committed_key("zjj"), await committed_key("town-150627100")
    async with serve_own(Settings(ws_max_connections_per_client=2)) as url:
        # Acknowledged: the hub counts a connection once its credential is checked.
        first = await open_acknowledged(url, headers=_auth(key))
        second = await open_acknowledged(url, headers=_auth(key))
        async with first, second:
            async with connect(url, headers=_auth(key)) as third:
                code, reason = await closed_with(third)
            assert code == 4429 and "at most 2" in reason
            async with await open_acknowledged(url, headers=_auth(other)):
                pass
        async with await open_acknowledged(url, headers=_auth(key)) as again:
            answer = await ws_operation(again, {"query": "{ towns { code } }"})
    assert "errors" not in answer


async def test_the_public_is_capped_per_address(serve: Serve) -> None:
    """Anonymous connections count per IP address."""
    async with serve(production(ws_max_connections_per_client=1)) as url:
        async with await open_acknowledged(url):
            async with connect(url) as second:
                code, _ = await closed_with(second)
    assert code == 4429


async def test_operations_per_connection_are_capped(
    serve: Serve, api_key: Callable[[str], Awaitable[str]]
) -> None:
    """One operation more than HUB_WS_MAX_OPERATIONS_PER_CONNECTION at once closes with 4429."""
    key = await api_key("zjj")
    subscription = {"query": "subscription { findingOpened { rule } }"}
    async with (
        serve(production(ws_max_operations_per_connection=2)) as url,
        await open_acknowledged(url, headers=_auth(key)) as ws,
    ):
        for id in ("1", "2", "3"):
            await ws.send_json({"id": id, "type": "subscribe", "payload": subscription})
        code, reason = await closed_with(ws)
    assert code == 4429 and "at most 2" in reason


async def test_a_bad_handshake_credential_is_unauthenticated(serve: Serve) -> None:
    """A key in the handshake header that does not check out: the connection is acknowledged
    and its operation fails with UNAUTHENTICATED — a message, never a dropped socket nor the
    public's view."""
    headers = [("Authorization", "Bearer hub_000000000000_not-a-real-key")]
    async with serve(production()) as url, await open_acknowledged(url, headers=headers) as ws:
        answer = await ws_operation(ws, {"query": "{ viewer { authenticated } }"})
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED" and error["extensions"]["requestId"]


async def test_the_legacy_protocol_is_off_unless_enabled(serve: Serve) -> None:
    """`graphql-ws` (subscriptions-transport-ws) is refused by default and spoken when
    HUB_WS_LEGACY_PROTOCOL is on — through the same gate (the public may not follow findings)."""
    async with serve(production()) as url, connect(url, subprotocols=["graphql-ws"]) as ws:
        code, _ = await closed_with(ws)
    assert code == 4406
    async with (
        serve(production(ws_legacy_protocol=True)) as url,
        connect(url, subprotocols=["graphql-ws"]) as ws,
    ):
        assert ws.subprotocol == "graphql-ws"
        await ws.send_json({"type": "connection_init"})
        assert (await ws.receive_json())["type"] == "connection_ack"
        payload = {"query": "subscription { findingOpened { rule } }"}
        await ws.send_json({"id": "1", "type": "start", "payload": payload})
        message = await ws.receive_json()
    # graphql-ws runs subscriptions only; the public may not follow findings: a coded error.
    errors = message["payload"]["errors"] if message["type"] == "data" else [message["payload"]]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED", message
    assert errors[0]["extensions"]["requestId"]


@pytest.mark.parametrize(
    "message",
    [
        [1, 2],
        42,
        {"type": 7},
        {"id": "1", "type": "subscribe", "payload": "{ towns { code } }"},
        {"id": "1", "type": "subscribe", "payload": {"query": 5}},
        {
            "id": "1",
            "type": "subscribe",
            "payload": {"query": "{ towns { code } }", "variables": 1},
        },
        {"id": ["x"], "type": "subscribe", "payload": {"query": "{ towns { code } }"}},
        {"id": "x" * 500, "type": "subscribe", "payload": {"query": "{ towns { code } }"}},
    ],
    ids=[
        "array",
        "number",
        "typeless",
        "text payload",
        "query number",
        "variables number",
        "id list",
        "id too long",
    ],
)
async def test_a_malformed_message_closes_with_4400(serve: Serve, message: Any) -> None:
    """A message that is not the protocol's is refused with 4400 and a reason, not a crash."""
    async with serve(production()) as url, await open_acknowledged(url) as ws:
        await ws.send_json(message)
        code, reason = await closed_with(ws)
    assert code == 4400 and reason


async def test_a_connection_without_init_is_closed(serve: Serve) -> None:
    """No connection_init within HUB_WS_INIT_TIMEOUT_SECONDS: 4408."""
    async with serve(production(ws_init_timeout_seconds=0.3)) as url, connect(url) as ws:
        code, _ = await closed_with(ws)
    assert code == 4408


async def test_a_subscription_is_refused_by_the_cost_limit(
    serve: Serve, api_key: Callable[[str], Awaitable[str]]
) -> None:
    """The operation limits run for subscriptions too: over the cost maximum, a coded error."""
    key = await api_key("zjj")
    async with (
        serve(production(max_cost=1)) as url,
        await open_acknowledged(url, headers=_auth(key)) as ws,
    ):
        payload = {"query": "subscription { findingOpened { rule severity detail } }"}
        await ws.send_json({"id": "1", "type": "subscribe", "payload": payload})
        message = await ws.receive_json()
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT", message
    assert errors[0]["extensions"]["requestId"]


def test_global_ids_used_here_are_the_hubs() -> None:
    """The probes' global id is built like the hub's (so the probe tests the range, not base64)."""
    assert encode_global_id("Compound", 5) == base64.b64encode(b"Compound:5").decode()
