"""The root field ``auditLog``, for the inspection office (督查室)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

import strawberry

from hub.domain.access import Permission
from hub.graphql.audit.types import AuditEntryType
from hub.graphql.context import Info
from hub.graphql.permissions import require
from hub.graphql.relay import AFTER, DEFAULT_PAGE_SIZE, FIRST, Connection, paginate
from hub.services import audit


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
    @strawberry.field(name="auditLog", description="The audit log, newest first (督查室 only).")
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
            ordering=audit.NEWEST_FIRST,
            first=first,
            after=after,
            to_node=AuditEntryType.from_model,
        )
