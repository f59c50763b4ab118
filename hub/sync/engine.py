"""The sync engine: incremental, checkpointed, idempotent pulls of one source into the store.

A run of a source takes the source's lease, then syncs its streams in order. For each stream it
pulls the window ``[watermark − lookback, upper)`` where ``upper`` is fixed when the run starts;
each page is applied and the stream's checkpoint (window and next-page token) committed in ONE
transaction, so a run that is killed resumes after its last committed page. The next pages are
fetched and parsed while the current one is written (``hub.sync.pages``); each is applied only after
the one before it is committed. The watermark moves to ``upper`` only when a window was read
completely and consistently:

- with page-number or offset paging a record that leaves the window while it is being paged
  (updated upstream) shifts the pages; the upstream's ``total`` then changes between pages, and
  the window is read again (at most ``max_passes`` times; otherwise the watermark stays and the
  next run reads the window again);
- a quarantine share above the threshold fails the stream (its watermark stays).

Outcomes: SUCCEEDED; PARTIAL when the upstream asked to wait longer than the cap, its breaker
opened, or a window stayed inconsistent — progress is kept; FAILED on any other error.

The run's counters (``sync_runs``) are saved with the first page, then at most every
``COUNTS_EVERY`` and at the end of each window and of the run: they are for people watching, and
the checkpoint alone decides where a run resumes. On PostgreSQL the tables a run fills are
ANALYZEd as they grow (``hub.sync.analyze``). The quarantine of refused records is
``hub.sync.quarantine``'s; the rows of runs and streams are ``hub.sync.state``'s.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import aclosing
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from connectors.core import Connector, InvalidRecord, PageToken, StreamSpec, Window
from connectors.http import UpstreamClient
from hub.domain.enums import SyncRunStatus
from hub.errors import (
    HubError,
    QuarantineThresholdExceeded,
    UpstreamPaused,
    UpstreamUnavailable,
    WindowInconsistent,
)
from hub.store.base import utcnow
from hub.sync import state
from hub.sync.analyze import TableStatistics
from hub.sync.apply import Outcome, apply_page
from hub.sync.lease import DEFAULT_TTL, Lease
from hub.sync.pages import ParsedPage, decode_token, encode_token, parsed_pages, read_ahead
from hub.sync.quarantine import Quarantine, check_share
from hub.sync.reports import Progress, RunReport, StreamReport, SyncOptions
from hub.sync.resolver import Resolver
from hub.sync.sinks import count_live, mark_unseen_deleted, tables_of

logger = logging.getLogger("hub.sync")

COUNTS_EVERY = timedelta(seconds=5)
"""How often, at most, a page's transaction also saves the run's counters."""


def _consistent(totals: set[int], received: set[object], resumed: bool) -> bool:
    """Whether a pass over a window saw every record of it exactly as the upstream counted.

    With page-number or offset paging, a record that changes while the window is paged moves
    (to the end of the window, or out of it) and shifts the records behind it, so that one of
    them is skipped. Either the upstream's total changes between pages, or — when the moved
    record stays in the window — fewer distinct records arrive than the total. A resumed pass
    did not see the pages before its checkpoint, so only its totals can be compared.
    """
    if len(totals) > 1:
        return False
    if not totals or resumed:
        return True
    return len(received) == next(iter(totals))


class SyncRunner:
    """Runs the sync of one source: ``await SyncRunner(...).run()``."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        connector: Connector,
        client: UpstreamClient,
        *,
        options: SyncOptions | None = None,
        clock: Callable[[], datetime] = utcnow,
        progress: Callable[[Progress], None] | None = None,
        extra_fields: Mapping[str, Any] | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.connector = connector
        self.client = client
        self.options = options or SyncOptions()
        self.clock = clock
        self.progress = progress or (lambda _p: None)
        self.extra_fields = dict(extra_fields or {})
        self.source = connector.source
        self.resolver = Resolver(self.source)
        self.quarantine = Quarantine(self.source)
        self.lease = Lease(sessionmaker, self.source)
        self._lease_renewed = clock()
        self.statistics = TableStatistics(sessionmaker)
        self._counts_saved: datetime | None = None

    def __repr__(self) -> str:
        return f"<SyncRunner {self.source} full={self.options.full}>"

    async def run(self) -> RunReport:
        """Take the lease, sync every stream, record the run; raises ``SyncBusy`` if taken."""
        await self.lease.acquire()
        try:
            return await self._run_with_lease()
        finally:
            await self.statistics.settle()
            await self.lease.release()

    async def _run_with_lease(self) -> RunReport:
        run_id, upper = await state.open_run(
            self.sessionmaker, source=self.source, options=self.options, started=self.clock()
        )
        report = RunReport(run_id=run_id, source=self.source)
        try:
            for stream in self.connector.streams:
                stream_report = StreamReport(stream=stream.name)
                report.streams.append(stream_report)
                await self._sync_stream(stream, upper, report, stream_report)
            complete = all(s.complete for s in report.streams)
            if complete:
                await self._retry_quarantine(report)
            report.status = SyncRunStatus.SUCCEEDED if complete else SyncRunStatus.PARTIAL
        except UpstreamPaused as exc:
            report.status, report.error = SyncRunStatus.PARTIAL, exc.message
        except (UpstreamUnavailable, QuarantineThresholdExceeded) as exc:
            report.status, report.error = SyncRunStatus.FAILED, exc.message
        except Exception as exc:
            report.status = SyncRunStatus.FAILED
            report.error = f"internal error ({type(exc).__name__}); see the hub's log"
            logger.exception("sync of %s failed", self.source)
            raise
        finally:
            await state.finish_run(self.sessionmaker, report, now=self.clock())
        return report

    async def _sync_stream(
        self, stream: StreamSpec, upper: datetime, report: RunReport, stream_report: StreamReport
    ) -> None:
        stored = await state.stream_state(self.sessionmaker, source=self.source, stream=stream.name)
        await self.statistics.watch(self._tables(stream))
        windows: list[tuple[Window, PageToken, int | None]] = []
        if stored.window_upper is not None:
            # A run stopped inside this window: finish it from its last checkpoint.
            windows.append(
                (
                    Window(lower=stored.window_lower, upper=stored.window_upper),
                    decode_token(stored.next_token),
                    stored.window_total,
                )
            )
        watermark = stored.watermark
        if stored.window_upper is not None:
            watermark = max(watermark, stored.window_upper) if watermark else stored.window_upper
        if self.options.full:
            windows.append((Window(lower=None, upper=upper), None, None))
        elif watermark is None or watermark < upper:
            lower = watermark - self.options.lookback if watermark else None
            windows.append((Window(lower=lower, upper=upper), None, None))
        try:
            for window, token, known_total in windows:
                await self._sync_window(stream, window, token, known_total, report, stream_report)
            stream_report.complete = True
        except WindowInconsistent as exc:
            await self._note_error(stream, exc.message)
        except HubError as exc:
            await self._note_error(stream, exc.message)
            raise

    async def _sync_window(
        self,
        stream: StreamSpec,
        window: Window,
        token: PageToken,
        known_total: int | None,
        report: RunReport,
        stream_report: StreamReport,
    ) -> None:
        for _ in range(self.options.max_passes):
            stream_report.passes += 1
            resumed = token is not None
            totals = {known_total} if known_total is not None and resumed else set()
            seen = Outcome()
            received: set[object] = set()
            pass_fetched = 0
            pages = parsed_pages(self.client, self.connector, stream, window, token)
            async with self._page_sessions() as sessions, aclosing(read_ahead(pages)) as ahead:
                async for parsed in ahead:
                    page = parsed.page
                    pass_fetched += len(page.records)
                    outcome = await self._apply(
                        sessions, stream, window, parsed, report, stream_report
                    )
                    seen.add(outcome)
                    received.update(raw.get(stream.primary_key) for raw in page.records)
                    if page.total is not None:
                        totals.add(page.total)
                    self.progress(Progress(stream.name, stream_report.fetched, page.total))
                    await self.statistics.changed(self._tables(stream), outcome.inserted)
                    await self._renew_lease()
            if _consistent(totals, received, resumed):
                break
            logger.info(
                "%s/%s: records moved while the window was paged (totals %s, %d distinct "
                "records); reading the window again",
                self.source,
                stream.name,
                sorted(totals),
                len(received),
            )
            token, known_total = None, None
        else:
            raise WindowInconsistent(
                f"{stream.name}: records kept changing while the window was paged "
                f"({self.options.max_passes} passes); the next run reads it again"
            )
        check_share(
            stream.name,
            fetched=pass_fetched,
            quarantined=seen.quarantined,
            whole=token is None,
            threshold=self.options.quarantine_threshold,
        )
        await self._complete_window(stream, window, seen, report, stream_report)

    def _tables(self, stream: StreamSpec) -> list[str]:
        return [table for entity in stream.entities for table in tables_of(entity)]

    @contextlib.asynccontextmanager
    async def _page_sessions(self) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
        """Sessions for the pages of a window, one transaction each.

        On PostgreSQL they share one connection held for the window: a session of the hub's
        sessionmaker takes a connection from the pool per page, and the pool checks each one
        with a ping (three round trips with asyncpg) on the page's path.
        """
        bind = self.sessionmaker.kw.get("bind")
        if not isinstance(bind, AsyncEngine) or bind.dialect.name != "postgresql":
            yield self.sessionmaker
            return
        async with bind.connect() as connection:
            yield async_sessionmaker(connection, expire_on_commit=False, autoflush=False)

    async def _apply(
        self,
        sessions: async_sessionmaker[AsyncSession],
        stream: StreamSpec,
        window: Window,
        parsed: ParsedPage,
        report: RunReport,
        stream_report: StreamReport,
    ) -> Outcome:
        page, items, invalid, raw_by_id = (
            parsed.page,
            parsed.items,
            parsed.invalid,
            parsed.raw_by_id,
        )
        now = self.clock()
        async with sessions() as session, session.begin():
            outcome = await apply_page(
                session,
                source=self.source,
                stream=stream.name,
                items=items,
                raw_by_id=raw_by_id,
                resolver=self.resolver,
                now=now,
                extra_fields=self.extra_fields,
            )
            unresolved = [
                (p.payload, InvalidRecord(p.reason, source_id=p.source_id))
                for p in outcome.problems
            ]
            refused = {p.source_id for p in outcome.problems}
            await self.quarantine.record(
                session,
                stream.name,
                invalid + unresolved,
                valid=[sid for sid in raw_by_id if sid not in refused],
                now=now,
            )
            outcome.quarantined += len(invalid)
            if invalid or unresolved:
                await self.quarantine.claim(session, run_id=report.run_id)
            # The checkpoint: this page is done, the next one is ``next_token``.
            await session.execute(
                state.update_stream(self.source, stream.name).values(
                    window_lower=window.lower,
                    window_upper=window.upper,
                    next_token=encode_token(page.next_token),
                    window_total=page.total,
                    last_run_id=report.run_id,
                    updated_at=now,
                )
            )
            stream_report.outcome.add(outcome)
            stream_report.fetched += len(page.records)
            stream_report.retries += page.retries
            stream_report.rate_limited += page.rate_limited
            if self._counts_saved is None or now - self._counts_saved >= COUNTS_EVERY:
                await self._save_counts(session, report)
        return outcome

    async def _retry_quarantine(self, report: RunReport) -> None:
        """Apply again the quarantined records of the source that may now go in.

        A record refused for an unresolved reference (a bid whose tender was itself refused)
        is not sent again unless it changes upstream: once its references exist, it is applied
        from its quarantined payload. A record still refused keeps its entry.
        """
        streams = {stream.name: stream for stream in self.connector.streams}
        for entry in await self.quarantine.waiting(self.sessionmaker):
            stream = streams.get(entry.stream)
            if stream is None:
                continue
            try:
                item = self.connector.parse(stream, entry.payload)
            except InvalidRecord:
                continue
            now = self.clock()
            async with self.sessionmaker() as session, session.begin():
                outcome = await apply_page(
                    session,
                    source=self.source,
                    stream=stream.name,
                    items=[item],
                    raw_by_id={item.source_id: entry.payload},
                    resolver=self.resolver,
                    now=now,
                    extra_fields=self.extra_fields,
                )
                if outcome.problems:
                    continue
                await self.quarantine.close(session, entry, now=now)
                stream_report = next(s for s in report.streams if s.stream == stream.name)
                outcome.quarantined = 0
                stream_report.outcome.add(outcome)
                await self._save_counts(session, report)

    async def _complete_window(
        self,
        stream: StreamSpec,
        window: Window,
        seen: Outcome,
        report: RunReport,
        stream_report: StreamReport,
    ) -> None:
        now = self.clock()
        entities = stream.entities or tuple(seen.seen)
        async with self.sessionmaker() as session, session.begin():
            if window.lower is None and self.options.full:
                stream_report.outcome.deleted += await mark_unseen_deleted(
                    session, source=self.source, seen=seen.seen, entities=entities, now=now
                )
            count = await count_live(session, source=self.source, entities=entities)
            await session.execute(
                state.update_stream(self.source, stream.name).values(
                    watermark=window.upper,
                    window_lower=None,
                    window_upper=None,
                    next_token=None,
                    window_total=None,
                    last_success_at=now,
                    last_error=None,
                    records=count,
                    updated_at=now,
                )
            )
            await self._save_counts(session, report)

    async def _note_error(self, stream: StreamSpec, message: str) -> None:
        await state.note_error(
            self.sessionmaker,
            source=self.source,
            stream=stream.name,
            message=message,
            now=self.clock(),
        )

    async def _save_counts(self, session: AsyncSession, report: RunReport) -> None:
        self._counts_saved = self.clock()
        await state.save_counts(session, report)

    async def _renew_lease(self) -> None:
        now = self.clock()
        if now - self._lease_renewed > DEFAULT_TTL / 3:
            await self.lease.renew()
            self._lease_renewed = now
