"""The root fields ``ledgerItems`` and ``ledgerStatistics``, and their filter and grouping."""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry

from hub.domain.access import Permission
from hub.graphql.compounds.types import CompoundType
from hub.graphql.context import Info
from hub.graphql.ledger.types import (
    LedgerCategory,
    LedgerChannel,
    LedgerFiguresType,
    LedgerGroupFiguresType,
    LedgerItemType,
    LedgerLevel,
    LedgerStatus,
)
from hub.graphql.permissions import require
from hub.graphql.relay import (
    AFTER,
    DEFAULT_PAGE_SIZE,
    FIRST,
    Connection,
    expect_global_id,
    paginate,
)
from hub.services import ledger, ledger_statistics


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


@strawberry.input(description="Conditions on ledger items; all given conditions must hold.")
class LedgerFilterInput:
    status: list[LedgerStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    level: LedgerLevel | None = strawberry.field(default=None, description="Current level.")
    channel: LedgerChannel | None = strawberry.field(default=None, description="Channel.")
    category: LedgerCategory | None = strawberry.field(default=None, description="Category.")
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
    @strawberry.field(
        name="ledgerItems",
        description="Ledger items (台账) in your jurisdiction, newest first, paged.",
    )
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
        name="ledgerStatistics",
        description="Ledger statistics (open, overdue, resolution rate, median handling time, "
        "satisfaction) per compound, community, town or enterprise, in your jurisdiction.",
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
            lambda s: ledger_statistics.list_group_figures(
                s, group_by=group_by.value, principal=info.context.viewer, now=info.context.now
            )
        )
        return [
            LedgerGroupFiguresType(
                code=g.code, name=g.name, figures=LedgerFiguresType.of(g.figures)
            )
            for g in groups
        ]
