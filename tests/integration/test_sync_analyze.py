"""The sync keeps PostgreSQL's planner statistics of the tables it fills up to date, so that the
look-up of a page's existing rows stays an index look-up however large the table grew (even
with autovacuum off, as on the benchmark's server)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.domain.enums import SyncRunStatus
from hub.store import models as m
from hub.sync.analyze import TableStatistics
from tests.conftest import ScratchDatabases, backend_name
from tests.sync_world import make_store, make_world

pytestmark = pytest.mark.skipif(
    backend_name() != "postgresql", reason="planner statistics are PostgreSQL's"
)


async def analysed(sessionmaker: async_sessionmaker[AsyncSession], table: str) -> int:
    """How many times ANALYZE ran on the table by command (not by autovacuum)."""
    async with sessionmaker() as session:
        count = await session.scalar(
            sa.text("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = :table"),
            {"table": table},
        )
    return int(count or 0)


async def counted_rows(sessionmaker: async_sessionmaker[AsyncSession], table: str) -> float:
    """The rows the table's statistics count (what the planner believes)."""
    async with sessionmaker() as session:
        count = await session.scalar(
            sa.text("SELECT reltuples FROM pg_class WHERE oid = CAST(:table AS regclass)"),
            {"table": table},
        )
    return float(count or 0)


async def test_a_sync_analyses_the_tables_it_fills(scratch: ScratchDatabases) -> None:
    """After a first sync of over a thousand credit records into an empty, never analysed table,
    the table was analysed: the planner no longer plans a page's look-up for an empty table (at
    the benchmark's 100,000 rows that plan read every row of the source for every page)."""
    world = await make_world(scratch, sources=["ordos"], scale=4)
    table = m.EnterpriseCreditRecord.__tablename__
    try:
        assert await analysed(world.sessionmaker, table) == 0
        report = await world.run("ordos")
        assert report.status is SyncRunStatus.SUCCEEDED, report.error
        assert await analysed(world.sessionmaker, table) >= 1
        async with world.sessionmaker() as session:
            ids = list(
                await session.scalars(
                    sa.select(m.EnterpriseCreditRecord.source_id).where(
                        m.EnterpriseCreditRecord.source == "ordos"
                    )
                )
            )
        assert len(ids) > 1000
        # Analysed once the table doubled: at least half of its rows are counted.
        assert await counted_rows(world.sessionmaker, table) >= len(ids) / 2
    finally:
        await world.dispose()


async def test_tables_are_analysed_once_they_doubled(scratch: ScratchDatabases) -> None:
    """A table is analysed when the rows changed since its last ANALYZE pass the threshold, and
    not before; the count restarts from the rows the ANALYZE counted."""
    _, engine, sessionmaker = await make_store(scratch)
    try:
        statistics = TableStatistics(sessionmaker, min_rows=100, share=1.0)
        table = m.EnterpriseCreditRecord.__tablename__
        await statistics.watch([table])
        await statistics.changed([table], 100)
        await statistics.settle()
        assert await analysed(sessionmaker, table) == 0
        await statistics.changed([table], 1)  # starts ANALYZE in the background
        await statistics.settle()
        assert await analysed(sessionmaker, table) == 1
        # The table still holds no row: the next threshold is again 100 rows.
        await statistics.changed([table], 101)
        await statistics.settle()
        assert await analysed(sessionmaker, table) == 2
        assert statistics.analyzed == 2
    finally:
        await engine.dispose()


async def test_stale_statistics_are_refreshed_when_a_stream_starts(
    scratch: ScratchDatabases,
) -> None:
    """Rows written by anything else since the table's last ANALYZE count too: a table whose
    statistics are stale when a stream starts is analysed at once."""
    _, engine, sessionmaker = await make_store(scratch)
    try:
        table = m.Enterprise.__tablename__
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(sa.text(f"ANALYZE {table}"))
        before = await analysed(sessionmaker, table)
        fresh = TableStatistics(sessionmaker, min_rows=1000)
        await fresh.watch([table])
        assert await analysed(sessionmaker, table) == before
        async with engine.connect() as connection:
            # Statistics of a backend reach the others when it goes idle, at most once a second
            # unless forced.
            await connection.execute(sa.text("SELECT pg_stat_force_next_flush()"))
            await connection.execute(sa.text(f"UPDATE {table} SET name = name"))
            await connection.commit()
        stale = TableStatistics(sessionmaker, min_rows=1, share=0.5)
        await stale.watch([table])
        assert await analysed(sessionmaker, table) == before + 1
    finally:
        await engine.dispose()
