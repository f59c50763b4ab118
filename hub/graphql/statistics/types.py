"""GraphQL types of the coverage and committee-formation statistics (覆盖率, 组建率)."""

from __future__ import annotations

import strawberry

from hub.graphql.common import ProvenanceType
from hub.graphql.context import Info
from hub.services import statistics
from hub.services.statistics import Figures


@strawberry.type(
    name="Figures",
    description="Counts over the compounds of a jurisdiction: coverage by property enterprises "
    "(覆盖率) and formation of owners' committees (组建率).",
)
class FiguresType:
    compounds: int = strawberry.field(description="Number of compounds.")
    households: int = strawberry.field(description="Number of households.")
    floor_area: float = strawberry.field(description="Total floor area, m².")
    compounds_with_enterprise: int = strawberry.field(
        description="Compounds served by a property enterprise today."
    )
    coverage_rate: float | None = strawberry.field(
        description="compoundsWithEnterprise ÷ compounds (覆盖率), 0–1; null without compounds."
    )
    compounds_with_committee: int = strawberry.field(
        description="Compounds with an owners' committee (not dissolved)."
    )
    formation_rate: float | None = strawberry.field(
        description="compoundsWithCommittee ÷ compounds (组建率), 0–1; null without compounds."
    )
    open_connection_tasks: int = strawberry.field(
        description="Utility connection tasks not yet done (管网入户、入表 backlog)."
    )
    overdue_connection_tasks: int = strawberry.field(
        description="Open utility connection tasks past their due date."
    )
    open_outages: int = strawberry.field(description="Utility outages going on now.")

    @classmethod
    def of(cls, f: Figures) -> FiguresType:
        return cls(
            compounds=f.compounds,
            households=f.households,
            floor_area=f.floor_area,
            compounds_with_enterprise=f.with_enterprise,
            coverage_rate=f.coverage_rate,
            compounds_with_committee=f.with_committee,
            formation_rate=f.formation_rate,
            open_connection_tasks=f.open_tasks,
            overdue_connection_tasks=f.overdue_tasks,
            open_outages=f.open_outages,
        )


@strawberry.type(name="JurisdictionFigures", description="The figures of one town or community.")
class JurisdictionFiguresType:
    code: str = strawberry.field(description="Code of the town or community.")
    name: str = strawberry.field(description="Name of the town or community.")
    parent_code: str | None = strawberry.field(description="For a community: the code of its town.")
    figures: FiguresType = strawberry.field(description="The figures.")


@strawberry.type(
    name="Statistics",
    description="Coverage and committee formation for the banner or one town, broken down "
    "per town and per community.",
)
class StatisticsType:
    scope_code: str = strawberry.field(description="Code of the banner or of the town asked for.")
    scope_name: str = strawberry.field(description="Name of the banner or town.")
    total: FiguresType = strawberry.field(description="Figures over the whole scope.")
    towns: list[JurisdictionFiguresType] = strawberry.field(
        description="Per town (only the town asked for, when townCode is given), by code."
    )
    communities: list[JurisdictionFiguresType] = strawberry.field(
        description="Per community of the scope, by code."
    )
    town_id: strawberry.Private[int | None] = None

    @strawberry.field(
        description="Where the synced data behind the figures came from (数据来源): per upstream "
        "source of the service contracts (覆盖率) and of the utilities' connection tasks and "
        "outages counted, the oldest sync time among them, by source name. Committees and the "
        "ledger are local records and have none."
    )
    async def provenance(self, info: Info) -> list[ProvenanceType]:
        town_id = self.town_id
        rows = await info.context.db.run(lambda s: statistics.list_freshness(s, town_id=town_id))
        return [
            ProvenanceType(source=r.source, source_id=None, synced_at=r.synced_at, deleted_at=None)
            for r in rows
        ]
