"""The root field ``towns``: the banner's towns and the 水岸新城 office."""

from __future__ import annotations

import strawberry

from hub.graphql.context import Info
from hub.graphql.jurisdictions.types import TownType
from hub.graphql.prefetch import prefetch_object
from hub.services import jurisdictions


@strawberry.type
class JurisdictionQuery:
    @strawberry.field(
        name="towns", description="The towns of the banner and the 水岸新城 office, by code."
    )
    async def towns(self, info: Info) -> list[TownType]:
        rows = await info.context.db.run(jurisdictions.list_towns)
        await prefetch_object(info, "Town", rows)
        return [TownType.from_model(row) for row in rows]
