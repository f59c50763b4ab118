"""The root field ``ranking(year)``: the published ranking (open to everyone, the public
included), or a draft preview for the competent department before publication."""

from __future__ import annotations

from typing import Annotated

import strawberry

from hub.domain.access import Permission
from hub.domain.calendar import check_year
from hub.graphql.context import Info
from hub.graphql.permissions import require
from hub.graphql.ranking.types import RankingType, entry_of_placing, published_ranking
from hub.services import parameters
from hub.services import ranking as service


@strawberry.type
class RankingQuery:
    @strawberry.field(
        name="ranking",
        description="The published ranking of a year (open to everyone); before publication, a "
        "draft preview for the competent department, and null for everyone else.",
    )
    async def ranking(
        self,
        info: Info,
        year: Annotated[int, strawberry.argument(description="The assessment year.")],
    ) -> RankingType | None:
        require(info, Permission.READ_RANKINGS, what="ranking")
        context = info.context
        today = context.today
        check_year(year, today=today)
        published = await context.db.run(lambda s: published_ranking(s, year, today))
        if published is not None or not context.viewer.may(Permission.WRITE_ENTERPRISES):
            return published
        settings = parameters.ranking_settings(context.settings)
        placings = await context.db.run(lambda s: service.preview(s, year=year, settings=settings))
        return RankingType(
            year=year,
            published=False,
            published_on=None,
            entries=[entry_of_placing(p) for p in placings],
        )
