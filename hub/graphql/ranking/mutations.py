"""The mutation ``rankingPublish``: publishes a finished year's ranking once and applies its
sanctions (R8)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Permission
from hub.graphql.acting import change
from hub.graphql.context import Info
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.ranking.types import RankingType, published_ranking
from hub.services import parameters
from hub.services import ranking as service


@strawberry.type(description="The ranking is published and its sanctions applied.")
class RankingPublishSuccess:
    ranking: RankingType = strawberry.field(description="The published ranking.")


RankingPublishResult = Annotated[
    RankingPublishSuccess | NotPermitted | ValidationFailed,
    strawberry.union("RankingPublishResult", description="Result of `rankingPublish`."),
]


@strawberry.type
class RankingMutation:
    @strawberry.mutation(
        name="rankingPublish",
        description="Publish the ranking of a finished year and apply its sanctions (R8): the "
        "competent department only, once per year; a published ranking is final.",
    )
    async def ranking_publish(
        self,
        info: Info,
        year: Annotated[int, strawberry.argument(description="The assessment year.")],
    ) -> RankingPublishResult:
        context = info.context
        today = context.today

        async def work(session: AsyncSession) -> RankingType:
            publication = await service.publish(
                session,
                year=year,
                published_on=today,
                published_by_id=context.viewer.unit_id,
                settings=parameters.ranking_settings(context.settings),
                budget=parameters.budget_settings(context.settings),
            )
            ranking = await published_ranking(session, publication.year, today)
            assert ranking is not None
            return ranking

        return await change(
            info,
            action="rankingPublish",
            permission=Permission.WRITE_ENTERPRISES,
            subject_type="Ranking",
            work=work,
            subject_id=lambda ranking: ranking.year,
            success=lambda ranking: RankingPublishSuccess(ranking=ranking),
            detail={"year": year},
        )
