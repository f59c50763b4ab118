"""What a sync run is asked to do and what it reports: options, progress and the counts per
stream, used by the engine (``hub.sync.engine``), the manager, the ``hub sync`` command, the
metrics and the GraphQL sync fields.

The manager hands what happened to whoever wired it, through two interfaces rather than imports
of the layers above (the sync layer stands below the services and the observability):
``RunReporter`` hears how each run ended (the app wires ``hub.observability``'s metrics hook),
``AfterSync`` runs in a transaction once background runs have changed the store (the app wires
the evaluation of the compliance findings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.enums import SyncRunStatus
from hub.sync.apply import Outcome


@dataclass(frozen=True, slots=True)
class SyncOptions:
    """How a run behaves; defaults come from the source's settings."""

    lookback: timedelta = timedelta(minutes=10)
    quarantine_threshold: float = 0.05
    max_passes: int = 3
    full: bool = False
    trigger: str = "cli"


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a run stands, for progress bars."""

    stream: str
    fetched: int
    total: int | None


@dataclass
class StreamReport:
    """What a run did for one stream."""

    stream: str
    outcome: Outcome = field(default_factory=Outcome)
    fetched: int = 0
    retries: int = 0
    rate_limited: int = 0
    passes: int = 0
    complete: bool = False


@dataclass
class RunReport:
    """What a run did."""

    run_id: int
    source: str
    status: SyncRunStatus = SyncRunStatus.RUNNING
    streams: list[StreamReport] = field(default_factory=list)
    error: str | None = None

    def total(self, name: str) -> int:
        if name in {"fetched", "retries", "rate_limited"}:
            return sum(getattr(s, name) for s in self.streams)
        return sum(getattr(s.outcome, name) for s in self.streams)


class RunReporter(Protocol):
    """Hears each run of a source that ended: with its report, or without one and a ``result``
    (``BUSY`` when another run held the source, ``CANCELLED`` when stopped, ``ERROR`` when it
    raised)."""

    def __call__(
        self, source: str, report: RunReport | None, *, result: str | None = None
    ) -> None: ...


class AfterSync(Protocol):
    """Work that follows synced data, in the transaction the manager opens for it."""

    async def __call__(self, session: AsyncSession, *, now: datetime) -> object: ...
