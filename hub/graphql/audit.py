"""The audit log in GraphQL: ``auditLog`` for the inspection office, and the helper mutations
use to write their entry."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Permission
from hub.graphql.context import Info
from hub.graphql.permissions import require
from hub.graphql.relay import AFTER, DEFAULT_PAGE_SIZE, FIRST, Connection, Node, paginate
from hub.services import audit
from hub.services.paging import Ordering, SortKey
from hub.store.access_models import AuditEntry

NEWEST_FIRST = Ordering(
    "AUDIT_NEWEST", (SortKey(AuditEntry.occurred_at, True), SortKey(AuditEntry.id, True))
)


@strawberry.type(
    name="AuditEntry",
    description="One audited act (审计日志): a mutation, or a read of unmasked personal data. "
    "Names who, what and when; never the personal data itself.",
)
class AuditEntryType(Node):
    occurred_at: datetime = strawberry.field(description="When it happened (UTC).")
    actor_role: str = strawberry.field(description="Role of the caller.")
    actor_unit: str | None = strawberry.field(description="Member unit of the caller.")
    actor_client: str | None = strawberry.field(
        description="The credential: `key:<prefix>` of an API key or `token:<subject>`."
    )
    action: str = strawberry.field(
        description="The mutation (e.g. `syncTrigger`) or `pii.read` for personal data."
    )
    operation: str | None = strawberry.field(description="The GraphQL operation name sent.")
    subject_type: str | None = strawberry.field(description="Type of the record concerned.")
    subject_id: str | None = strawberry.field(description="Id of the record concerned.")
    fields: list[str] = strawberry.field(description="Personal-data fields read unmasked.")
    outcome: str = strawberry.field(
        description="`ok`, or why not: `not_permitted`, `invalid`, `busy` …"
    )
    request_id: str | None = strawberry.field(description="Correlation id of the request.")

    @classmethod
    def from_model(cls, row: AuditEntry) -> AuditEntryType:
        return cls(
            db_id=row.id,
            occurred_at=row.occurred_at,
            actor_role=row.actor_role,
            actor_unit=row.actor_unit,
            actor_client=row.actor_client,
            action=row.action,
            operation=row.operation,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            fields=row.fields.split(",") if row.fields else [],
            outcome=row.outcome,
            request_id=row.request_id,
        )


@strawberry.input(description="Conditions on audit entries; all given conditions must hold.")
class AuditFilterInput:
    since: date | None = strawberry.field(default=None, description="From this day (banner time).")
    until: date | None = strawberry.field(
        default=None, description="Before this day (banner time)."
    )
    unit_code: str | None = strawberry.field(default=None, description="By this member unit.")
    action: str | None = strawberry.field(default=None, description="Only this action.")

    def to_filter(self, timezone: str) -> audit.AuditFilter:
        zone = ZoneInfo(timezone)

        def start(day: date | None) -> datetime | None:
            return datetime.combine(day, time(), tzinfo=zone) if day else None

        return audit.AuditFilter(
            since=start(self.since),
            until=start(self.until),
            unit_code=self.unit_code,
            action=self.action,
        )


@strawberry.type
class AuditQuery:
    @strawberry.field(description="The audit log, newest first (督查室 only).")
    async def audit_log(
        self,
        info: Info,
        filter: Annotated[
            AuditFilterInput | None, strawberry.argument(description="Conditions on the entries.")
        ] = None,
        first: Annotated[int, FIRST] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[AuditEntryType]:
        require(info, Permission.READ_AUDIT, what="auditLog")
        where = filter.to_filter(info.context.settings.timezone) if filter else audit.AuditFilter()
        return await paginate(
            info.context.db,
            audit.select_entries(where),
            ordering=NEWEST_FIRST,
            first=first,
            after=after,
            to_node=AuditEntryType.from_model,
        )


def event(info: Info, action: str, outcome: str, **fields: object) -> audit.AuditEvent:
    """An audit event of the current request (operation name and request id filled in)."""
    operation = info.operation.name.value if info.operation and info.operation.name else None
    return audit.AuditEvent(
        action=action,
        outcome=outcome,
        operation=operation,
        request_id=info.context.request_id,
        **fields,  # type: ignore[arg-type]
    )


def write(session: AsyncSession, info: Info, event: audit.AuditEvent) -> None:
    """Add the entry to a transaction the caller is running (it commits or rolls back with it)."""
    audit.record(session, info.context.viewer, event, at=info.context.now)


async def write_now(info: Info, event: audit.AuditEvent) -> None:
    """Write the entry in a transaction of its own (a refusal, or an act outside the store)."""

    async def work(session: AsyncSession) -> None:
        write(session, info, event)

    await info.context.db.transaction(work)
