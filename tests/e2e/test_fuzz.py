"""Schema-driven fuzzing of both doors: operations generated from schema.graphql by
hypothesis-graphql, sent by the public and by member units of three roles to a production hub.

Whatever arrives, no answer is a server error (HTTP 5xx), an INTERNAL error, or carries SQL,
driver names or a traceback. Over HTTP (httpx's ASGI transport, for speed) the operations are
queries, mutations (but ``syncTrigger``, which would start a sync against upstreams that are not
running here) and invalid operations; over a real WebSocket (graphql-transport-ws on uvicorn)
queries only, since the test's transaction is rolled back either way but a socket's operations
are not this test's to undo one by one.

The documents are drawn first (derandomized: the same ones on every run and in CI), then sent;
every failure is collected with its document, so one run shows them all.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC
from decimal import Decimal
from pathlib import Path
from typing import Any

import graphql
import httpx
import hypothesis_graphql
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from hub.app import create_app
from hub.config import Settings
from hub.domain.access import Role
from hub.services import identity
from tests.conftest import DEMO_TODAY
from tests.e2e.test_production_mode import PRODUCTION_PII_KEYS
from tests.loopback import served
from tests.ws_client import connect

SCHEMA = graphql.build_schema((Path(__file__).resolve().parents[2] / "schema.graphql").read_text())
ROLES = [None, "zjj", "town-150627100", "community-150627100001"]
"""The public, 住建局 (the competent department), a town and a community (tests/e2e/test_access)."""

MUTATIONS = sorted(set(SCHEMA.mutation_type.fields) - {"syncTrigger"})  # type: ignore[union-attr]
QUERIES_PER_ROLE = 60
MUTATIONS_PER_ROLE = 40
INVALID_PER_ROLE = 20
WEBSOCKET_QUERIES_PER_ROLE = 40

LEAK = re.compile(
    r"\bSELECT\b|\bINSERT\b|\bUPDATE\b.*\bSET\b|asyncpg|sqlite3|psycopg|Traceback|File \""
)

SCALARS: dict[str, st.SearchStrategy[graphql.ValueNode]] = {
    "Date": st.dates().map(lambda day: nodes.String(day.isoformat())),
    "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda at: nodes.String(at.isoformat())),
    "Decimal": st.decimals(allow_nan=False, allow_infinity=False, places=2).map(
        lambda amount: nodes.String(str(Decimal(amount)))
    ),
    "JSON": st.just(nodes.String("{}")),
}


def draw(strategy: st.SearchStrategy[Any], count: int) -> list[str]:
    """``count`` documents of a strategy, the same on every run (derandomized, no database)."""
    drawn: list[str] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(document: str) -> None:
        drawn.append(document)

    collect()
    return drawn


def http_documents() -> list[str]:
    return [
        *draw(hypothesis_graphql.queries(SCHEMA, custom_scalars=SCALARS), QUERIES_PER_ROLE),
        *draw(
            hypothesis_graphql.mutations(SCHEMA, fields=MUTATIONS, custom_scalars=SCALARS),
            MUTATIONS_PER_ROLE,
        ),
        *draw(
            hypothesis_graphql.from_schema(
                SCHEMA, custom_scalars=SCALARS, mode=hypothesis_graphql.Mode.NEGATIVE
            ),
            INVALID_PER_ROLE,
        ),
    ]


def reached_resolvers(body: Any) -> bool:
    """True when an answer comes from execution (data, or an error of a field) rather than
    from a refusal of the whole document."""
    if not isinstance(body, dict):
        return False
    return bool(body.get("data")) or any("path" in error for error in body.get("errors") or [])


def problems_of(status: int, text: str) -> list[str]:
    """What is wrong with one answer (empty when it is a proper answer or refusal)."""
    found = []
    if status >= 500:
        found.append(f"HTTP {status}")
    if LEAK.search(text):
        found.append(f"leaks {LEAK.search(text).group(0)!r}")  # type: ignore[union-attr]
    try:
        body = json.loads(text)
    except ValueError:
        return [*found, "not JSON"]
    # An HTTP body or a WebSocket `next` payload holds "errors"; an `error` payload is the list.
    errors = (body.get("errors") or []) if isinstance(body, dict) else body or []
    for error in errors:
        code = (error.get("extensions") or {}).get("code")
        if code is None:
            found.append(f"an error without a code: {error.get('message')!r}")
        elif code == "INTERNAL":
            found.append(f"INTERNAL at {error.get('path')}")
    return found


class Rebinding:
    """A sessionmaker whose sessions join whichever transaction the test opened last.

    Each operation gets a transaction of its own, rolled back after it: a mutation's writes never
    reach the next operation, and an operation whose failing field cancels a sibling's statement
    (graphql-core cancels the rest of a nulled result) takes only its own connection down, as
    one request's connection in production, not the whole run's.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.current: async_sessionmaker[AsyncSession] | None = None

    @property
    def kw(self) -> dict[str, Any]:
        # hub.store.session.for_writing reads the bind: a connection, never the engine (whose
        # sessions would commit into the shared database).
        return self.current.kw if self.current is not None else {}

    def __call__(self, **kw: Any) -> AsyncSession:
        assert self.current is not None, "no transaction open"
        return self.current(**kw)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """A connection in a transaction for the operations of the block, rolled back after."""
        async with self.engine.connect() as connection:
            transaction = await connection.begin()
            self.current = async_sessionmaker(
                bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
            try:
                yield
            finally:
                self.current = None
                with suppress(Exception):  # a connection a cancelled statement invalidated
                    await transaction.rollback()

    async def key_of(self, unit: str | None) -> str | None:
        """A new API key of the unit, in the open transaction (None: the public)."""
        if unit is None:
            return None
        async with self() as session:
            created = await identity.create_client(
                session,
                unit_code=unit,
                role=Role((await identity.get_unit_or_raise(session, code=unit)).role.value),
            )
            await session.commit()
            return created.key


def production_app(engine: AsyncEngine, sessionmaker: Rebinding) -> Starlette:
    """A production hub on the test's transactions, with no rate limits or budgets: the fuzzer
    sends hundreds of operations a minute, and a refusal for rate would test nothing."""
    settings = Settings(
        env="production",
        database_url="postgresql+asyncpg://x@y/z",
        rate_limit_client=None,
        rate_limit_ip=None,
        rate_limit_fields={},
        cost_budget=None,
        **PRODUCTION_PII_KEYS,
    )
    return create_app(
        settings,
        engine=engine,
        sessionmaker=sessionmaker,  # type: ignore[arg-type]
        clock=lambda: DEMO_TODAY,
    )


@pytest.mark.parametrize("unit", ROLES, ids=[unit or "public" for unit in ROLES])
async def test_fuzzed_operations_over_http_never_fail_the_server(
    engine: AsyncEngine, unit: str | None
) -> None:
    """Generated queries, mutations and invalid operations over HTTP: every answer is data or a
    coded refusal, never a 5xx, an INTERNAL error, SQL or a traceback."""
    database = Rebinding(engine)
    transport = httpx.ASGITransport(app=production_app(engine, database))
    documents = http_documents()
    failures, answered = [], 0
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        for document in documents:
            async with database.transaction():
                key = await database.key_of(unit)
                headers = {"Authorization": f"Bearer {key}"} if key else {}
                response = await http.post("/graphql", json={"query": document}, headers=headers)
            problems = problems_of(response.status_code, response.text)
            if problems:
                failures.append(
                    {"document": document, "problems": problems, "answer": response.text}
                )
            answered += reached_resolvers(response.json())
    assert len(documents) > 100
    assert answered > 20  # the operations reached the resolvers, not only the refusals
    assert failures == [], json.dumps(failures[:5], ensure_ascii=False, indent=1)


@pytest.mark.parametrize("unit", ROLES, ids=[unit or "public" for unit in ROLES])
async def test_fuzzed_queries_over_a_websocket_never_fail_the_server(
    engine: AsyncEngine, unit: str | None
) -> None:
    """Generated queries over a real graphql-transport-ws connection: every message is data or
    a coded error, never an INTERNAL error, SQL or a traceback, and the connection stays open."""
    documents = draw(
        hypothesis_graphql.queries(SCHEMA, custom_scalars=SCALARS), WEBSOCKET_QUERIES_PER_ROLE
    )
    database = Rebinding(engine)
    failures, answered = [], 0
    async with (
        served(production_app(engine, database), lifespan="off") as base,
        connect(base) as ws,
    ):
        assert ws.accepted
        async with database.transaction():  # the connection's principal is settled at init
            key = await database.key_of(unit)
            init = {"authorization": f"Bearer {key}"} if key else {}
            await ws.send_json({"type": "connection_init", "payload": init})
            assert (await ws.receive_json())["type"] == "connection_ack"
        for number, document in enumerate(documents):
            operation = str(number)
            async with database.transaction():
                await ws.send_json(
                    {"id": operation, "type": "subscribe", "payload": {"query": document}}
                )
                while True:
                    message = await ws.receive_json(within=30)
                    assert message.get("id") == operation, message
                    text = json.dumps(message.get("payload"), ensure_ascii=False)
                    problems = problems_of(200, text)
                    if problems:
                        failures.append(
                            {"document": document, "problems": problems, "answer": text}
                        )
                    if message["type"] == "next":
                        answered += reached_resolvers(message["payload"])
                    if message["type"] in ("complete", "error"):
                        break
    assert answered > 10  # as the connection's principal: its role's refusals have paths too
    assert failures == [], json.dumps(failures[:5], ensure_ascii=False, indent=1)
