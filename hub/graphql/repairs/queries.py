"""The root fields ``repairProjects`` and ``budget`` (the special budget of a year)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from hub.domain.access import Permission
from hub.domain.calendar import check_year
from hub.graphql.context import Info
from hub.graphql.permissions import require
from hub.graphql.relay import AFTER, DEFAULT_PAGE_SIZE, FIRST, Connection, paginate
from hub.graphql.repairs.types import BudgetType, RepairProjectType
from hub.services import parameters
from hub.services import repairs as service


@strawberry.type
class RepairQuery:
    @strawberry.field(
        name="repairProjects",
        description="Post-warranty repair projects in your jurisdiction, newest first.",
    )
    async def repair_projects(
        self,
        info: Info,
        first: Annotated[int, FIRST] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[RepairProjectType]:
        require(info, Permission.READ_COMPOUNDS, what="repairProjects")
        stmt = service.select_projects(principal=info.context.viewer)
        return await paginate(
            info.context.db,
            stmt,
            ordering=service.NEWEST_FIRST,
            first=first,
            after=after,
            to_node=RepairProjectType.from_model,
        )

    @strawberry.field(
        name="budget", description="The special budget of a year and what was charged to it."
    )
    async def budget(
        self, info: Info, year: Annotated[int, strawberry.argument(description="The year.")]
    ) -> BudgetType:
        require(info, Permission.READ_STATISTICS, what="budget")
        check_year(year, today=info.context.today, ahead=1)  # next year's budget may be planned
        settings = parameters.budget_settings(info.context.settings)
        status = await info.context.db.run(
            lambda s: service.get_budget_status(s, year=year, budget=settings)
        )
        return BudgetType.of(status)
