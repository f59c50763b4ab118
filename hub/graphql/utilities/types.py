"""GraphQL types of the utility companies' data on a compound (R1): connection tasks, outages."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from hub.domain.enums import ConnectionTaskStatus as Status
from hub.graphql.common import Sourced
from hub.graphql.context import Info
from hub.graphql.enums import ConnectionTaskKind, ConnectionTaskStatus, UtilityKind
from hub.store import models as m

OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)


@strawberry.type(
    name="ConnectionTask",
    description="A utility company's service connection (管网入户) or meter installation (入表) "
    "in a compound.",
)
class ConnectionTaskType(Sourced):
    utility_kind: UtilityKind = strawberry.field(description="Water, power, gas, heat, telecom.")
    kind: ConnectionTaskKind = strawberry.field(description="Connection or meter installation.")
    status: ConnectionTaskStatus = strawberry.field(description="Progress.")
    households: int = strawberry.field(description="Households the task covers.")
    planned_on: date | None = strawberry.field(description="Planned start.")
    due_on: date | None = strawberry.field(description="Due date.")
    completed_on: date | None = strawberry.field(description="Completion date.")

    @strawberry.field(description="Not done and past its due date today.")
    def overdue(self, info: Info) -> bool:
        return (
            self.status in OPEN_STATUSES
            and self.due_on is not None
            and self.due_on < info.context.today
        )

    @classmethod
    def from_model(cls, row: m.ConnectionTask) -> ConnectionTaskType:
        return cls(
            utility_kind=row.utility_kind,
            kind=row.kind,
            status=row.status,
            households=row.households,
            planned_on=row.planned_on,
            due_on=row.due_on,
            completed_on=row.completed_on,
            record=row,
        )


@strawberry.type(name="Outage", description="An interruption of a utility's service (停水停电 …).")
class OutageType(Sourced):
    utility_kind: UtilityKind = strawberry.field(description="Water, power, gas, heat, telecom.")
    starts_at: datetime = strawberry.field(description="Start (UTC).")
    ends_at: datetime | None = strawberry.field(description="End (UTC); null while it lasts.")
    reason: str = strawberry.field(description="Cause given by the company.")
    affected_households: int = strawberry.field(description="Households affected.")

    @strawberry.field(description="Still going on now.")
    def open(self, info: Info) -> bool:
        return self.ends_at is None or self.ends_at > info.context.now

    @classmethod
    def from_model(cls, row: m.Outage) -> OutageType:
        return cls(
            utility_kind=row.utility_kind,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            reason=row.reason,
            affected_households=row.affected_households,
            record=row,
        )
