"""The root field ``viewer``: who the caller is, as the hub sees it."""

from __future__ import annotations

import strawberry

from hub.graphql.context import Info
from hub.graphql.viewer.types import ViewerType


@strawberry.type
class ViewerQuery:
    @strawberry.field(name="viewer", description="Who is asking, and what they may do.")
    async def viewer(self, info: Info) -> ViewerType:
        viewer = info.context.viewer
        loader = info.context.loaders.jurisdiction
        town = await loader.load(viewer.town_id) if viewer.town_id else None
        community = await loader.load(viewer.community_id) if viewer.community_id else None
        unit = (
            await info.context.loaders.member_unit.load(viewer.unit_id) if viewer.unit_id else None
        )
        return ViewerType.of(
            viewer,
            town_code=town.code if town else None,
            community_code=community.code if community else None,
            unit_name=unit.name if unit else None,
        )
