"""What a sync run is asked to do and what it reports: options, progress and the counts per
stream, used by the engine (``hub.sync.engine``), the manager, the ``hub sync`` command, the
metrics and the GraphQL sync fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from hub.domain.enums import SyncRunStatus
from hub.sync.sinks import Outcome


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
