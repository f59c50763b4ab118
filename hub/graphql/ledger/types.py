"""GraphQL types of the ledger (台账, 挂账督办, R3): items, their history and statistics."""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias

import strawberry

from hub.domain import ledger as rules
from hub.domain.access import Permission
from hub.graphql.compounds.types import CompoundType
from hub.graphql.context import Info
from hub.graphql.nodes import node_type
from hub.graphql.permissions import require
from hub.graphql.relay import (
    Node,
)
from hub.services import ledger, ledger_statistics
from hub.store.models import LedgerEvent, LedgerItem

LedgerChannel: TypeAlias = rules.Channel
strawberry.enum(
    LedgerChannel,
    name="LedgerChannel",
    description="How an item came in: complaint 接诉即办, proactive 未诉先办, small problem or "
    "hazard 小问题小隐患, sweep campaign 大排查大整治.",
)
LedgerCategory: TypeAlias = rules.Category
strawberry.enum(
    LedgerCategory,
    name="LedgerCategory",
    description="What the problem is about (fire safety → 消防大队, illegal construction → "
    "城管局, otherwise 住建局 at the department level).",
)
LedgerSeverity: TypeAlias = rules.Severity
strawberry.enum(
    LedgerSeverity,
    name="LedgerSeverity",
    description="Urgency; decides the deadline at each level (URGENT 1 day, HIGH 3, MEDIUM 7, "
    "LOW 15).",
)
LedgerLevel: TypeAlias = rules.Level
strawberry.enum(
    LedgerLevel,
    name="LedgerLevel",
    description="Who handles the item: community 社区 → town 镇 → department 部门.",
)
LedgerStatus: TypeAlias = rules.Status
strawberry.enum(LedgerStatus, name="LedgerStatus", description="Where a ledger item stands.")
LedgerAction: TypeAlias = rules.Action
strawberry.enum(
    LedgerAction,
    name="LedgerAction",
    description="A workflow step: ACCEPT, START (in progress), RESOLVE (needs a note), VERIFY "
    "and REOPEN (by the reporting level; a complaint's VERIFY takes a satisfaction score 1–5).",
)


@strawberry.type(name="LedgerEvent", description="One step in a ledger item's history (台账记录).")
class LedgerEventType:
    occurred_at: datetime = strawberry.field(description="When (UTC).")
    actor_unit: str | None = strawberry.field(
        description="Code of the member unit that acted; null: the scheduler (overdue escalation)."
    )
    action: str = strawberry.field(
        description="CREATE, ACCEPT, START, RESOLVE, VERIFY, REOPEN or ESCALATE."
    )
    from_status: LedgerStatus | None = strawberry.field(description="Status before.")
    to_status: LedgerStatus = strawberry.field(description="Status after.")
    from_level: LedgerLevel | None = strawberry.field(description="Level before.")
    to_level: LedgerLevel = strawberry.field(description="Level after.")
    assigned_unit: str = strawberry.field(description="Unit the item was assigned to after it.")
    note: str | None = strawberry.field(description="Note or reason (escalation: why).")

    @classmethod
    def from_model(cls, row: LedgerEvent) -> LedgerEventType:
        return cls(
            occurred_at=row.occurred_at,
            actor_unit=row.actor_unit,
            action=row.action,
            from_status=row.from_status,
            to_status=row.to_status,
            from_level=row.from_level,
            to_level=row.to_level,
            assigned_unit=row.assigned_unit,
            note=row.note,
        )


@strawberry.type(
    name="LedgerItem", description="A problem in the ledger (台账), tracked until solved."
)
class LedgerItemType(Node):
    title: str = strawberry.field(description="Short title of the problem.")
    description: str | None = strawberry.field(description="Details.")
    channel: LedgerChannel = strawberry.field(description="How it came in.")
    category: LedgerCategory = strawberry.field(description="What it is about.")
    severity: LedgerSeverity = strawberry.field(description="Urgency.")
    reported_by: str = strawberry.field(
        description="Code of the reporting member unit (never a person)."
    )
    reported_level: LedgerLevel = strawberry.field(
        description="Level that reported it; it verifies the resolution."
    )
    reported_at: datetime = strawberry.field(description="When it was reported (UTC).")
    level: LedgerLevel = strawberry.field(description="Level handling it now.")
    assigned_unit: str = strawberry.field(description="Code of the unit handling it now.")
    status: LedgerStatus = strawberry.field(description="Where it stands.")
    deadline: datetime = strawberry.field(
        description="Deadline at the current level (UTC); past it, the item goes up a level."
    )
    resolved_at: datetime | None = strawberry.field(description="When it was resolved.")
    resolution_note: str | None = strawberry.field(description="What was done (办结说明).")
    verified_at: datetime | None = strawberry.field(description="When it was verified.")
    satisfaction: int | None = strawberry.field(
        description="Complainant's satisfaction 1–5 (complaint items, at verification)."
    )
    compound_id: strawberry.Private[int]
    row: strawberry.Private[LedgerItem]

    @strawberry.field(
        description="The workflow steps (ledgerItemTransition actions) you may take on the item "
        "now, for your role and level; empty when none."
    )
    def allowed_actions(self, info: Info) -> list[LedgerAction]:
        return ledger.allowed_actions(self.row, info.context.viewer)

    @strawberry.field(
        description="Whether you may send the item up a level now (ledgerItemEscalate)."
    )
    def can_escalate(self, info: Info) -> bool:
        return ledger.may_escalate(self.row, info.context.viewer)

    @strawberry.field(description="Open and past its deadline now.")
    def overdue(self, info: Info) -> bool:
        return rules.is_overdue(self.status, self.deadline, now=info.context.now)

    @strawberry.field(description="The compound (住宅小区) of the problem.")
    async def compound(self, info: Info) -> CompoundType | None:
        row = await info.context.loaders.compound.load(self.compound_id)
        return CompoundType.from_model(row) if row is not None else None

    @strawberry.field(description="Every step, oldest first: actor, time, from/to, note.")
    async def history(self, info: Info) -> list[LedgerEventType]:
        rows = await info.context.loaders.ledger_events_by_item.load(self.db_id)
        return [LedgerEventType.from_model(row) for row in rows]

    @classmethod
    def from_model(cls, row: LedgerItem) -> LedgerItemType:
        return cls(
            db_id=row.id,
            title=row.title,
            description=row.description,
            channel=row.channel,
            category=row.category,
            severity=row.severity,
            reported_by=row.reported_by,
            reported_level=row.reported_level,
            reported_at=row.reported_at,
            level=row.level,
            assigned_unit=row.assigned_unit,
            status=row.status,
            deadline=row.deadline,
            resolved_at=row.resolved_at,
            resolution_note=row.resolution_note,
            verified_at=row.verified_at,
            satisfaction=row.satisfaction,
            compound_id=row.compound_id,
            row=row,
        )


@strawberry.type(name="LedgerFigures", description="Ledger statistics (台账统计) of a group.")
class LedgerFiguresType:
    total: int = strawberry.field(description="Items reported.")
    open: int = strawberry.field(description="Items not yet resolved.")
    overdue: int = strawberry.field(description="Open items past their deadline now.")
    resolved: int = strawberry.field(description="Items resolved or verified.")
    resolution_rate: float | None = strawberry.field(description="Resolved ÷ total (办结率).")
    median_handling_hours: float | None = strawberry.field(
        description="Median hours from report to resolution of resolved items."
    )
    satisfaction: float | None = strawberry.field(
        description="Mean satisfaction score (1–5) of verified complaints (满意度)."
    )

    @classmethod
    def of(cls, f: rules.Figures) -> LedgerFiguresType:
        return cls(
            total=f.total,
            open=f.open,
            overdue=f.overdue,
            resolved=f.resolved,
            resolution_rate=f.resolution_rate,
            median_handling_hours=f.median_handling_hours,
            satisfaction=f.satisfaction,
        )


@strawberry.type(name="LedgerGroupFigures", description="Ledger statistics of one group.")
class LedgerGroupFiguresType:
    code: str = strawberry.field(description="Code of the compound, jurisdiction, or the USCC.")
    name: str = strawberry.field(description="Name.")
    figures: LedgerFiguresType = strawberry.field(description="The figures.")


node_type(
    "LedgerItem",
    loader=lambda loaders: loaders.ledger_item,
    convert=LedgerItemType.from_model,
    permission=Permission.READ_LEDGER,
)


async def enterprise_ledger_figures(info: Info, enterprise_id: int) -> LedgerFiguresType:
    """The ledger figures of one enterprise (for ``Enterprise.ledgerStatistics``)."""
    require(info, Permission.READ_LEDGER, what="Enterprise.ledgerStatistics")
    groups = await info.context.db.run(
        lambda s: ledger_statistics.list_group_figures(
            s,
            group_by="ENTERPRISE",
            principal=info.context.viewer,
            now=info.context.now,
            enterprise_id=enterprise_id,
        )
    )
    return LedgerFiguresType.of(
        groups[0].figures if groups else rules.summarize((), now=info.context.now)
    )
