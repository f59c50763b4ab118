"""The hub's sync manager: one per process. It owns the connectors and their HTTP clients (so a
circuit breaker remembers across runs), runs syncs on demand and on each source's schedule.

Used by `hub sync`, by the GraphQL `syncTrigger` mutation and `syncSources` field (through
``hub.services.sync``), and by `hub serve` when the scheduler is on. Whoever builds it wires what
the sync layer must not import: a ``RunReporter`` for the metrics of each run and an
``AfterSync`` hook for what follows synced data (``hub.sync.reports``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from croniter import croniter  # type: ignore[import-untyped]  # croniter ships no types
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.breaker import BreakerSnapshot
from connectors.http import RetryPolicy, Timeouts, UpstreamClient
from hub.config import Settings, SourceSettings
from hub.errors import BadUserInput, SyncBusy
from hub.store.base import utcnow
from hub.store.models import MemberUnit, ReconciliationItem
from hub.store.session import for_writing
from hub.sync.apply import apply_page
from hub.sync.engine import SyncRunner
from hub.sync.registry import SourceConnector, build_connector
from hub.sync.reports import AfterSync, Progress, RunReport, RunReporter, SyncOptions
from hub.sync.resolver import Resolver
from hub.sync.sandboxes import sandbox_sources

logger = logging.getLogger("hub.sync")


class SyncManager:
    """Connectors, clients and runs of every configured source."""

    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        page_size: int | None = None,
        reporter: RunReporter | None = None,
        after_sync: AfterSync | None = None,
    ) -> None:
        """``page_size`` replaces the connectors' own (tests page small windows with it);
        ``reporter`` hears how each run ended, ``after_sync`` follows the runs that changed the
        store (``run_after_sync``)."""
        self.settings = settings
        self.reporter = reporter
        self.after_sync = after_sync
        self.page_size = page_size
        self._sleep = sleep
        self.sessionmaker = for_writing(sessionmaker)
        # Development without HUB_SOURCES syncs from the sandboxes of `hub sandbox`.
        self.sources: dict[str, SourceSettings] = settings.source_settings(
            development=sandbox_sources
        )
        self.clock = clock
        self._transports = dict(transports or {})
        self._connectors: dict[str, SourceConnector] = {}
        self._clients: dict[str, UpstreamClient] = {}
        self._tasks: dict[str, asyncio.Task[RunReport | None]] = {}

    def __repr__(self) -> str:
        return f"<SyncManager sources={sorted(self.sources)}>"

    def source(self, name: str) -> SourceSettings:
        """The settings of a source, or BAD_USER_INPUT naming the known ones."""
        try:
            return self.sources[name]
        except KeyError:
            known = ", ".join(sorted(self.sources)) or "none configured"
            raise BadUserInput(f"source: unknown source {name!r} (known: {known})") from None

    def connector(self, name: str) -> SourceConnector:
        """The connector of a source, built once per process."""
        if name not in self._connectors:
            self._connectors[name] = build_connector(
                name, self.source(name), page_size=self.page_size
            )
        return self._connectors[name]

    def client(self, name: str) -> UpstreamClient:
        if name not in self._clients:
            source = self.source(name)
            self._clients[name] = UpstreamClient(
                source=name,
                base_url=source.base_url,
                auth=self.connector(name).auth(),
                transport=self._transports.get(name),
                sleep=self._sleep,
                timeouts=Timeouts(connect=source.connect_timeout, read=source.read_timeout),
                retry=RetryPolicy(
                    attempts=source.retry_attempts, retry_after_cap=source.retry_after_cap
                ),
            )
        return self._clients[name]

    def breaker(self, name: str) -> BreakerSnapshot:
        """The circuit breaker of a source as this process sees it."""
        return self.client(name).breaker.snapshot()

    def breakers(self) -> dict[str, BreakerSnapshot]:
        """The breakers of the sources this process has called so far (for /metrics)."""
        return {name: client.breaker.snapshot() for name, client in self._clients.items()}

    def running(self, name: str) -> bool:
        task = self._tasks.get(name)
        return task is not None and not task.done()

    async def run(
        self,
        name: str,
        *,
        full: bool = False,
        trigger: str = "cli",
        progress: Callable[[Progress], None] | None = None,
    ) -> RunReport:
        """Sync one source now and wait for the result (``SyncBusy`` if it is already running)."""
        source = self.source(name)
        async with self.sessionmaker() as session:
            extra_fields = await self.extra_fields(session, name)
        runner = SyncRunner(
            self.sessionmaker,
            self.connector(name),
            self.client(name),
            options=SyncOptions(
                lookback=timedelta(minutes=source.lookback_minutes),
                quarantine_threshold=source.quarantine_threshold,
                full=full,
                trigger=trigger,
            ),
            clock=self.clock,
            progress=progress,
            extra_fields=extra_fields,
        )
        return await self._reported(name, runner.run())

    async def _reported(self, name: str, run: Awaitable[RunReport]) -> RunReport:
        """Await a run and tell the reporter how it ended: its report, or BUSY when another run
        holds the source, CANCELLED when stopped (shutdown), ERROR when it raised."""
        reporter = self.reporter
        if reporter is None:
            return await run
        try:
            report = await run
        except SyncBusy:
            reporter(name, None, result="BUSY")
            raise
        except asyncio.CancelledError:
            reporter(name, None, result="CANCELLED")
            raise
        except BaseException:
            reporter(name, None, result="ERROR")
            raise
        reporter(name, report)
        return report

    async def extra_fields(self, session: AsyncSession, name: str) -> dict[str, Any]:
        """Columns a source's records get from the source itself (a utility's own unit)."""
        if self.source(name).kind != "utility":
            return {}
        unit_code = name.split(":", 1)[1]
        unit = await session.scalar(sa.select(MemberUnit).where(MemberUnit.code == unit_code))
        if unit is None or unit.utility_kind is None:
            raise BadUserInput(
                f"source {name}: no utility member unit has the code {unit_code!r}; "
                "load the demo data or register the unit first"
            )
        return {"utility_id": unit.id, "utility_kind": unit.utility_kind}

    async def apply_reconciled(self, session: AsyncSession, item: ReconciliationItem) -> None:
        """Apply the record that waited for a reconciliation item, now that it is resolved."""
        connector = self.connector(item.source)
        stream = next((s for s in connector.streams if s.name == item.stream), None)
        if stream is None:
            return
        parsed = connector.parse(stream, item.payload)
        await apply_page(
            session,
            source=item.source,
            stream=item.stream,
            items=[parsed],
            raw_by_id={parsed.source_id: item.payload},
            resolver=Resolver(item.source),
            now=self.clock(),
            extra_fields=await self.extra_fields(session, item.source),
        )

    def trigger(self, name: str, *, full: bool = False, trigger: str = "graphql") -> None:
        """Start a sync of the source in the background (``SyncBusy`` if this process runs one)."""
        self.source(name)
        if self.running(name):
            raise SyncBusy(name, "this process", self.clock())
        self._tasks[name] = asyncio.create_task(self._background(name, full, trigger))

    async def _background(self, name: str, full: bool, trigger: str) -> RunReport | None:
        try:
            report = await self.run(name, full=full, trigger=trigger)
        except SyncBusy:
            logger.info("sync of %s skipped: another replica runs it", name)
            return None
        except Exception:
            logger.exception("background sync of %s failed", name)
            return None
        logger.info("sync of %s: %s", name, report.status.value)
        await self.run_after_sync()
        return report

    async def run_after_sync(self) -> None:
        """Run the ``after_sync`` hook on the freshly synced data (the app re-evaluates the
        compliance findings there), in a transaction of its own. A failure is logged and leaves
        the sync's result alone."""
        if self.after_sync is None:
            return
        try:
            async with self.sessionmaker() as session, session.begin():
                await self.after_sync(session, now=self.clock())
        except Exception:
            logger.exception("the work after a sync failed")

    async def run_schedule(self) -> None:
        """Run each enabled source at the times of its cron expression, forever."""
        next_at = {
            name: _next(source.schedule, self.clock())
            for name, source in self.sources.items()
            if source.enabled
        }
        while next_at:
            name, when = min(next_at.items(), key=lambda item: item[1])
            await asyncio.sleep(max(0.0, (when - self.clock()).total_seconds()))
            if not self.running(name):
                self._tasks[name] = asyncio.create_task(self._background(name, False, "schedule"))
            next_at[name] = _next(self.sources[name].schedule, self.clock())

    async def wait(self) -> None:
        """Wait for the background runs started so far."""
        tasks = [t for t in self._tasks.values() if not t.done()]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def aclose(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        for client in self._clients.values():
            await client.aclose()


def _next(expression: str, after: datetime) -> datetime:
    """The next time the cron expression fires after ``after`` (UTC)."""
    return croniter(expression, after.astimezone(UTC)).get_next(datetime)  # type: ignore[no-any-return]
