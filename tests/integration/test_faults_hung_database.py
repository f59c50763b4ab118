"""Fault test (issue #12, 5): a database that hangs instead of failing.

A frozen PostgreSQL (its postmaster and backends stopped with SIGSTOP: connections stay open, the
server answers nothing) must not hang the hub: a public query, an API-key query and /readyz each
end within a bound set by the database timeouts, with DATABASE_UNAVAILABLE (503 for /readyz). On
SQLite the hang is another connection's write lock: a mutation waits for it no longer than the
busy timeout and ends with DATABASE_UNAVAILABLE too. The hub is served over real HTTP; the shared
PostgreSQL server on 5432 is never touched.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import exc

from hub.app import create_app
from hub.config import Settings, get_settings
from hub.demo.load import load_demo_data
from hub.domain.access import Role
from hub.services import identity
from hub.store.migrate import upgrade_to_head
from hub.store.session import create_sessionmaker, database_unavailable, engine_from_settings
from tests.conftest import DEMO_TODAY, backend_name
from tests.factories import LEDGER_ITEM_CREATE, ledger_item_variables
from tests.integration.test_faults_postgres import COMMUNITY, QUERY, prepared_database
from tests.loopback import served
from tests.private_postgres import PrivatePostgres, private_postgres

TIMEOUT = 2.0  # seconds: every database timeout of the hub under test
BOUND = 3 * TIMEOUT  # a functional bound (not a benchmark): an answer later than this hangs
HANGING = 30.0  # the client's own patience: a request still open then has hung


def timeouts(url: str) -> Settings:
    """Settings of a hub whose every database wait is TIMEOUT."""
    return Settings(
        database_url=url,
        limits_enabled=False,
        database_pool_size=2,
        database_connect_timeout_seconds=TIMEOUT,
        database_command_timeout_seconds=TIMEOUT,
        database_pool_timeout_seconds=TIMEOUT,
        readiness_timeout_seconds=TIMEOUT,
    )


def codes(response: httpx.Response) -> list[str | None]:
    errors = response.json().get("errors") or [{}]
    return [(error.get("extensions") or {}).get("code") for error in errors]


async def timed(request: Any) -> tuple[float, httpx.Response]:
    started = time.monotonic()
    response = await request
    return time.monotonic() - started, response


@contextmanager
def frozen(server: PrivatePostgres) -> Iterator[None]:
    """The server's postmaster and every backend stopped (SIGSTOP) — its sockets stay open but
    nothing answers — and continued (SIGCONT) afterwards, whatever happens."""
    postmaster = int((server.data / "postmaster.pid").read_text().split()[0])
    children = []
    for task in os.listdir(f"/proc/{postmaster}/task"):
        children += Path(f"/proc/{postmaster}/task/{task}/children").read_text().split()
    # The postmaster first, so that it forks no backend the list would miss.
    stopped = [postmaster, *map(int, children)]
    try:
        for pid in stopped:
            os.kill(pid, signal.SIGSTOP)
        yield
    finally:
        for pid in reversed(stopped):
            os.kill(pid, signal.SIGCONT)


@pytest.mark.skipif(
    backend_name() != "postgresql",
    reason="runs in the PostgreSQL run of the suite (on a private cluster, not the shared one)",
)
async def test_a_frozen_postgres_fails_requests_and_readiness_within_the_bound() -> None:
    """With PostgreSQL frozen, a public query, a query with an API key (checked against the
    database) and /readyz each answer within the bound: DATABASE_UNAVAILABLE, /readyz 503; once
    the server runs again the same requests succeed."""
    with private_postgres() as server:
        url, reader, _ = await prepared_database(server)
        settings = timeouts(url)
        engine = engine_from_settings(settings)
        app = create_app(settings, engine=engine, clock=lambda: DEMO_TODAY)
        keyed = {"Authorization": f"Bearer {reader}"}
        try:
            async with (
                served(app) as base_url,
                httpx.AsyncClient(base_url=base_url, timeout=HANGING) as http,
            ):
                # Warm: the pool holds open connections, which the freeze leaves hanging.
                for headers in ({}, keyed):
                    warm = await http.post("/graphql", json={"query": QUERY}, headers=headers)
                    assert warm.status_code == 200 and "errors" not in warm.json(), warm.text
                with frozen(server):
                    public, key, ready = await asyncio.gather(
                        timed(http.post("/graphql", json={"query": QUERY})),
                        timed(http.post("/graphql", json={"query": QUERY}, headers=keyed)),
                        timed(http.get("/readyz")),
                    )
                    # The pool's connections are gone or hanging now: a second round as well.
                    again = await timed(http.post("/graphql", json={"query": QUERY}))
                deadline = time.monotonic() + 30
                while True:
                    after = await http.post("/graphql", json={"query": QUERY}, headers=keyed)
                    if "errors" not in after.json() or time.monotonic() > deadline:
                        break
                    await asyncio.sleep(0.2)
                ready_after = await http.get("/readyz")
        finally:
            await engine.dispose()

    for seconds, response in (public, key, again):
        assert seconds < BOUND, (seconds, response.text)
        # Before GraphQL ran (authentication reads the API key): 503; in a resolver: 200.
        assert response.status_code in {200, 503}, response.text
        assert set(codes(response)) == {"DATABASE_UNAVAILABLE"}, response.text
    seconds, response = ready
    assert seconds < BOUND and response.status_code == 503, (seconds, response.text)
    assert after.status_code == 200 and "errors" not in after.json(), after.text
    assert ready_after.status_code == 200


@pytest.mark.skipif(
    backend_name() != "sqlite", reason="runs in the SQLite run of the suite (its own file)"
)
async def test_a_held_sqlite_write_lock_fails_a_mutation_within_the_bound(tmp_path: Path) -> None:
    """While another connection holds SQLite's write lock (BEGIN EXCLUSIVE), a mutation waits no
    longer than the busy timeout and ends with DATABASE_UNAVAILABLE; reads still answer, and
    once the lock is released the mutation succeeds."""
    database = tmp_path / "hub.db"
    settings = timeouts(f"sqlite+aiosqlite:///{database}")
    engine = engine_from_settings(settings)
    try:
        await upgrade_to_head(engine)
        async with create_sessionmaker(engine)() as session, session.begin():
            await load_demo_data(
                session, settings=get_settings(), today=DEMO_TODAY.date(), upstream=False
            )
            writer = await identity.create_client(session, unit_code=COMMUNITY, role=Role.COMMUNITY)
        app = create_app(settings, engine=engine, clock=lambda: DEMO_TODAY)
        headers = {"Authorization": f"Bearer {writer.key}"}
        async with (
            served(app) as base_url,
            httpx.AsyncClient(base_url=base_url, timeout=HANGING, headers=headers) as http,
        ):
            listed = await http.post(
                "/graphql", json={"query": "{ compounds(first: 1) { nodes { id } } }"}
            )
            compound = listed.json()["data"]["compounds"]["nodes"][0]["id"]
            create = {
                "query": LEDGER_ITEM_CREATE,
                "variables": ledger_item_variables(compound_id=compound),
            }
            lock = sqlite3.connect(database, isolation_level=None)
            try:
                lock.execute("BEGIN EXCLUSIVE")
                seconds, refused = await timed(http.post("/graphql", json=create))
                read = await http.post("/graphql", json={"query": QUERY})
            finally:
                lock.execute("ROLLBACK")
                lock.close()
            accepted = await http.post("/graphql", json=create)
    finally:
        await engine.dispose()

    assert seconds < BOUND, (seconds, refused.text)
    assert refused.status_code == 200, refused.text
    assert codes(refused) == ["DATABASE_UNAVAILABLE"], refused.text
    assert "locked" not in refused.text and "sqlite" not in refused.text.lower()
    assert "errors" not in read.json(), read.text
    body = json.loads(accepted.text)
    assert body["data"]["ledgerItemCreate"]["__typename"] == "LedgerItemSuccess", accepted.text


async def test_the_pool_wait_and_driver_timeouts_are_database_unavailable() -> None:
    """The timeouts the hub's engine may raise — the pool's wait, asyncpg's connect and command
    timeouts (asyncio's TimeoutError), SQLite's busy timeout — are outages, not bugs."""
    busy = sqlite3.OperationalError("database is locked")
    busy.sqlite_errorname = "SQLITE_BUSY"  # type: ignore[attr-defined]
    assert database_unavailable(exc.TimeoutError("QueuePool limit of size 2 overflow 2 reached"))
    assert database_unavailable(TimeoutError())
    assert database_unavailable(exc.OperationalError("INSERT …", {}, busy))
    missing = sqlite3.OperationalError("no such table: x")
    missing.sqlite_errorname = "SQLITE_ERROR"  # type: ignore[attr-defined]
    assert not database_unavailable(exc.OperationalError("INSERT …", {}, missing))
    assert not database_unavailable(ValueError("not an outage"))
