"""A world for sync tests: a fresh migrated store with the local demo data, the sandboxes of
every upstream (in process, over httpx's ASGI transport) and a sync manager wired to them, all on
one controllable clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from connectors.sandbox_kit import Sandbox, sandbox_apps, sandbox_of
from hub.config import Settings
from hub.demo import load_demo_data
from hub.store.base import utcnow
from hub.store.migrate import upgrade_to_head
from hub.store.session import create_engine, create_sessionmaker
from hub.sync.engine import RunReport
from hub.sync.manager import SyncManager
from hub.sync.sinks import ENTITY_MODELS
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
        (entity,) = stream.entities
        model: Any = ENTITY_MODELS[entity]
        async with self.sessionmaker() as session:
            rows = (
                await session.execute(
                    sa.select(model.source_id, model.deleted_at).where(model.source == source)
                )
            ).all()
        return {
            "live": {sid for sid, deleted in rows if deleted is None},
            "deleted": {sid for sid, deleted in rows if deleted is not None},
        }

    async def assert_store_equals_truth(
        self, source: str, *, pending: set[str] = frozenset()
    ) -> None:
        """Every live upstream record is in the store once; deleted ones are marked deleted;
        wrong-typed ones are not in the store (they are quarantined)."""
        truth = self.sandboxes[source].truth()
        for stream in self.streams(source):
            expected = truth[stream.name]
            stored = await self.store_ids(source, stream)
            want = set(expected.live) - set(expected.wrong_typed) - pending
            assert stored["live"] == want, (
                source,
                stream.name,
                sorted(want - stored["live"])[:5],
                sorted(stored["live"] - want)[:5],
            )
            assert not stored["live"] & set(expected.deleted), (source, stream.name)

    async def dispose(self) -> None:
        await self.manager.aclose()
        await self.engine.dispose()


async def make_world(
    scratch: ScratchDatabases, *, sources: list[str] | None = None, **sandbox_options: Any
) -> SyncWorld:
    url = await scratch.create()
    engine = create_engine(url)
    await upgrade_to_head(engine)
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        await load_demo_data(session, today=DEMO_TODAY.date(), upstream=False)
    clock = Clock()
    apps = sandbox_apps(today=DEMO_TODAY.date(), clock=clock, **sandbox_options)
    if sources is not None:
        apps = {name: app for name, app in apps.items() if name in sources}
    settings = Settings(database_url=url)
    manager = SyncManager(
        settings,
        sessionmaker,
        transports={name: httpx.ASGITransport(app=app) for name, app in apps.items()},
        clock=clock,
        sleep=no_sleep,
    )
    manager.sources = {name: manager.sources[name] for name in apps}
    return SyncWorld(
        engine=engine,
        sessionmaker=sessionmaker,
        manager=manager,
        sandboxes={name: sandbox_of(app) for name, app in apps.items()},
        clock=clock,
    )
