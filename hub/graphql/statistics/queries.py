"""The root field ``statistics``: coverage (覆盖率) and committee formation (组建率) for the
banner or one town, per town and per community."""

from __future__ import annotations

from typing import Annotated

import strawberry

from hub.domain.access import Permission, Scope
from hub.errors import Forbidden
from hub.graphql.context import Info
from hub.graphql.permissions import require
from hub.graphql.statistics.types import FiguresType, JurisdictionFiguresType, StatisticsType
from hub.services import statistics


@strawberry.type
class StatisticsQuery:
    @strawberry.field(
        name="statistics",
        description="Coverage (覆盖率) and committee formation (组建率) for the banner, or for "
        "one town when townCode is given, per town and per community.",
    )
    async def statistics(
        self,
        info: Info,
        town_code: Annotated[
            str | None, strawberry.argument(description="Limit to this town (its code).")
        ] = None,
    ) -> StatisticsType:
        require(info, Permission.READ_STATISTICS, what="statistics")
        viewer, today, now = info.context.viewer, info.context.today, info.context.now
        community_code = None
        if viewer.scope in (Scope.TOWN, Scope.COMMUNITY):
            # A town or community sees the figures of its own town only.
            own = await info.context.loaders.jurisdiction.load(viewer.town_id or 0)
            own_code = own.code if own is not None else None
            if town_code is not None and town_code != own_code:
                raise Forbidden("statistics: only the figures of your own town are open to you")
            town_code = own_code
            if viewer.scope is Scope.COMMUNITY:
                mine = await info.context.loaders.jurisdiction.load(viewer.community_id or 0)
                community_code = mine.code if mine is not None else None
        report = await info.context.db.run(
            lambda s: statistics.report(s, town_code=town_code, on=today, now=now)
        )
        communities = [
            r for r in report.communities if community_code is None or r.code == community_code
        ]

        def rows(items: list[statistics.Row]) -> list[JurisdictionFiguresType]:
            return [
                JurisdictionFiguresType(
                    code=r.code,
                    name=r.name,
                    parent_code=r.parent_code,
                    figures=FiguresType.of(r.figures),
                )
                for r in items
            ]

        return StatisticsType(
            scope_code=report.scope_code,
            scope_name=report.scope_name,
            total=FiguresType.of(report.total),
            towns=rows(report.towns),
            communities=rows(communities),
            town_id=report.town_id,
        )
