"""The mutation ``rankingPublish``: publishes a finished year's ranking once and applies its
sanctions (R8)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Permission
from hub.errors import BadUserInput, NotFound
from hub.graphql.audit import log as audit
from hub.graphql.context import Info
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.ranking.types import RankingType, published_ranking
from hub.graphql.workflow import refuse
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
        action, context = "rankingPublish", info.context
        if not context.viewer.may(Permission.WRITE_ENTERPRISES):
            message = f"rankingPublish needs the {Permission.WRITE_ENTERPRISES} permission"
            return await refuse(info, action, NotPermitted(message=message), detail={"year": year})
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
            subject = {"subject_type": "Ranking", "subject_id": str(publication.year)}
            audit.write(session, info, audit.event(info, action, "ok", **subject))
            ranking = await published_ranking(session, year, today)
            assert ranking is not None
            return ranking

        try:
            ranking = await context.db.transaction(work)
        except (BadUserInput, NotFound) as exc:
            return await refuse(info, action, ValidationFailed.of(exc), detail={"year": year})
        return RankingPublishSuccess(ranking=ranking)
