"""Keeping PostgreSQL's planner statistics of the tables a sync fills up to date.

The planner chooses its plans from each table's statistics (how many rows, how its values
spread), which ANALYZE refreshes. Autovacuum runs ANALYZE once a table has changed enough — when
it is on, and up to a minute late. A sync that fills a table must not wait for it: planned with
the statistics of the empty table, the look-up of a page's existing rows (``hub.sync.apply``)
reads every row of the source instead of one index entry per record, and the sync turns
quadratic (docs/performance.md, M3: 233 rows/s instead of thousands on a server with autovacuum
off). So the engine ANALYZEs a table itself once the rows changed since its last ANALYZE pass
autovacuum's own threshold, ``MIN_ROWS + SHARE × rows``. SQLite needs none of this: its planner
uses the unique (source, source id) index without statistics.

``TableStatistics`` is owned by one ``SyncRunner``; it works in its own short transactions so that
a page's transaction holds no lock for it. A table that grew while the run goes on is analysed in
the background, beside the next pages' writes (ANALYZE does not block them); one whose statistics
are stale when a stream starts is analysed before the stream's first page.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

logger = logging.getLogger("hub.sync")

MIN_ROWS = 1000
"""Changed rows that always justify an ANALYZE (autovacuum's ``analyze_threshold`` is 50)."""
SHARE = 1.0
"""…plus this share of the rows the statistics counted (autovacuum's scale factor is 0.1)."""


@dataclass(slots=True)
class _Table:
    rows: float
    """Rows counted by the table's last ANALYZE (0 when never analysed)."""
    changed: int
    """Rows changed since then, as far as we know."""


class TableStatistics:
    """ANALYZE the tables a run writes whenever they changed a lot (PostgreSQL only)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        min_rows: int = MIN_ROWS,
        share: float = SHARE,
    ) -> None:
        self._sessionmaker = sessionmaker
        self.min_rows = min_rows
        self.share = share
        self._tables: dict[str, _Table] = {}
        self._enabled: bool | None = None
        self._running: asyncio.Task[None] | None = None
        self.analyzed = 0
        """ANALYZE statements run so far."""

    def __repr__(self) -> str:
        return f"<TableStatistics tables={sorted(self._tables)} analyzed={self.analyzed}>"

    async def watch(self, tables: Iterable[str]) -> None:
        """Start following tables (at the start of a stream): those whose statistics are
        already stale — changed since their last ANALYZE by more than the threshold, by this
        hub or anything else — are analysed at once."""
        if not await self._is_postgresql():
            return
        new = [name for name in tables if name not in self._tables]
        if not new:
            return
        async with self._sessionmaker() as session, session.begin():
            rows = await session.execute(
                sa.text(
                    "SELECT c.relname, c.reltuples, coalesce(s.n_mod_since_analyze, 0) "
                    "FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
                    "WHERE c.oid = ANY(CAST(:names AS regclass[]))"
                ),
                {"names": new},
            )
            for name, reltuples, changed in rows.all():
                self._tables[name] = _Table(rows=max(float(reltuples), 0.0), changed=int(changed))
        stale = self._stale(new)
        if stale:
            await self.settle()
            await self._analyze(stale)

    async def changed(self, tables: Iterable[str], rows: int) -> None:
        """Note that ``rows`` rows of each table changed (committed); start analysing the stale
        ones in the background unless an ANALYZE is running already."""
        if rows <= 0 or not self._enabled:
            return
        names = [name for name in tables if name in self._tables]
        for name in names:
            self._tables[name].changed += rows
        stale = self._stale(names)
        if stale and (self._running is None or self._running.done()):
            await self.settle()  # collects the finished one
            self._running = asyncio.create_task(self._analyze(stale))

    async def settle(self) -> None:
        """Wait for the ANALYZE running in the background, if any (at the end of a stream)."""
        running, self._running = self._running, None
        if running is not None:
            await running

    def _stale(self, names: Iterable[str]) -> list[str]:
        return [
            name
            for name in names
            if self._tables[name].changed > self.min_rows + self.share * self._tables[name].rows
        ]

    async def _analyze(self, stale: list[str]) -> None:
        for name in stale:
            self._tables[name].changed = 0  # counted from now on; ANALYZE sees what is committed
        try:
            await self._analyze_now(stale)
        except Exception:
            # Fresh statistics make the sync faster; their absence must not fail it.
            logger.warning("could not analyse %s", ", ".join(stale), exc_info=True)

    async def _analyze_now(self, stale: list[str]) -> None:
        async with self._sessionmaker() as session, session.begin():
            for name in stale:
                # Table names come from the store's models, never from input.
                await session.execute(sa.text(f'ANALYZE "{name}"'))
                self.analyzed += 1
            rows = await session.execute(
                sa.text(
                    "SELECT relname, reltuples FROM pg_class "
                    "WHERE oid = ANY(CAST(:names AS regclass[]))"
                ),
                {"names": stale},
            )
            for name, reltuples in rows.all():
                self._tables[name].rows = max(float(reltuples), 0.0)
        logger.debug("analysed %s", ", ".join(stale))

    async def _is_postgresql(self) -> bool:
        if self._enabled is None:
            async with self._sessionmaker() as session:
                self._enabled = session.get_bind().dialect.name == "postgresql"
        return self._enabled
