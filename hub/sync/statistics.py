"""Keeping PostgreSQL's planner statistics of the tables a sync fills up to date.

The planner chooses its plans from each table's statistics (how many rows, how its values
spread), which ANALYZE refreshes. Autovacuum runs ANALYZE once a table has changed enough — when
it is on, and up to a minute late. A sync that fills a table must not wait for it: planned with
the statistics of the empty table, the look-up of a page's existing rows (``hub.sync.sinks``)
reads every row of the source instead of one index entry per record, and the sync turns
quadratic (docs/performance.md, M3: 233 rows/s instead of thousands on a server with autovacuum
off). So the engine ANALYZEs a table itself once the rows changed since its last ANALYZE pass
autovacuum's own threshold, ``MIN_ROWS + SHARE × rows``. SQLite needs none of this: its planner
uses the unique (source, source id) index without statistics.

``TableStatistics`` is owned by one ``SyncRunner``; it works in its own short transactions so that
a page's transaction holds no lock for it.
"""

from __future__ import annotations

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
        await self._analyze_stale(new)

    async def changed(self, tables: Iterable[str], rows: int) -> None:
        """Note that ``rows`` rows of each table changed (committed); ANALYZE the stale ones."""
        if rows <= 0 or not self._enabled:
            return
        names = [name for name in tables if name in self._tables]
        for name in names:
            self._tables[name].changed += rows
        await self._analyze_stale(names)

    async def _analyze_stale(self, names: Iterable[str]) -> None:
        stale = [
            name
            for name in names
            if self._tables[name].changed > self.min_rows + self.share * self._tables[name].rows
        ]
        if not stale:
            return
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
                self._tables[name] = _Table(rows=max(float(reltuples), 0.0), changed=0)
        logger.debug("analysed %s", ", ".join(stale))

    async def _is_postgresql(self) -> bool:
        if self._enabled is None:
            async with self._sessionmaker() as session:
                self._enabled = session.get_bind().dialect.name == "postgresql"
        return self._enabled
