"""The root field ``fundApplications``, and its filter and ordering."""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry

from hub.domain.access import Permission
from hub.graphql.compounds.types import CompoundType
from hub.graphql.context import Info
from hub.graphql.fund.types import (
    FundApplicationStatus,
    FundApplicationType,
)
from hub.graphql.permissions import require
from hub.graphql.prefetch import prefetch_nodes
from hub.graphql.relay import AFTER, Connection, expect_global_id, paginate
from hub.services import fund


@strawberry.input(description="Conditions on fund applications; all given conditions hold.")
class FundApplicationFilterInput:
    town_code: str | None = strawberry.field(default=None, description="In this town.")
    community_code: str | None = strawberry.field(default=None, description="In this community.")
    compound_id: strawberry.ID | None = strawberry.field(
        default=None, description="Of this compound (global ID)."
    )
    status: FundApplicationStatus | None = strawberry.field(
        default=None, description="In this state."
    )

    def to_filter(self) -> fund.FundFilter:
        compound = (
            expect_global_id(self.compound_id, CompoundType, field="compoundId")
            if self.compound_id
            else None
        )
        return fund.FundFilter(
            town_code=self.town_code,
            community_code=self.community_code,
            compound_id=compound,
            status=self.status,
        )


@strawberry.enum(description="Orderings of fund applications.")
class FundApplicationOrder(enum.Enum):
    APPLIED_ON = strawberry.enum_value("APPLIED_ON", description="Oldest application first.")


@strawberry.type
class FundQuery:
    @strawberry.field(
        name="fundApplications",
        description="Special maintenance fund applications (维修资金使用申请, R5), within the "
        "caller's jurisdiction, filtered and paged.",
    )
    async def fund_applications(
        self,
        info: Info,
        filter: Annotated[
            FundApplicationFilterInput | None,
            strawberry.argument(description="Conditions on the applications."),
        ] = None,
        first: Annotated[int, strawberry.argument(description="Page size (≤ 100).")] = 20,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[FundApplicationType]:
        require(info, Permission.READ_FUND, what="fundApplications")
        where = filter.to_filter() if filter else fund.FundFilter()
        viewer = info.context.viewer
        stmt = await info.context.db.run(
            lambda s: fund.select_applications(s, where=where, principal=viewer)
        )
        return await paginate(
            info.context.db,
            stmt,
            ordering=fund.ORDERINGS["APPLIED_ON"],
            first=first,
            after=after,
            to_node=FundApplicationType.from_model,
            prefetch=lambda rows: prefetch_nodes(info, "FundApplication", rows),
        )
