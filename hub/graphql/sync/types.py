"""GraphQL types of the sync engine: sources, runs, quarantine and reconciliation (R6, R7, R1)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from hub.domain.sources import Source
from hub.graphql.compounds.types import CompoundType
from hub.graphql.context import Info
from hub.graphql.enums import ReconciliationStatus, SyncRunStatus
from hub.graphql.relay import Node
from hub.store import models as m


def source_label(name: str) -> str:
    """Chinese name of a source, for display."""
    try:
        return Source(name.split(":", 1)[0]).label
    except ValueError:
        return name


@strawberry.type(name="SyncRun", description="One run of the sync of a source (同步记录).")
class SyncRunType(Node):
    source: str = strawberry.field(description="Source name (`ordos`, `tender`, `utility:…`).")
    status: SyncRunStatus = strawberry.field(description="Running, succeeded, partial or failed.")
    full: bool = strawberry.field(description="A full pull with reconciliation of deletions.")
    trigger: str = strawberry.field(description="What started it: schedule, cli, graphql.")
    started_at: datetime = strawberry.field(description="Start (UTC).")
    finished_at: datetime | None = strawberry.field(description="End (UTC); null while running.")
    window_upper: datetime = strawberry.field(
        description="Upper bound of the run's windows, fixed at its start."
    )
    fetched: int = strawberry.field(description="Records received from the upstream.")
    inserted: int = strawberry.field(description="New records written.")
    updated: int = strawberry.field(description="Changed records written.")
    unchanged: int = strawberry.field(description="Records received but not written (same).")
    quarantined: int = strawberry.field(description="Invalid records put in quarantine.")
    deleted: int = strawberry.field(description="Records marked deleted.")
    reconciliation: int = strawberry.field(
        description="Records waiting in the reconciliation queue (unknown compound)."
    )
    retries: int = strawberry.field(description="HTTP requests retried.")
    rate_limited: int = strawberry.field(description="Answers 429 (rate limited) received.")
    error: str | None = strawberry.field(description="Why the run failed or stopped early.")

    @strawberry.field(description="Duration in seconds (so far, while running).")
    def duration_seconds(self, info: Info) -> float:
        end = self.finished_at or info.context.now
        return round((end - self.started_at).total_seconds(), 3)

    @classmethod
    def from_model(cls, row: m.SyncRun) -> SyncRunType:
        return cls(
            db_id=row.id,
            source=row.source,
            status=row.status,
            full=row.full,
            trigger=row.trigger,
            started_at=row.started_at,
            finished_at=row.finished_at,
            window_upper=row.window_upper,
            fetched=row.fetched,
            inserted=row.inserted,
            updated=row.updated,
            unchanged=row.unchanged,
            quarantined=row.quarantined,
            deleted=row.deleted,
            reconciliation=row.reconciliation,
            retries=row.retries,
            rate_limited=row.rate_limited,
            error=row.error,
        )


@strawberry.type(name="SyncStream", description="The state of one stream of a source.")
class SyncStreamType:
    name: str = strawberry.field(description="Stream name, e.g. `enterprises`, `tenders`.")
    watermark: datetime | None = strawberry.field(
        description="Everything changed before this time (minus the lookback) has been synced."
    )
    last_success_at: datetime | None = strawberry.field(
        description="When a window of the stream last completed."
    )
    last_error: str | None = strawberry.field(description="The last error, until a success.")
    records: int = strawberry.field(description="Live records of the stream in the store.")
    in_progress: bool = strawberry.field(
        description="A window was started and not finished (a run is going or stopped in it)."
    )

    @classmethod
    def from_model(cls, row: m.SyncStreamState) -> SyncStreamType:
        return cls(
            name=row.stream,
            watermark=row.watermark,
            last_success_at=row.last_success_at,
            last_error=row.last_error,
            records=row.records,
            in_progress=row.window_upper is not None,
        )


@strawberry.type(
    name="CircuitBreaker",
    description="The circuit breaker of an upstream in this hub process: open means calls are "
    "refused without being sent until the retry time.",
)
class CircuitBreakerType:
    state: str = strawberry.field(description="closed, open or half_open.")
    consecutive_failures: int = strawberry.field(description="Failures in a row.")
    opened_at: datetime | None = strawberry.field(description="When it opened.")
    retry_at: datetime | None = strawberry.field(description="When a probe call may go.")


@strawberry.type(name="SyncSource", description="An upstream platform the hub syncs from (数据源).")
class SyncSourceType:
    name: str = strawberry.field(description="Source name (`ordos`, `tender`, `utility:…`).")
    kind: str = strawberry.field(description="Connector kind: ordos, tender or utility.")
    label: str = strawberry.field(description="Chinese name of the platform.")
    enabled: bool = strawberry.field(description="Synced on its schedule.")
    schedule: str = strawberry.field(description="Cron expression of the scheduled syncs (UTC).")
    max_age_hours: float = strawberry.field(description="Older data is reported stale.")
    last_success_at: datetime | None = strawberry.field(
        description="When all its streams last completed (the oldest of their successes)."
    )
    lag_seconds: float | None = strawberry.field(
        description="Seconds since lastSuccessAt; null if it never completed."
    )
    stale: bool = strawberry.field(description="lagSeconds is over maxAgeHours, or it never ran.")
    running: bool = strawberry.field(description="This hub process is running a sync of it.")
    breaker: CircuitBreakerType = strawberry.field(description="Its circuit breaker.")
    streams: list[SyncStreamType] = strawberry.field(description="Its streams, in sync order.")
    last_run: SyncRunType | None = strawberry.field(description="Its latest run.")


@strawberry.type(
    name="QuarantinedRecord",
    description="An upstream record refused by validation or mapping, kept with its payload.",
)
class QuarantinedRecordType(Node):
    source: str = strawberry.field(description="Source name.")
    stream: str = strawberry.field(description="Stream name.")
    source_id: str | None = strawberry.field(description="The record's id upstream, if known.")
    reason: str = strawberry.field(description="Why it was refused.")
    payload: JSON = strawberry.field(description="The record as the upstream sent it.")
    created_at: datetime = strawberry.field(description="When it was quarantined.")

    @classmethod
    def from_model(cls, row: m.QuarantinedRecord) -> QuarantinedRecordType:
        return cls(
            db_id=row.id,
            source=row.source,
            stream=row.stream,
            source_id=row.source_id,
            reason=row.reason,
            payload=row.payload,
            created_at=row.created_at,
        )


@strawberry.type(
    name="ReconciliationItem",
    description="An upstream record naming a compound the hub could not match (对账): link it to "
    "an existing compound or create the compound with `reconciliationResolve`.",
)
class ReconciliationItemType(Node):
    source: str = strawberry.field(description="Source name.")
    stream: str = strawberry.field(description="Stream name.")
    entity: str = strawberry.field(description="Kind of record, e.g. service_contract.")
    source_id: str = strawberry.field(description="The record's id upstream.")
    town_code: str = strawberry.field(description="Town the upstream says the compound is in.")
    compound_name: str = strawberry.field(description="Compound name as the upstream wrote it.")
    status: ReconciliationStatus = strawberry.field(description="Open, linked or created.")
    payload: JSON = strawberry.field(description="The record as the upstream sent it.")
    created_at: datetime = strawberry.field(description="When it was queued.")
    resolved_at: datetime | None = strawberry.field(description="When it was resolved.")
    resolved_by: str | None = strawberry.field(description="Who resolved it.")
    compound_id: strawberry.Private[int | None]

    @strawberry.field(description="The compound it was linked to or created as.")
    async def compound(self, info: Info) -> CompoundType | None:
        if self.compound_id is None:
            return None
        row = await info.context.loaders.compound.load(self.compound_id)
        return CompoundType.from_model(row) if row else None

    @classmethod
    def from_model(cls, row: m.ReconciliationItem) -> ReconciliationItemType:
        return cls(
            db_id=row.id,
            source=row.source,
            stream=row.stream,
            entity=row.entity,
            source_id=row.source_id,
            town_code=row.town_code,
            compound_name=row.compound_name,
            status=row.status,
            payload=row.payload,
            created_at=row.created_at,
            resolved_at=row.resolved_at,
            resolved_by=row.resolved_by,
            compound_id=row.compound_id,
        )
