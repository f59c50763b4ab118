"""The kill test (issue 3, Tests): `hub sync ordos` in a subprocess, killed with SIGKILL in the
middle of a window, then run again.

The ordos sandbox is served over real HTTP (uvicorn, on a free loopback port, inside the test
process) with a few thousand extra inspections and a little latency per page, so that the run
lasts a few seconds; the test kills the subprocess as soon as two pages of the inspections
window were committed. Should the run finish before that (a fast machine), it tries again with
more records and more latency.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.ordos.client import STREAMS
from connectors.ordos.sandbox import create_app
from connectors.sandbox_kit import (
    ORDOS_DEMO_CLIENT_ID,
    ORDOS_DEMO_CLIENT_SECRET,
    Faults,
    Sandbox,
    sandbox_of,
)
from hub.config import Settings
from hub.demo.world import demo_world
from hub.domain.enums import SyncRunStatus
from hub.errors import SyncBusy
from hub.store import models as m
from hub.store.models import SyncLease, SyncRun, SyncStreamState
from hub.sync.manager import SyncManager
from hub.sync.sinks import SINKS
from tests.conftest import ScratchDatabases
from tests.loopback import served
from tests.sync_world import assert_store_matches_truth, make_store, read_watermarks

REPO = Path(__file__).resolve().parents[2]
KILLED_STREAM = "inspections"  # the last stream, with children (items) on every record
# (extra inspections, seconds of latency per request): tried in turn until a kill lands mid-run.
ATTEMPTS = [(3000, 0.02), (6000, 0.05), (12000, 0.1)]
KILL_AT_PAGE = 3  # kill once the checkpoint points at this page of the window, or a later one
CHECKPOINT_DEADLINE = 90.0  # seconds to wait for it

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


class RequestLog:
    """An ASGI wrapper that notes the path and query of every request to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.requests: list[tuple[str, dict[str, str]]] = []

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            query = parse_qs(scope["query_string"].decode())
            self.requests.append((scope["path"], {k: v[-1] for k, v in query.items()}))
        await self.app(scope, receive, send)


@dataclass
class SyncProcess:
    """`hub sync ordos` as a subprocess, with its stderr collected."""

    env: dict[str, str]
    process: asyncio.subprocess.Process | None = None
    output: asyncio.Task[bytes] | None = None
    log: list[str] = field(default_factory=list)

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "hub.cli",
            "sync",
            "ordos",
            env=self.env,
            cwd=REPO,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        assert self.process.stderr is not None
        self.output = asyncio.create_task(self.process.stderr.read())

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def wait(self) -> int:
        assert self.process is not None and self.output is not None
        code = await self.process.wait()
        self.log.append((await self.output).decode(errors="replace"))
        return code

    async def kill(self) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
        return await self.wait()


def sync_env(database_url: str, base_url: str) -> dict[str, str]:
    """The subprocess's environment: the scratch database and the sandbox as the only source."""
    source = {
        "kind": "ordos",
        "base_url": base_url,
        "credentials": {
            "client_id": ORDOS_DEMO_CLIENT_ID,
            "client_secret": ORDOS_DEMO_CLIENT_SECRET,
        },
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(HUB_DATABASE_URL=database_url, HUB_SOURCES=json.dumps({"ordos": source}))
    return env


async def stream_state(
    sessionmaker: async_sessionmaker[AsyncSession], stream: str
) -> SyncStreamState | None:
    async with sessionmaker() as session:
        return await session.scalar(
            sa.select(SyncStreamState).where(
                SyncStreamState.source == "ordos", SyncStreamState.stream == stream
            )
        )


async def latest_run(sessionmaker: async_sessionmaker[AsyncSession]) -> SyncRun | None:
    async with sessionmaker() as session:
        return await session.scalar(sa.select(SyncRun).order_by(SyncRun.id.desc()).limit(1))


async def stored_counts(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Rows from ordos per stream (live or not)."""
    counts = {}
    async with sessionmaker() as session:
        for stream in STREAMS:
            (entity,) = stream.entities
            model: Any = SINKS[entity].model
            counts[stream.name] = int(
                await session.scalar(sa.select(sa.func.count()).where(model.source == "ordos")) or 0
            )
    return counts


async def kill_mid_window(
    sync: SyncProcess, sessionmaker: async_sessionmaker[AsyncSession]
) -> bool:
    """Start the sync and SIGKILL it once pages of the killed stream's window are committed;
    False when it finished first."""
    await sync.start()
    try:
        async with asyncio.timeout(CHECKPOINT_DEADLINE):
            while sync.running:
                run = await latest_run(sessionmaker)
                state = await stream_state(sessionmaker, KILLED_STREAM)
                if (
                    run is not None
                    and run.status is SyncRunStatus.RUNNING
                    and run.fetched > 0
                    and state is not None
                    and json.loads(state.next_token or "0") >= KILL_AT_PAGE
                ):
                    return await sync.kill() == -signal.SIGKILL
                await asyncio.sleep(0.02)
    finally:
        if sync.running:
            await sync.kill()
    assert await sync.wait() == 0, sync.log
    return False


async def assert_pages_complete(
    sessionmaker: async_sessionmaker[AsyncSession], sandbox: Sandbox
) -> None:
    """Every stored inspection has exactly the items the upstream lists for it."""
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                sa.select(m.Assessment.source_id, sa.func.count(m.AssessmentItem.id))
                .outerjoin(m.AssessmentItem, m.AssessmentItem.assessment_id == m.Assessment.id)
                .where(m.Assessment.source == "ordos")
                .group_by(m.Assessment.source_id)
            )
        ).all()
    upstream = sandbox.stores[KILLED_STREAM]
    for source_id, items in rows:
        record = upstream.get(source_id)
        assert record is not None and record.body is not None
        assert items == len(record.body["items"]), (source_id, items)


async def test_sync_resumes_from_checkpoint_after_kill(scratch: ScratchDatabases) -> None:
    """A sync killed with SIGKILL mid-run leaves only complete pages; the next run resumes from
    the last checkpoint and the store then equals the upstream: nothing lost, nothing twice."""
    today = datetime.now(UTC).date()  # the subprocess syncs up to the real now
    for extra, latency in ATTEMPTS:
        sandbox_app = create_app(
            world=demo_world(today=today),
            extra_records=extra,
            extra_stream=KILLED_STREAM,
            faults=Faults(latency=latency),
        )
        sandbox = sandbox_of(sandbox_app)
        url, engine, sessionmaker = await make_store(scratch, today=today)
        log = RequestLog(sandbox_app)
        try:
            async with served(log, lifespan="off") as base_url:
                sync = SyncProcess(sync_env(url, base_url))
                if not await kill_mid_window(sync, sessionmaker):
                    continue
                await check_kill_and_rerun(sync, sessionmaker, sandbox, log, url)
                return
        finally:
            await engine.dispose()
    pytest.fail(f"every sync finished before it could be killed: {ATTEMPTS}")


async def check_kill_and_rerun(
    sync: SyncProcess,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox: Sandbox,
    log: RequestLog,
    url: str,
) -> None:
    # The killed run: its row stays RUNNING (nothing is left to finish it; a known effect), its
    # lease stays until it expires, and every committed page is whole.
    killed = await latest_run(sessionmaker)
    assert killed is not None and killed.status is SyncRunStatus.RUNNING, sync.log
    assert killed.finished_at is None
    state = await stream_state(sessionmaker, KILLED_STREAM)
    assert state is not None and state.watermark is None and state.window_upper is not None
    page_size = next(s.page_size for s in STREAMS if s.name == KILLED_STREAM)
    next_page = json.loads(state.next_token or "null")
    before = await stored_counts(sessionmaker)
    # The checkpoint and the pages committed with it agree: N pages before page N + 1.
    assert isinstance(next_page, int) and before[KILLED_STREAM] == (next_page - 1) * page_size
    await assert_pages_complete(sessionmaker, sandbox)
    watermarks = await read_watermarks(sessionmaker, "ordos")
    assert all(watermarks[s.name] is not None for s in STREAMS if s.name != KILLED_STREAM)

    now = datetime.now(UTC)
    async with sessionmaker() as session:
        lease = await session.scalar(sa.select(SyncLease).where(SyncLease.source == "ordos"))
    assert lease is not None and lease.expires_at > now
    settings = Settings(database_url=url, sources=json.loads(sync.env["HUB_SOURCES"]))
    manager = SyncManager(settings, sessionmaker)
    try:
        with pytest.raises(SyncBusy):
            await manager.run("ordos")
    finally:
        await manager.aclose()
    # An operator would wait for the lease to expire (DEFAULT_TTL, 5 minutes); the test expires it.
    async with sessionmaker() as session, session.begin():
        await session.execute(
            sa.update(SyncLease)
            .where(SyncLease.source == "ordos")
            .values(expires_at=now - timedelta(seconds=1))
        )

    first_rerun_request = len(log.requests)
    rerun = SyncProcess(sync.env)
    await rerun.start()
    assert await rerun.wait() == 0, rerun.log

    done = await latest_run(sessionmaker)
    assert done is not None and done.id != killed.id
    assert done.status is SyncRunStatus.SUCCEEDED, (done.error, rerun.log)
    truth = sandbox.truth()
    await assert_store_matches_truth(sessionmaker, "ordos", STREAMS, truth)
    await assert_pages_complete(sessionmaker, sandbox)
    # Nothing inserted twice: the rerun inserted exactly what the killed run had not.
    missing = sum(len(truth[stream].live) - count for stream, count in before.items())
    assert done.inserted == missing

    # The rerun resumed the killed window at the checkpoint's page, never reading its pages again.
    path = next(s.path for s in STREAMS if s.name == KILLED_STREAM)
    window_upper = state.window_upper
    killed_window = [
        int(query["page"])
        for request_path, query in log.requests[first_rerun_request:]
        if request_path == path and _same_instant(query.get("updatedTo"), window_upper)
    ]
    assert killed_window and killed_window[0] == next_page, killed_window[:3]
    assert min(killed_window) == next_page

    # The watermarks advanced to the rerun's bound; the lease was given back.
    after = await read_watermarks(sessionmaker, "ordos")
    for stream in STREAMS:
        mark = after[stream.name]
        assert mark is not None and mark == done.window_upper
        previous = watermarks[stream.name]
        assert previous is None or mark > previous
    async with sessionmaker() as session:
        assert await session.scalar(sa.select(SyncLease).where(SyncLease.source == "ordos")) is None


def _same_instant(text: str | None, moment: datetime) -> bool:
    if text is None:
        return False
    return datetime.fromisoformat(text.replace("Z", "+00:00")) == moment.astimezone(UTC)
