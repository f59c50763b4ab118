"""GraphQL types of the banner's jurisdictions: towns (and the 水岸新城 office) and communities.

Below the compounds in the import order: ``Community.compounds`` points back (lazily, built
through ``hub.graphql.nodes.builder``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.domain.access import Permission
from hub.graphql.context import Info
from hub.graphql.enums import TownKind
from hub.graphql.nodes import builder, node_type
from hub.graphql.permissions import require
from hub.graphql.prefetch import register, via
from hub.graphql.relay import Node
from hub.store import models as m

if TYPE_CHECKING:
    from hub.graphql.compounds.types import CompoundType

Compound = Annotated["CompoundType", strawberry.lazy("hub.graphql.compounds.types")]


@strawberry.type(
    name="Town",
    description="A town (镇) of the banner or the town-level 水岸新城推进办 area: the level with "
    "primary responsibility for property services (R2).",
)
class TownType(Node):
    code: str = strawberry.field(description="Administrative code (9 digits).")
    name: str = strawberry.field(description="Name, e.g. 阿勒腾席热镇.")
    kind: TownKind = strawberry.field(description="A town or a town-level office.")
    generated: bool = strawberry.field(
        description="True when the town was invented for the demo data set."
    )

    @strawberry.field(description="The communities (社区) of the town, by code.")
    def communities(self, info: Info) -> list[CommunityType]:
        return info.context.loaders.sub_jurisdictions.resolve(
            self.db_id, lambda rows: [CommunityType.from_model(row) for row in rows]
        )

    @classmethod
    def from_model(cls, row: m.Jurisdiction) -> TownType:
        return cls(
            db_id=row.id,
            code=row.code,
            name=row.name,
            kind=row.town_kind or TownKind.TOWN,
            generated=row.generated,
        )


@strawberry.type(
    name="Community",
    description="A community (社区): deliberates with committees and enterprises, mediates, and "
    "evaluates committees and enterprises (R2).",
)
class CommunityType(Node):
    code: str = strawberry.field(description="Administrative code (12 digits).")
    name: str = strawberry.field(description="Name, e.g. 园林社区.")
    generated: bool = strawberry.field(
        description="True when the community was invented for the demo data set."
    )
    retired_at: datetime | None = strawberry.field(
        description="When the community was retired (UTC; merged into another …): lists leave "
        "it out. Null while it is in use.",
    )
    retired_reason: str | None = strawberry.field(description="Why it was retired.")
    town_id: strawberry.Private[int]

    @strawberry.field(description="The town the community belongs to.")
    def town(self, info: Info) -> TownType:
        return info.context.loaders.jurisdiction.resolve(self.town_id, TownType.from_model)

    @strawberry.field(description="The compounds (住宅小区) of the community, by code.")
    def compounds(self, info: Info) -> list[Compound]:
        require(info, Permission.READ_COMPOUNDS, what="Community.compounds")
        build = builder(m.Compound)
        return info.context.loaders.compounds_by_community.resolve(
            self.db_id, lambda rows: [build(row) for row in rows]
        )

    @classmethod
    def from_model(cls, row: m.Jurisdiction) -> CommunityType:
        assert row.parent_id is not None
        return cls(
            db_id=row.id,
            code=row.code,
            name=row.name,
            generated=row.generated,
            retired_at=row.retired_at,
            retired_reason=row.retired_reason,
            town_id=row.parent_id,
        )


register("Town", communities=via(lambda loaders: loaders.sub_jurisdictions, "id", "Community"))
register(
    "Community",
    town=via(lambda loaders: loaders.jurisdiction, "parent_id", "Town"),
    compounds=via(
        lambda loaders: loaders.compounds_by_community,
        "id",
        "Compound",
        permission=Permission.READ_COMPOUNDS,
    ),
)
node_type(
    "Town",
    loader=lambda loaders: loaders.jurisdiction,
    convert=TownType.from_model,
    permission=None,
    level="TOWN",
)
node_type(
    "Community",
    loader=lambda loaders: loaders.jurisdiction,
    convert=CommunityType.from_model,
    permission=None,
    level="COMMUNITY",
)
