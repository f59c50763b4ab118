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
ANALYZEd as they grow (``hub.sync.statistics``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from contextlib import aclosing
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from connectors.core import (
    Connector,
    InvalidRecord,
    MappedRecord,
    PageToken,
    StreamSpec,
    Tombstone,
    Window,
)
from connectors.errors import UpstreamUnavailable as ConnectorUnavailable
from connectors.http import UpstreamClient, iter_pages
from hub.domain.enums import SyncRunStatus
from hub.errors import HubError, UpstreamPaused, UpstreamUnavailable
from hub.store.base import utcnow
from hub.store.sync_models import QuarantinedRecord, SyncRun, SyncStreamState
from hub.sync.lease import DEFAULT_TTL, Lease
from hub.sync.pages import ParsedPage, decode_token, encode_token, read_ahead
from hub.sync.reports import Progress, RunReport, StreamReport, SyncOptions
from hub.sync.sinks import ENTITY_MODELS, Outcome, Resolver, among, apply_page, tables_of
from hub.sync.statistics import TableStatistics
from hub.sync.translate import upstream_error

logger = logging.getLogger("hub.sync")

QUARANTINE_MIN_SAMPLE = 50
"""Records a window must hold before its share of invalid records can fail the stream."""
COUNTS_EVERY = timedelta(seconds=5)
"""How often, at most, a page's transaction also saves the run's counters."""
PARSE_SLICE = 100
"""Records parsed between two turns of the event loop (a page of 1,000 takes ~15 ms)."""


class QuarantineThresholdExceeded(HubError):
    """Too large a share of a stream's records was invalid: the upstream is probably broken."""


class WindowInconsistent(HubError):
    """A window's records kept moving while it was paged; it will be read again next run."""


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
        self.lease = Lease(sessionmaker, self.source)
        self._lease_renewed = clock()
        self.statistics = TableStatistics(sessionmaker)
        self._counts_saved: datetime | None = None
        # Streams of the source with open quarantine entries (read once per run): clean pages
        # of the other streams then need no quarantine statement at all.
        self._quarantined_streams: set[str] | None = None

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
        started = self.clock()
        async with self.sessionmaker() as session, session.begin():
            # We hold the lease: a run of this source still RUNNING died with its process.
            await session.execute(
                sa.update(SyncRun)
                .where(SyncRun.source == self.source, SyncRun.status == SyncRunStatus.RUNNING)
                .values(
                    status=SyncRunStatus.FAILED,
                    finished_at=started,
                    error="interrupted: the process running it stopped; its progress is kept",
                )
            )
            last_upper = await session.scalar(
                sa.select(sa.func.max(SyncStreamState.watermark)).where(
                    SyncStreamState.source == self.source
                )
            )
            # The upper bound never goes backwards, even if the clock does.
            upper = max(started, last_upper) if last_upper else started
            run = SyncRun(
                source=self.source,
                status=SyncRunStatus.RUNNING,
                full=self.options.full,
                trigger=self.options.trigger,
                started_at=started,
                window_upper=upper,
            )
            session.add(run)
            await session.flush()
            run_id = run.id
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
            await self._finish(report)
        return report

    async def _sync_stream(
        self, stream: StreamSpec, upper: datetime, report: RunReport, stream_report: StreamReport
    ) -> None:
        state = await self._state(stream)
        await self.statistics.watch(self._tables(stream))
        windows: list[tuple[Window, PageToken, int | None]] = []
        if state.window_upper is not None:
            # A run stopped inside this window: finish it from its last checkpoint.
            windows.append(
                (
                    Window(lower=state.window_lower, upper=state.window_upper),
                    decode_token(state.next_token),
                    state.window_total,
                )
            )
        watermark = state.watermark
        if state.window_upper is not None:
            watermark = max(watermark, state.window_upper) if watermark else state.window_upper
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
            async with (
                self._page_sessions() as sessions,
                aclosing(read_ahead(self._pages(stream, window, token))) as pages,
            ):
                async for parsed in pages:
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
        # Judged over a whole window read in this run, and only over enough records: a resumed
        # window's tail, or a small incremental window holding one bad record, says nothing
        # about the upstream as a whole (and would fail the stream on every run).
        fetched, quarantined = pass_fetched, seen.quarantined
        share = quarantined / fetched if fetched else 0.0
        judged = fetched >= QUARANTINE_MIN_SAMPLE and token is None
        if judged and share > self.options.quarantine_threshold:
            raise QuarantineThresholdExceeded(
                f"{stream.name}: {quarantined} of {fetched} records "
                f"({share:.0%}) were invalid, more than the threshold "
                f"{self.options.quarantine_threshold:.0%}; the watermark was not advanced"
            )
        await self._complete_window(stream, window, seen, report, stream_report)

    async def _pages(
        self, stream: StreamSpec, window: Window, token: PageToken
    ) -> AsyncGenerator[ParsedPage, None]:
        """The window's pages from ``token`` on, each with its records parsed; a connector's
        failure comes out as the hub's (``hub.sync.translate.upstream_error``)."""
        try:
            async with aclosing(iter_pages(self.client, stream, window, token)) as pages:
                async for page in pages:
                    items: list[MappedRecord | Tombstone] = []
                    invalid: list[tuple[Mapping[str, Any], InvalidRecord]] = []
                    raw_by_id: dict[str, Mapping[str, Any]] = {}
                    for number, raw in enumerate(page.records, 1):
                        if number % PARSE_SLICE == 0:
                            # Let the page being written go on: its next statement waits for us.
                            await asyncio.sleep(0)
                        try:
                            item = self.connector.parse(stream, raw)
                        except InvalidRecord as exc:
                            invalid.append((raw, exc))
                            continue
                        items.append(item)
                        raw_by_id[item.source_id] = raw
                    yield ParsedPage(page, items, invalid, raw_by_id)
        except ConnectorUnavailable as exc:
            raise upstream_error(exc) from exc

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
            await self._quarantine(
                session,
                stream,
                invalid + unresolved,
                valid=[sid for sid in raw_by_id if sid not in refused],
                now=now,
            )
            outcome.quarantined += len(invalid)
            if invalid or unresolved:
                await session.flush()  # the entries just added must be in the table
                await session.execute(
                    sa.update(QuarantinedRecord)
                    .where(
                        QuarantinedRecord.run_id.is_(None), QuarantinedRecord.source == self.source
                    )
                    .values(run_id=report.run_id)
                )
            # The checkpoint: this page is done, the next one is ``next_token``.
            await session.execute(
                self._state_update(stream).values(
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
        async with self.sessionmaker() as session:
            entries = (
                await session.scalars(
                    sa.select(QuarantinedRecord)
                    .where(
                        QuarantinedRecord.source == self.source,
                        QuarantinedRecord.resolved_at.is_(None),
                        QuarantinedRecord.reason.startswith("unresolved reference"),
                    )
                    .order_by(QuarantinedRecord.id)
                )
            ).all()
        for entry in entries:
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
                await session.execute(
                    sa.update(QuarantinedRecord)
                    .where(QuarantinedRecord.id == entry.id)
                    .values(resolved_at=now, updated_at=now)
                )
                stream_report = next(s for s in report.streams if s.stream == stream.name)
                outcome.quarantined = 0
                stream_report.outcome.add(outcome)
                await self._save_counts(session, report)

    async def _quarantine(
        self,
        session: AsyncSession,
        stream: StreamSpec,
        invalid: list[tuple[Mapping[str, Any], InvalidRecord]],
        *,
        valid: list[str],
        now: datetime,
    ) -> None:
        """Keep one open quarantine entry per upstream record: a record refused again updates
        its entry; a record that now arrives valid closes it."""
        open_entries = QuarantinedRecord.resolved_at.is_(None)
        mine = (QuarantinedRecord.source == self.source, QuarantinedRecord.stream == stream.name)
        if self._quarantined_streams is None:
            self._quarantined_streams = set(
                await session.scalars(
                    sa.select(QuarantinedRecord.stream)
                    .where(QuarantinedRecord.source == self.source, open_entries)
                    .distinct()
                )
            )
        if invalid:
            self._quarantined_streams.add(stream.name)
        if valid and stream.name in self._quarantined_streams:
            await session.execute(
                sa.update(QuarantinedRecord)
                .where(*mine, open_entries, among(session, QuarantinedRecord.source_id, valid))
                .values(resolved_at=now, updated_at=now)
            )
        if not invalid:
            return
        ids = [error.source_id for _, error in invalid if error.source_id]
        existing = {
            row.source_id: row
            for row in await session.scalars(
                sa.select(QuarantinedRecord).where(
                    *mine, open_entries, QuarantinedRecord.source_id.in_(ids)
                )
            )
        }
        for raw, error in invalid:
            entry = existing.get(error.source_id) if error.source_id else None
            if entry is None:
                entry = QuarantinedRecord(
                    source=self.source, stream=stream.name, source_id=error.source_id
                )
                session.add(entry)
                if error.source_id:
                    existing[error.source_id] = entry
            entry.payload, entry.reason, entry.run_id = dict(raw), error.reason, None

    async def _complete_window(
        self,
        stream: StreamSpec,
        window: Window,
        seen: Outcome,
        report: RunReport,
        stream_report: StreamReport,
    ) -> None:
        now = self.clock()
        async with self.sessionmaker() as session, session.begin():
            if window.lower is None and self.options.full:
                stream_report.outcome.deleted += await self._mark_unseen_deleted(
                    session, stream, seen, now
                )
            count = 0
            for entity in stream.entities or tuple(seen.seen):
                model: Any = ENTITY_MODELS[entity]
                count += int(
                    await session.scalar(
                        sa.select(sa.func.count()).where(
                            model.source == self.source, model.deleted_at.is_(None)
                        )
                    )
                    or 0
                )
            await session.execute(
                self._state_update(stream).values(
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

    async def _mark_unseen_deleted(
        self, session: AsyncSession, stream: StreamSpec, seen: Outcome, now: datetime
    ) -> int:
        """Full reconciliation: what the upstream no longer lists was deleted there."""
        deleted = 0
        for entity in stream.entities or tuple(seen.seen):
            model: Any = ENTITY_MODELS[entity]
            present = seen.seen.get(entity, set())
            rows = (
                await session.execute(
                    sa.select(model.id, model.source_id).where(
                        model.source == self.source, model.deleted_at.is_(None)
                    )
                )
            ).all()
            gone = [row_id for row_id, source_id in rows if source_id not in present]
            for start in range(0, len(gone), 500):
                await session.execute(
                    sa.update(model)
                    .where(model.id.in_(gone[start : start + 500]))
                    .values(deleted_at=now, updated_at=now)
                )
            deleted += len(gone)
        return deleted

    async def _state(self, stream: StreamSpec) -> SyncStreamState:
        async with self.sessionmaker() as session, session.begin():
            state = await session.scalar(
                sa.select(SyncStreamState).where(
                    SyncStreamState.source == self.source,
                    SyncStreamState.stream == stream.name,
                )
            )
            if state is None:
                state = SyncStreamState(source=self.source, stream=stream.name, records=0)
                session.add(state)
                await session.flush()
            return state

    def _state_update(self, stream: StreamSpec) -> sa.Update:
        return sa.update(SyncStreamState).where(
            SyncStreamState.source == self.source, SyncStreamState.stream == stream.name
        )

    async def _note_error(self, stream: StreamSpec, message: str) -> None:
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                self._state_update(stream).values(last_error=message[:500], updated_at=self.clock())
            )

    async def _save_counts(self, session: AsyncSession, report: RunReport) -> None:
        self._counts_saved = self.clock()
        await session.execute(
            sa.update(SyncRun)
            .where(SyncRun.id == report.run_id)
            .values(
                fetched=report.total("fetched"),
                inserted=report.total("inserted"),
                updated=report.total("updated"),
                unchanged=report.total("unchanged"),
                quarantined=report.total("quarantined"),
                deleted=report.total("deleted"),
                reconciliation=report.total("reconciliation"),
                retries=report.total("retries"),
                rate_limited=report.total("rate_limited"),
            )
        )

    async def _finish(self, report: RunReport) -> None:
        async with self.sessionmaker() as session, session.begin():
            await self._save_counts(session, report)
            await session.execute(
                sa.update(SyncRun)
                .where(SyncRun.id == report.run_id)
                .values(
                    status=report.status,
                    finished_at=self.clock(),
                    error=report.error[:500] if report.error else None,
                )
            )

    async def _renew_lease(self) -> None:
        now = self.clock()
        if now - self._lease_renewed > DEFAULT_TTL / 3:
            await self.lease.renew()
            self._lease_renewed = now
