"""The root field ``conferenceReport``: the joint-conference report (联席会议报告) of a year."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

import strawberry

from hub.domain.access import Permission, Scope
from hub.errors import Forbidden
from hub.graphql.conference.types import ConferenceReportType
from hub.graphql.context import Info
from hub.graphql.permissions import require
from hub.services import conference, parameters


@strawberry.type
class ConferenceQuery:
    @strawberry.field(
        name="conferenceReport",
        description="The joint-conference report (联席会议报告) of a year, per town or for one "
        "town. A town or community reads its own town only.",
    )
    async def conference_report(
        self,
        info: Info,
        year: Annotated[int, strawberry.argument(description="The year to report on.")],
        town_code: Annotated[
            str | None, strawberry.argument(description="Limit to this town (its code).")
        ] = None,
    ) -> ConferenceReportType:
        require(info, Permission.READ_STATISTICS, what="conferenceReport")
        viewer = info.context.viewer
        principal = conference.BANNER_PRINCIPAL
        if viewer.scope in (Scope.TOWN, Scope.COMMUNITY):
            # The same rule as `statistics`: a town or community sees its own town only.
            own = await info.context.loaders.jurisdiction.load(viewer.town_id or 0)
            own_code = own.code if own is not None else None
            if town_code is not None and town_code != own_code:
                raise Forbidden("conferenceReport: only the report of your own town is open to you")
            town_code, principal = own_code, viewer
        settings = info.context.settings
        now, zone = info.context.now, ZoneInfo(settings.timezone)
        report = await info.context.db.run(
            lambda s: conference.report(
                s,
                year=year,
                town_code=town_code,
                principal=principal,
                budget=parameters.budget_settings(settings),
                now=now,
                zone=zone,
            )
        )
        return ConferenceReportType.of(report)
