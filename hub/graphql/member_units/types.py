"""The GraphQL type of a member unit of the joint conference (联席会议成员单位, R1)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from hub.graphql.context import Info
from hub.graphql.enums import UnitRole, UtilityKind
from hub.graphql.nodes import node_type
from hub.graphql.relay import Node
from hub.store import models as m


@strawberry.type(
    name="MemberUnit",
    description="A member unit of the joint conference (联席会议成员单位) or a utility company "
    "(R1): the unit behind API keys and staff tokens. A retired unit's credentials no longer "
    "work.",
)
class MemberUnitType(Node):
    code: str = strawberry.field(description="Stable code (e.g. `zjj`, `town-150627100`).")
    name: str = strawberry.field(description="Name, e.g. 伊金霍洛旗住房和城乡建设局.")
    role: UnitRole = strawberry.field(description="Its role, which its credentials carry.")
    utility_kind: UtilityKind | None = strawberry.field(
        description="For a utility company: what it supplies."
    )
    retired_at: datetime | None = strawberry.field(
        description="When the unit was retired (UTC); null while it is a member."
    )
    retired_reason: str | None = strawberry.field(description="Why it was retired.")
    jurisdiction_id: strawberry.Private[int | None]

    @strawberry.field(
        description="Code of the jurisdiction it works in: its town or community, or the banner."
    )
    def jurisdiction_code(self, info: Info) -> str | None:
        if self.jurisdiction_id is None:
            return None
        return info.context.loaders.jurisdiction.resolve(
            self.jurisdiction_id, lambda row: row.code if row else None
        )

    @classmethod
    def from_model(cls, row: m.MemberUnit) -> MemberUnitType:
        return cls(
            db_id=row.id,
            code=row.code,
            name=row.name,
            role=row.role,
            utility_kind=row.utility_kind,
            retired_at=row.retired_at,
            retired_reason=row.retired_reason,
            jurisdiction_id=row.jurisdiction_id,
        )


node_type(
    "MemberUnit",
    loader=lambda loaders: loaders.member_unit,
    convert=MemberUnitType.from_model,
    permission=None,
)
