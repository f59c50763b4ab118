"""What the engine stores about its work: the row of each run, with its counters, and the state
of each stream, with its watermark and its checkpoint.

A run's row is opened when the run starts and closed with its outcome; its counters are saved as
the run goes (``save_counts``) for people watching. A stream's row says how far the stream was
synced (``watermark``) and, while a window is being read, where that read stands (the window, the
next page's token, the upstream's total): the checkpoint from which a stopped run resumes.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.domain.enums import SyncRunStatus
from hub.store.models import SyncRun, SyncStreamState
from hub.sync.reports import RunReport, SyncOptions

COUNTERS = (
    "fetched",
    "inserted",
    "updated",
    "unchanged",
    "quarantined",
    "deleted",
    "reconciliation",
    "retries",
    "rate_limited",
)
"""The counters of a run's row, as ``RunReport.total`` adds them up."""


async def open_run(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    source: str,
    options: SyncOptions,
    started: datetime,
) -> tuple[int, datetime]:
    """Record the start of a run of the source; its id and the upper bound of its windows.

    The caller holds the source's lease, so a run of it still RUNNING died with its process: it
    is closed as FAILED, its progress kept. The upper bound never goes backwards, even if the
    clock does.
    """
    async with sessionmaker() as session, session.begin():
        await session.execute(
            sa.update(SyncRun)
            .where(SyncRun.source == source, SyncRun.status == SyncRunStatus.RUNNING)
            .values(
                status=SyncRunStatus.FAILED,
                finished_at=started,
                error="interrupted: the process running it stopped; its progress is kept",
            )
        )
        last_upper = await session.scalar(
            sa.select(sa.func.max(SyncStreamState.watermark)).where(
                SyncStreamState.source == source
            )
        )
        upper = max(started, last_upper) if last_upper else started
        run = SyncRun(
            source=source,
            status=SyncRunStatus.RUNNING,
            full=options.full,
            trigger=options.trigger,
            started_at=started,
            window_upper=upper,
        )
        session.add(run)
        await session.flush()
        return run.id, upper


async def save_counts(session: AsyncSession, report: RunReport) -> None:
    """Write the run's counters so far onto its row (in the caller's transaction)."""
    await session.execute(
        sa.update(SyncRun)
        .where(SyncRun.id == report.run_id)
        .values({name: report.total(name) for name in COUNTERS})
    )


async def finish_run(
    sessionmaker: async_sessionmaker[AsyncSession], report: RunReport, *, now: datetime
) -> None:
    """Close the run's row with its counters, status and error."""
    async with sessionmaker() as session, session.begin():
        await save_counts(session, report)
        await session.execute(
            sa.update(SyncRun)
            .where(SyncRun.id == report.run_id)
            .values(
                status=report.status,
                finished_at=now,
                error=report.error[:500] if report.error else None,
            )
        )


async def stream_state(
    sessionmaker: async_sessionmaker[AsyncSession], *, source: str, stream: str
) -> SyncStreamState:
    """The stored state of a stream, created (never synced) on first use."""
    async with sessionmaker() as session, session.begin():
        state = await session.scalar(
            sa.select(SyncStreamState).where(
                SyncStreamState.source == source, SyncStreamState.stream == stream
            )
        )
        if state is None:
            state = SyncStreamState(source=source, stream=stream, records=0)
            session.add(state)
            await session.flush()
        return state


def update_stream(source: str, stream: str) -> sa.Update:
    """An UPDATE of the stream's state row; the caller adds the values."""
    return sa.update(SyncStreamState).where(
        SyncStreamState.source == source, SyncStreamState.stream == stream
    )


async def note_error(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    source: str,
    stream: str,
    message: str,
    now: datetime,
) -> None:
    """Keep the stream's last error (until its next success)."""
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update_stream(source, stream).values(last_error=message[:500], updated_at=now)
        )
