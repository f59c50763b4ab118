"""Fault test (issue #7): an upstream platform down.

The ordos sandbox is served over real HTTP on loopback and synced once; then it goes away — its
server stops and the port refuses connections, or a port accepts connections and never answers.
The next syncs must fail within their timeouts (not hang) and open the circuit breaker;
`syncSources` must show the failure and the breaker; and queries must keep answering from the
store, with `provenance { stale }` false until the source's maximum age has passed, true after.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.ordos.sandbox import create_app as ordos_sandbox
from hub.app import create_app
from hub.config import Settings, SourceSettings
from hub.demo.world import demo_world
from hub.domain.access import Role
from hub.domain.enums import SyncRunStatus
from hub.services import identity
from hub.sync.manager import SyncManager
from hub.sync.sandboxes import sandbox_credentials
from tests.conftest import DEMO_TODAY, ScratchDatabases
from tests.loopback import served
from tests.sync_world import Clock, make_store, no_sleep

MAX_AGE_HOURS = 2.0
RUN_BOUND = 60.0  # seconds: a sync still running after this is hanging

STATE = """{
  syncSources { name stale lagSeconds
    breaker { state consecutiveFailures }
    streams { name lastError }
    lastRun { status error } }
  enterprises(first: 5) { totalCount nodes { uscc provenance { source stale } } }
}"""


def source(base_url: str) -> SourceSettings:
    return SourceSettings(
        kind="ordos",
        base_url=base_url,
        max_age_hours=MAX_AGE_HOURS,
        connect_timeout=1.0,
        read_timeout=1.0,
        retry_attempts=5,
        credentials=sandbox_credentials("ordos"),  # type: ignore[arg-type]
    )


def manager_for(
    url: str, base_url: str, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> SyncManager:
    settings = Settings(database_url=url, sources={"ordos": source(base_url)})
    return SyncManager(settings, sessionmaker, clock=clock, sleep=no_sleep)


@asynccontextmanager
async def silent_port() -> AsyncIterator[str]:
    """A port whose connections are accepted by the kernel and never answered."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


async def graphql_state(
    manager: SyncManager, engine: Any, sessionmaker: Any, clock: Clock, key: str
) -> dict[str, Any]:
    app = create_app(
        manager.settings, engine=engine, sessionmaker=sessionmaker, clock=clock, sync=manager
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        response = await http.post(
            "/graphql", json={"query": STATE}, headers={"Authorization": f"Bearer {key}"}
        )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


async def test_upstream_down_syncs_fail_fast_and_queries_answer_stale_from_the_store(
    scratch: ScratchDatabases,
) -> None:
    """With the ordos platform gone (port closed, then a port that never answers), syncs fail
    within their timeouts and open the breaker, syncSources shows it, and the enterprises are
    still answered from the store — fresh within the maximum age, stale after it."""
    url, engine, sessionmaker = await make_store(scratch)
    clock = Clock()
    async with sessionmaker() as session, session.begin():
        key = (
            await identity.create_client(session, unit_code="zjj", role=Role.COMPETENT_DEPARTMENT)
        ).key
    try:
        sandbox = ordos_sandbox(world=demo_world(today=DEMO_TODAY.date()), clock=clock)
        async with served(sandbox, lifespan="off") as base_url:
            manager = manager_for(url, base_url, sessionmaker, clock)
            first = await manager.run("ordos")
            assert first.status is SyncRunStatus.SUCCEEDED, first.error
            before = await graphql_state(manager, engine, sessionmaker, clock, key)
        # The sandbox's server is stopped: its port now refuses connections.
        clock.advance(minutes=10)
        async with asyncio.timeout(RUN_BOUND):
            refused = await manager.run("ordos")
        assert refused.status is SyncRunStatus.FAILED
        assert refused.error
        down = await graphql_state(manager, engine, sessionmaker, clock, key)
        (ordos,) = down["syncSources"]
        assert ordos["lastRun"]["status"] == "FAILED" and ordos["lastRun"]["error"]
        assert ordos["breaker"]["state"] == "open"
        assert ordos["breaker"]["consecutiveFailures"] >= 5
        assert any(stream["lastError"] for stream in ordos["streams"])
        assert ordos["stale"] is False  # the last success is 10 minutes old
        enterprises = down["enterprises"]
        assert enterprises["totalCount"] > 0
        assert enterprises == before["enterprises"]  # the same answer as with the upstream up
        assert all(
            n["provenance"] == {"source": "ordos", "stale": False} for n in enterprises["nodes"]
        )

        # Past the maximum age, the same answers say they are stale.
        clock.advance(hours=MAX_AGE_HOURS)
        later = await graphql_state(manager, engine, sessionmaker, clock, key)
        (ordos,) = later["syncSources"]
        assert ordos["stale"] is True and ordos["lagSeconds"] > MAX_AGE_HOURS * 3600
        assert later["enterprises"]["totalCount"] == enterprises["totalCount"]
        assert all(
            n["provenance"] == {"source": "ordos", "stale": True}
            for n in later["enterprises"]["nodes"]
        )
        await manager.aclose()

        # An upstream that accepts connections and never answers: the read timeout ends each
        # attempt, the run fails, the breaker (of a fresh manager) opens.
        async with silent_port() as silent_url:
            hanging = manager_for(url, silent_url, sessionmaker, clock)
            try:
                async with asyncio.timeout(RUN_BOUND):
                    stuck = await hanging.run("ordos")
                assert stuck.status is SyncRunStatus.FAILED
                assert hanging.breaker("ordos").state == "open"
            finally:
                await hanging.aclose()
    finally:
        await engine.dispose()
