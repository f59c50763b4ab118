"""A world for sync tests: a fresh migrated store with the local demo data, the sandboxes of
every upstream (in process, over httpx's ASGI transport) and a sync manager wired to them, all on
one controllable clock.

The pieces also serve tests without a ``SyncWorld`` (the kill test syncs in a subprocess):
``make_store`` (a scratch database as the world has it), ``assert_store_matches_truth``,
``read_watermarks`` and ``touch_records`` (change chosen records as the upstream would).
"""

from __future__ import annotations

import contextlib
import copy
import random
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from connectors.core import StreamSpec
from connectors.sandbox_kit import Sandbox, StoredRecord, StreamTruth, sandbox_of
from connectors.sandboxes import sandbox_apps
from hub.config import Settings, get_settings
from hub.demo.load import load_demo_data
from hub.demo.world import demo_world
from hub.observability import sync_run
from hub.services.findings import evaluate_findings
from hub.store.base import utcnow
from hub.store.migrate import upgrade_to_head
from hub.store.models import SyncStreamState
from hub.store.session import create_engine, create_sessionmaker
from hub.sync.manager import SyncManager
from hub.sync.reports import RunReport
from hub.sync.sinks import SINKS
from tests.conftest import DEMO_TODAY, ScratchDatabases


@dataclass
class Clock:
    """A clock the test moves by hand; it starts at the real time, because request signatures
    and tokens are checked against real time (the data is dated before DEMO_TODAY anyway)."""

    now: datetime = field(default_factory=lambda: max(utcnow(), DEMO_TODAY))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


async def no_sleep(_seconds: float) -> None:
    """Retries and Retry-After waits take no time in tests."""


@dataclass
class SyncWorld:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    manager: SyncManager
    sandboxes: dict[str, Sandbox]
    clock: Clock
    slept: list[float] = field(default_factory=list)

    async def run(self, source: str, **options: Any) -> RunReport:
        return await self.manager.run(source, **options)

    def streams(self, source: str) -> Iterator[Any]:
        yield from self.manager.connector(source).streams

    async def store_ids(self, source: str, stream: Any) -> dict[str, set[str]]:
        """Live and deleted source ids in the store for a stream's entity."""
        return await store_ids(self.sessionmaker, source, stream)

    async def assert_store_equals_truth(
        self, source: str, *, pending: set[str] = frozenset()
    ) -> None:
        """Every live upstream record is in the store once; deleted ones are marked deleted;
        wrong-typed ones are not in the store (they are quarantined)."""
        await assert_store_matches_truth(
            self.sessionmaker,
            source,
            list(self.streams(source)),
            self.sandboxes[source].truth(),
            pending=pending,
        )

    @contextlib.asynccontextmanager
    async def hub_client(self) -> AsyncIterator[httpx.AsyncClient]:
        """An HTTP client of the hub over this world, as 住建局, who reads the sync state and
        operates the sync (hub.domain.access)."""
        from hub.app import create_app
        from hub.domain.access import Role
        from hub.services import identity

        app = create_app(
            self.manager.settings,
            engine=self.engine,
            sessionmaker=self.sessionmaker,
            clock=self.clock,
            sync=self.manager,
        )
        async with self.sessionmaker() as session, session.begin():
            new = await identity.create_client(
                session, unit_code="zjj", role=Role.COMPETENT_DEPARTMENT
            )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://hub.test",
            headers={"Authorization": f"Bearer {new.key}"},
        ) as client:
            yield client

    async def dispose(self) -> None:
        await self.manager.aclose()
        await self.engine.dispose()


async def make_store(
    scratch: ScratchDatabases, *, today: date | None = None
) -> tuple[str, AsyncEngine, async_sessionmaker[AsyncSession]]:
    """A fresh scratch database of the run's backend, migrated, with the demo data's local
    records only (``upstream=False``): what the platforms hold arrives by sync. ``today`` dates
    the demo data (DEMO_TODAY's date by default)."""
    url = await scratch.create()
    engine = create_engine(url)
    await upgrade_to_head(engine)
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        await load_demo_data(
            session, settings=get_settings(), today=today or DEMO_TODAY.date(), upstream=False
        )
    return url, engine, sessionmaker


PAGE_SIZE = 100
"""Records per page in the sync worlds: the connectors ask for 1,000, which would read each of
the demo's streams (a few hundred records) in one page; at 100 the windows span several pages, so
that records changing while a window is paged and equal-timestamp groups straddle boundaries."""


async def make_world(
    scratch: ScratchDatabases,
    *,
    sources: list[str] | None = None,
    page_size: int = PAGE_SIZE,
    **sandbox_options: Any,
) -> SyncWorld:
    url, engine, sessionmaker = await make_store(scratch)
    clock = Clock()
    apps = sandbox_apps(demo_world(today=DEMO_TODAY.date(), **sandbox_options), clock=clock)
    if sources is not None:
        apps = {name: app for name, app in apps.items() if name in sources}
    settings = Settings(database_url=url)
    # Wired as the app wires its own manager (hub.app.create_app): the metrics hear each run,
    # the findings follow the synced data.
    manager = SyncManager(
        settings,
        sessionmaker,
        transports={name: httpx.ASGITransport(app=app) for name, app in apps.items()},
        clock=clock,
        sleep=no_sleep,
        page_size=page_size,
        reporter=sync_run,
        after_sync=evaluate_findings,
    )
    manager.sources = {name: manager.sources[name] for name in apps}
    return SyncWorld(
        engine=engine,
        sessionmaker=sessionmaker,
        manager=manager,
        sandboxes={name: sandbox_of(app) for name, app in apps.items()},
        clock=clock,
    )


async def store_ids(
    sessionmaker: async_sessionmaker[AsyncSession], source: str, stream: StreamSpec
) -> dict[str, set[str]]:
    """Live and deleted source ids in the store for a stream's entity."""
    (entity,) = stream.entities
    model: Any = SINKS[entity].model
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                sa.select(model.source_id, model.deleted_at).where(model.source == source)
            )
        ).all()
    return {
        "live": {sid for sid, deleted in rows if deleted is None},
        "deleted": {sid for sid, deleted in rows if deleted is not None},
    }


async def assert_store_matches_truth(
    sessionmaker: async_sessionmaker[AsyncSession],
    source: str,
    streams: Iterable[StreamSpec],
    truth: Mapping[str, StreamTruth],
    *,
    pending: set[str] = frozenset(),
) -> None:
    """The store holds every live upstream record of each stream exactly once (no row shares a
    source id with another), marks the deleted ones deleted, and leaves the wrong-typed ones out
    (they are quarantined); ``pending`` ids wait in the reconciliation queue."""
    for stream in streams:
        expected = truth[stream.name]
        stored = await store_ids(sessionmaker, source, stream)
        want = set(expected.live) - set(expected.wrong_typed) - pending
        assert stored["live"] == want, (
            source,
            stream.name,
            sorted(want - stored["live"])[:5],
            sorted(stored["live"] - want)[:5],
        )
        assert not stored["live"] & set(expected.deleted), (source, stream.name)
        (entity,) = stream.entities
        model: Any = SINKS[entity].model
        async with sessionmaker() as session:
            live_rows = await session.scalar(
                sa.select(sa.func.count()).where(model.source == source, model.deleted_at.is_(None))
            )
            twice = (
                await session.execute(
                    sa.select(model.source_id)
                    .where(model.source == source)
                    .group_by(model.source_id)
                    .having(sa.func.count() > 1)
                )
            ).all()
        assert live_rows == len(want), (source, stream.name, live_rows, len(want))
        assert not twice, (source, stream.name, twice[:5])


async def read_watermarks(
    sessionmaker: async_sessionmaker[AsyncSession], source: str
) -> dict[str, datetime | None]:
    """Each stream's watermark (None before its first completed window)."""
    async with sessionmaker() as session:
        rows = await session.execute(
            sa.select(SyncStreamState.stream, SyncStreamState.watermark).where(
                SyncStreamState.source == source
            )
        )
        return {stream: watermark for stream, watermark in rows.all()}


def touch_records(sandbox: Sandbox, stream: str, ids: Iterable[str]) -> list[str]:
    """Change the live records among ``ids`` as the upstream changes a record (a new version,
    stamped with the sandbox's now); the ids changed."""
    store, definition, now = sandbox.stores[stream], sandbox.streams[stream], sandbox.now()
    rng = random.Random(f"{sandbox.seed}/{stream}/touch")
    changed = []
    for record_id in sorted(ids):
        record = store.get(record_id)
        if record is None or record.body is None:
            continue
        body = definition.touch(copy.deepcopy(record.body), rng, now)
        store.put(StoredRecord(record_id, now, body))
        changed.append(record_id)
    return changed
