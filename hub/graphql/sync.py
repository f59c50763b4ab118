"""GraphQL types of the sync engine: sources, runs, quarantine and reconciliation (R6, R7, R1)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from hub.domain.access import Permission
from hub.domain.sources import Source
from hub.errors import HubError
from hub.graphql.context import Info
from hub.graphql.enums import ReconciliationStatus, SyncRunStatus
from hub.graphql.permissions import require
from hub.graphql.relay import AFTER, DEFAULT_PAGE_SIZE, FIRST, Connection, Node, paginate
from hub.services import sync
from hub.store import sync_models as s

if TYPE_CHECKING:
    from hub.graphql.compounds import CompoundType
    from hub.sync.manager import SyncManager

Compound = Annotated["CompoundType", strawberry.lazy("hub.graphql.compounds")]


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
    def from_model(cls, row: s.SyncRun) -> SyncRunType:
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
    def from_model(cls, row: s.SyncStreamState) -> SyncStreamType:
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
    def from_model(cls, row: s.QuarantinedRecord) -> QuarantinedRecordType:
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
    async def compound(self, info: Info) -> Compound | None:
        from hub.graphql.compounds import CompoundType

        if self.compound_id is None:
            return None
        row = await info.context.loaders.compound.load(self.compound_id)
        return CompoundType.from_model(row) if row else None

    @classmethod
    def from_model(cls, row: s.ReconciliationItem) -> ReconciliationItemType:
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


@strawberry.type(description="The sync root fields; merged into Query.")
class SyncQuery:
    @strawberry.field(description="Every configured upstream source, with its streams and health.")
    async def sync_sources(self, info: Info) -> list[SyncSourceType]:
        require(info, Permission.READ_SYNC, what="syncSources")
        manager = _manager(info)
        names = sorted(manager.sources)
        states = await info.context.db.run(lambda session: sync.source_states(session, names))
        now = info.context.now
        result = []
        for state in states:
            source = manager.sources[state.name]
            breaker = manager.breaker(state.name)
            last = state.last_success_at
            lag = (now - last).total_seconds() if last else None
            result.append(
                SyncSourceType(
                    name=state.name,
                    kind=source.kind,
                    label=source_label(state.name),
                    enabled=source.enabled,
                    schedule=source.schedule,
                    max_age_hours=source.max_age_hours,
                    last_success_at=last,
                    lag_seconds=round(lag, 3) if lag is not None else None,
                    stale=lag is None or lag > source.max_age_hours * 3600,
                    running=manager.running(state.name),
                    breaker=CircuitBreakerType(
                        state=breaker.state,
                        consecutive_failures=breaker.consecutive_failures,
                        opened_at=breaker.opened_at,
                        retry_at=breaker.retry_at,
                    ),
                    streams=[SyncStreamType.from_model(row) for row in state.streams],
                    last_run=SyncRunType.from_model(state.last_run) if state.last_run else None,
                )
            )
        return result

    @strawberry.field(description="Sync runs, newest first, of one source or of all.")
    async def sync_runs(
        self,
        info: Info,
        source: Annotated[str | None, strawberry.argument(description="Only this source.")] = None,
        first: Annotated[int, FIRST] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[SyncRunType]:
        require(info, Permission.READ_SYNC, what="syncRuns")
        return await paginate(
            info.context.db,
            sync.select_runs(source),
            ordering=sync.RUN_ORDER,
            first=first,
            after=after,
            to_node=SyncRunType.from_model,
        )

    @strawberry.field(description="Quarantined upstream records, newest first (隔离区).")
    async def quarantine(
        self,
        info: Info,
        source: Annotated[str | None, strawberry.argument(description="Only this source.")] = None,
        first: Annotated[int, FIRST] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[QuarantinedRecordType]:
        require(info, Permission.READ_SYNC, what="quarantine")
        return await paginate(
            info.context.db,
            sync.select_quarantine(source),
            ordering=sync.QUARANTINE_ORDER,
            first=first,
            after=after,
            to_node=QuarantinedRecordType.from_model,
        )

    @strawberry.field(description="The reconciliation queue (对账), oldest first.")
    async def reconciliation(
        self,
        info: Info,
        status: Annotated[
            ReconciliationStatus | None, strawberry.argument(description="Only in this state.")
        ] = None,
        first: Annotated[int, FIRST] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[ReconciliationItemType]:
        require(info, Permission.READ_SYNC, what="reconciliation")
        return await paginate(
            info.context.db,
            sync.select_reconciliation(status),
            ordering=sync.RECONCILIATION_ORDER,
            first=first,
            after=after,
            to_node=ReconciliationItemType.from_model,
        )


def _manager(info: Info) -> SyncManager:
    if info.context.sync is None:
        raise HubError("the sync manager is not running in this process")
    return info.context.sync
