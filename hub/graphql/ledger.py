"""GraphQL of the ledger (台账, 挂账督办, R3): items, their history, statistics and the mutations.

The workflow steps are one mutation, ``ledgerItemTransition(id, action)`` with an action enum
(ACCEPT, START, RESOLVE, VERIFY, REOPEN), rather than five: one payload type, one audit action per
step (``ledgerItemTransition``, the action in the entry's detail), and clients switch on the enum.
Creation (``ledgerItemCreate``) and escalation (``ledgerItemEscalate``) have their own mutations.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import ledger as rules
from hub.domain.access import Permission
from hub.graphql.compounds import CompoundType
from hub.graphql.context import Info
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.permissions import require
from hub.graphql.relay import (
    AFTER,
    DEFAULT_PAGE_SIZE,
    FIRST,
    Connection,
    Node,
    expect_global_id,
    paginate,
)
from hub.graphql.workflow import perform
from hub.services import ledger
from hub.store.ledger_models import LedgerEvent, LedgerItem

LedgerChannel = strawberry.enum(
    rules.Channel,
    name="LedgerChannel",
    description="How an item came in: complaint 接诉即办, proactive 未诉先办, small problem or "
    "hazard 小问题小隐患, sweep campaign 大排查大整治.",
)
LedgerCategory = strawberry.enum(
    rules.Category,
    name="LedgerCategory",
    description="What the problem is about (fire safety → 消防大队, illegal construction → "
    "城管局, otherwise 住建局 at the department level).",
)
LedgerSeverity = strawberry.enum(
    rules.Severity,
    name="LedgerSeverity",
    description="Urgency; decides the deadline at each level (URGENT 1 day, HIGH 3, MEDIUM 7, "
    "LOW 15).",
)
LedgerLevel = strawberry.enum(
    rules.Level,
    name="LedgerLevel",
    description="Who handles the item: community 社区 → town 镇 → department 部门.",
)
LedgerStatus = strawberry.enum(
    rules.Status, name="LedgerStatus", description="Where a ledger item stands."
)
LedgerAction = strawberry.enum(
    rules.Action,
    name="LedgerAction",
    description="A workflow step: ACCEPT, START (in progress), RESOLVE (needs a note), VERIFY "
    "and REOPEN (by the reporting level; a complaint's VERIFY takes a satisfaction score 1–5).",
)


@strawberry.enum(
    name="LedgerGroupBy",
    description="Group ledger statistics per compound 小区, community 社区, town 镇 or enterprise "
    "物业企业 (the one serving the compound when the item was reported).",
)
class LedgerGroupBy(enum.StrEnum):
    COMPOUND = "COMPOUND"
    COMMUNITY = "COMMUNITY"
    TOWN = "TOWN"
    ENTERPRISE = "ENTERPRISE"


@strawberry.type(name="LedgerEvent", description="One step in a ledger item's history (台账记录).")
class LedgerEventType:
    occurred_at: datetime = strawberry.field(description="When (UTC).")
    actor_unit: str | None = strawberry.field(
        description="Code of the member unit that acted; null: the scheduler (overdue escalation)."
    )
    action: str = strawberry.field(
        description="CREATE, ACCEPT, START, RESOLVE, VERIFY, REOPEN or ESCALATE."
    )
    from_status: LedgerStatus | None = strawberry.field(description="Status before.")  # type: ignore[valid-type]
    to_status: LedgerStatus = strawberry.field(description="Status after.")  # type: ignore[valid-type]
    from_level: LedgerLevel | None = strawberry.field(description="Level before.")  # type: ignore[valid-type]
    to_level: LedgerLevel = strawberry.field(description="Level after.")  # type: ignore[valid-type]
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
    channel: LedgerChannel = strawberry.field(description="How it came in.")  # type: ignore[valid-type]
    category: LedgerCategory = strawberry.field(description="What it is about.")  # type: ignore[valid-type]
    severity: LedgerSeverity = strawberry.field(description="Urgency.")  # type: ignore[valid-type]
    reported_by: str = strawberry.field(
        description="Code of the reporting member unit (never a person)."
    )
    reported_level: LedgerLevel = strawberry.field(  # type: ignore[valid-type]
        description="Level that reported it; it verifies the resolution."
    )
    reported_at: datetime = strawberry.field(description="When it was reported (UTC).")
    level: LedgerLevel = strawberry.field(description="Level handling it now.")  # type: ignore[valid-type]
    assigned_unit: str = strawberry.field(description="Code of the unit handling it now.")
    status: LedgerStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
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
    def allowed_actions(self, info: Info) -> list[LedgerAction]:  # type: ignore[valid-type]
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


@strawberry.input(description="Conditions on ledger items; all given conditions must hold.")
class LedgerFilterInput:
    status: list[LedgerStatus] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Any of these statuses."
    )
    level: LedgerLevel | None = strawberry.field(default=None, description="Current level.")  # type: ignore[valid-type]
    channel: LedgerChannel | None = strawberry.field(default=None, description="Channel.")  # type: ignore[valid-type]
    category: LedgerCategory | None = strawberry.field(default=None, description="Category.")  # type: ignore[valid-type]
    compound_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global ID of the compound."
    )
    town_code: str | None = strawberry.field(default=None, description="Code of the town.")
    assigned_unit: str | None = strawberry.field(
        default=None, description="Code of the unit handling it."
    )
    overdue: bool | None = strawberry.field(
        default=None, description="Only overdue (true) or not overdue (false) items."
    )

    def to_filter(self) -> ledger.LedgerFilter:
        return ledger.LedgerFilter(
            statuses=tuple(self.status or ()),
            level=self.level,
            channel=self.channel,
            category=self.category,
            compound_id=expect_global_id(self.compound_id, CompoundType, field="compoundId")
            if self.compound_id
            else None,
            town_code=self.town_code,
            assigned_unit=self.assigned_unit,
            overdue=self.overdue,
        )


@strawberry.type
class LedgerQuery:
    @strawberry.field(description="Ledger items (台账) in your jurisdiction, newest first, paged.")
    async def ledger_items(
        self,
        info: Info,
        filter: Annotated[
            LedgerFilterInput | None, strawberry.argument(description="Conditions on the items.")
        ] = None,
        first: Annotated[int, FIRST] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[LedgerItemType]:
        require(info, Permission.READ_LEDGER, what="ledgerItems")
        where = filter.to_filter() if filter else ledger.LedgerFilter()
        stmt = ledger.select_items(where, principal=info.context.viewer, now=info.context.now)
        return await paginate(
            info.context.db,
            stmt,
            ordering=ledger.ORDERINGS["REPORTED_DESC"],
            first=first,
            after=after,
            to_node=LedgerItemType.from_model,
        )

    @strawberry.field(
        description="Ledger statistics (open, overdue, resolution rate, median handling time, "
        "satisfaction) per compound, community, town or enterprise, in your jurisdiction."
    )
    async def ledger_statistics(
        self,
        info: Info,
        group_by: Annotated[
            LedgerGroupBy,
            strawberry.argument(description="The grouping."),
        ],
    ) -> list[LedgerGroupFiguresType]:
        require(info, Permission.READ_LEDGER, what="ledgerStatistics")
        groups = await info.context.db.run(
            lambda s: ledger.statistics(
                s, group_by=group_by.value, principal=info.context.viewer, now=info.context.now
            )
        )
        return [
            LedgerGroupFiguresType(
                code=g.code, name=g.name, figures=LedgerFiguresType.of(g.figures)
            )
            for g in groups
        ]


async def enterprise_ledger_figures(info: Info, enterprise_id: int) -> LedgerFiguresType:
    """The ledger figures of one enterprise (for ``Enterprise.ledgerStatistics``)."""
    require(info, Permission.READ_LEDGER, what="Enterprise.ledgerStatistics")
    groups = await info.context.db.run(
        lambda s: ledger.statistics(
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


# Mutations -------------------------------------------------------------------------------------


@strawberry.type(description="The ledger item after the change.")
class LedgerItemSuccess:
    item: LedgerItemType = strawberry.field(description="The item.")


LedgerItemResult = Annotated[
    LedgerItemSuccess | NotPermitted | ValidationFailed,
    strawberry.union("LedgerItemResult", description="Result of a ledger mutation."),
]


async def _run(
    info: Info, action: str, work: Any, *, detail: dict[str, Any] | None = None
) -> LedgerItemResult:
    """A ledger mutation in the workflows' frame (``hub.graphql.workflow.perform``)."""
    result = await perform(
        info,
        action=action,
        permission=Permission.WORK_LEDGER,
        subject_type="LedgerItem",
        work=work,
        subject_id=lambda item: item.id,
        detail=detail,
    )
    if isinstance(result, NotPermitted | ValidationFailed):
        return result
    return LedgerItemSuccess(item=LedgerItemType.from_model(result))


def _item_id(id: strawberry.ID) -> int:
    return expect_global_id(id, LedgerItemType)


@strawberry.type
class LedgerMutation:
    @strawberry.mutation(
        description="Report a problem into the ledger (台账) at your level, in a compound of "
        "your jurisdiction; the deadline follows from the severity."
    )
    async def ledger_item_create(
        self,
        info: Info,
        compound_id: Annotated[strawberry.ID, strawberry.argument(description="The compound.")],
        title: Annotated[str, strawberry.argument(description="Short title.")],
        channel: Annotated[LedgerChannel, strawberry.argument(description="How it came in.")],  # type: ignore[valid-type]
        category: Annotated[LedgerCategory, strawberry.argument(description="What it is about.")],  # type: ignore[valid-type]
        severity: Annotated[LedgerSeverity, strawberry.argument(description="Urgency.")],  # type: ignore[valid-type]
        description: Annotated[str | None, strawberry.argument(description="Details.")] = None,
    ) -> LedgerItemResult:
        async def work(session: AsyncSession) -> LedgerItem:
            target = expect_global_id(compound_id, CompoundType, field="compoundId")
            return await ledger.create(
                session,
                principal=info.context.viewer,
                compound_id=target,
                title=title,
                description=description,
                channel=channel,
                category=category,
                severity=severity,
                now=info.context.now,
            )

        return await _run(info, "ledgerItemCreate", work)

    @strawberry.mutation(
        description="Move an item one step: ACCEPT, START, RESOLVE (with a note), VERIFY or "
        "REOPEN (by the level that reported it; a complaint's VERIFY needs satisfaction 1–5)."
    )
    async def ledger_item_transition(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The item's global ID.")],
        action: Annotated[LedgerAction, strawberry.argument(description="The step.")],  # type: ignore[valid-type]
        note: Annotated[
            str | None, strawberry.argument(description="What was done, or why.")
        ] = None,
        satisfaction: Annotated[
            int | None, strawberry.argument(description="Complainant's satisfaction 1–5.")
        ] = None,
    ) -> LedgerItemResult:
        async def work(session: AsyncSession) -> LedgerItem:
            return await ledger.transition(
                session,
                principal=info.context.viewer,
                item_id=_item_id(id),
                action=action,
                note=note,
                satisfaction=satisfaction,
                now=info.context.now,
            )

        return await _run(info, "ledgerItemTransition", work, detail={"action": action.value})

    @strawberry.mutation(
        description="Send an open item up one level (community → town → the department of its "
        "category), with the reason; the scheduler does the same for overdue items."
    )
    async def ledger_item_escalate(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The item's global ID.")],
        reason: Annotated[str, strawberry.argument(description="Why it goes up a level.")],
    ) -> LedgerItemResult:
        async def work(session: AsyncSession) -> LedgerItem:
            return await ledger.escalate_by(
                session,
                principal=info.context.viewer,
                item_id=_item_id(id),
                reason=reason,
                now=info.context.now,
            )

        return await _run(info, "ledgerItemEscalate", work)
