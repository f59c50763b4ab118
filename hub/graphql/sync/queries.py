"""The sync root fields: ``syncSources``, ``syncRuns``, ``quarantine`` and ``reconciliation``."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.domain.access import Permission
from hub.domain.staleness import is_stale
from hub.errors import HubError
from hub.graphql.context import Info
from hub.graphql.enums import ReconciliationStatus
from hub.graphql.permissions import require
from hub.graphql.relay import AFTER, DEFAULT_PAGE_SIZE, FIRST, Connection, paginate
from hub.graphql.sync.types import (
    CircuitBreakerType,
    QuarantinedRecordType,
    ReconciliationItemType,
    SyncRunType,
    SyncSourceType,
    SyncStreamType,
    source_label,
)
from hub.services import sync

if TYPE_CHECKING:
    from hub.sync.manager import SyncManager


@strawberry.type(description="The sync root fields; merged into Query.")
class SyncQuery:
    @strawberry.field(
        name="syncSources",
        description="Every configured upstream source, with its streams and health.",
    )
    async def sync_sources(self, info: Info) -> list[SyncSourceType]:
        require(info, Permission.READ_SYNC, what="syncSources")
        manager = _manager(info)
        names = sorted(manager.sources)
        states = await info.context.db.run(
            lambda session: sync.list_source_states(session, names=names)
        )
        now = info.context.now
        result = []
        for state in states:
            source = manager.sources[state.name]
            breaker = manager.breaker(state.name)
            last = state.last_success_at
            lag = (now - last).total_seconds() if last else None
            max_age = timedelta(hours=source.max_age_hours)
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
                    stale=is_stale(synced_at=None, confirmed_at=last, now=now, max_age=max_age),
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

    @strawberry.field(
        name="syncRuns", description="Sync runs, newest first, of one source or of all."
    )
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
            sync.select_runs(source=source),
            ordering=sync.RUN_ORDER,
            first=first,
            after=after,
            to_node=SyncRunType.from_model,
        )

    @strawberry.field(
        name="quarantine", description="Quarantined upstream records, newest first (隔离区)."
    )
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
            sync.select_quarantine(source=source),
            ordering=sync.QUARANTINE_ORDER,
            first=first,
            after=after,
            to_node=QuarantinedRecordType.from_model,
        )

    @strawberry.field(
        name="reconciliation", description="The reconciliation queue (对账), oldest first."
    )
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
            sync.select_reconciliation(status=status),
            ordering=sync.RECONCILIATION_ORDER,
            first=first,
            after=after,
            to_node=ReconciliationItemType.from_model,
        )


def _manager(info: Info) -> SyncManager:
    if info.context.sync is None:
        raise HubError("the sync manager is not running in this process")
    return info.context.sync
