"""GraphQL types of residents: the resident (personal data masked unless asked for unmasked by
a viewer with the pii permission, see ``hub.graphql.pii``) and the filter of a compound's list.

Below compounds in the import order: ``Resident.compound`` points back (lazily, built through
``hub.graphql.nodes.builder``).
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry

from hub.domain.access import Permission
from hub.domain.enums import ResidentKind
from hub.domain.pii import mask
from hub.graphql import pii
from hub.graphql.context import Info
from hub.graphql.nodes import builder, node_type
from hub.graphql.permissions import require
from hub.graphql.pii import UNMASKED_DESCRIPTION
from hub.graphql.relay import (
    Connection,
    Edge,
    Node,
    PageInfo,
    check_first,
    decode_cursor,
    encode_cursor,
)
from hub.services import parameters
from hub.services.personal_data import open_field
from hub.services.residents import BY_HOME, ResidentFilter, ResidentPage
from hub.store import models as m

if TYPE_CHECKING:
    from hub.graphql.compounds.types import CompoundType

Compound = Annotated["CompoundType", strawberry.lazy("hub.graphql.compounds.types")]

RESIDENTS_PERMISSION = Permission.WRITE_MASTER_DATA
"""Who may list residents: the units that keep the register (住建局, towns, communities, each
in its jurisdiction; ``MASTER_DATA``). The role table has no permission of its own for reading
residents, and the others' grants say "no personal data"."""

ResidentKindEnum: TypeAlias = ResidentKind
strawberry.enum(
    ResidentKindEnum, name="ResidentKind", description="Owner (业主) or occupant (使用人)."
)

_TOKENS = {"name": "name_encrypted", "id_number": "id_number_encrypted", "phone": "phone_encrypted"}


@strawberry.type(
    name="Resident",
    description="An owner or occupant of a home in a compound. Name, ID number and phone are "
    "personal data: masked (张*, 150627********123X, 138****5678) unless asked for with "
    "`unmasked: true`, which needs the pii permission and is written to the audit log (one "
    "entry per resident read).",
)
class ResidentType(Node):
    kind: ResidentKindEnum = strawberry.field(description="Owner or occupant.")
    building: str = strawberry.field(description="Building (楼栋).")
    room: str = strawberry.field(description="Room (房号).")
    floor_area: float = strawberry.field(description="Floor area of the home in m².")
    retired_at: datetime | None = strawberry.field(
        description="When the resident was retired (moved out …; UTC); null while registered."
    )
    retired_reason: str | None = strawberry.field(description="Why it was retired.")
    row: strawberry.Private[m.Resident]

    @strawberry.field(description="Name: masked (张*) unless `unmasked` is true.")
    def name(
        self,
        info: Info,
        unmasked: Annotated[bool, strawberry.argument(description=UNMASKED_DESCRIPTION)] = False,
    ) -> str:
        return self._personal(info, "name", unmasked=unmasked) or ""

    @strawberry.field(
        description="Resident ID number (GB 11643): masked (150627********123X) unless "
        "`unmasked` is true."
    )
    def id_number(
        self,
        info: Info,
        unmasked: Annotated[bool, strawberry.argument(description=UNMASKED_DESCRIPTION)] = False,
    ) -> str:
        return self._personal(info, "id_number", unmasked=unmasked) or ""

    @strawberry.field(description="Phone number: masked (138****5678) unless `unmasked` is true.")
    def phone(
        self,
        info: Info,
        unmasked: Annotated[bool, strawberry.argument(description=UNMASKED_DESCRIPTION)] = False,
    ) -> str | None:
        return self._personal(info, "phone", unmasked=unmasked)

    @strawberry.field(description="The compound of the home.")
    def compound(self, info: Info) -> Compound:
        return info.context.loaders.compound.resolve(self.row.compound_id, builder(m.Compound))

    def _personal(self, info: Info, field: str, *, unmasked: bool) -> str | None:
        token = getattr(self.row, _TOKENS[field])
        if token is None:
            return None
        keyring = parameters.pii_keyring(info.context.settings)
        value = open_field(keyring, "residents", field, self.row.id, token)
        if not unmasked:
            return mask(field, value)
        return pii.unmasked(
            info, value, subject_type="Resident", subject_id=self.row.id, field=field
        )

    @classmethod
    def from_model(cls, row: m.Resident) -> ResidentType:
        return cls(
            db_id=row.id,
            kind=row.kind,
            building=row.building,
            room=row.room,
            floor_area=row.floor_area,
            retired_at=row.retired_at,
            retired_reason=row.retired_reason,
            row=row,
        )


@strawberry.input(
    description="Conditions on a compound's residents (never on personal data); all given "
    "conditions must hold."
)
class ResidentFilterInput:
    kind: ResidentKindEnum | None = strawberry.field(
        default=None, description="Owners or occupants."
    )
    building: str | None = strawberry.field(default=None, description="In this building.")
    room: str | None = strawberry.field(default=None, description="In this room.")

    def to_filter(self) -> ResidentFilter:
        return ResidentFilter(kind=self.kind, building=self.building, room=self.room)


node_type(
    "Resident",
    loader=lambda loaders: loaders.resident,
    convert=ResidentType.from_model,
    permission=RESIDENTS_PERMISSION,
)


def residents_of(
    info: Info,
    compound_id: int,
    *,
    first: int,
    after: str | None,
    filter: ResidentFilterInput | None,
) -> Connection[ResidentType]:
    """The page of ``Compound.residents``: every compound of a list asks the same loader, which
    reads the pages of all of them in one statement (and their counts, if asked, in another)."""
    require(info, RESIDENTS_PERMISSION, what="Compound.residents")
    check_first(first)
    position = decode_cursor(after, BY_HOME) if after is not None else None
    where = filter.to_filter() if filter is not None else ResidentFilter()
    loaders = info.context.loaders

    def count() -> Awaitable[int]:
        return loaders.resident_counts.load((compound_id, where))

    def build(page: ResidentPage) -> Connection[ResidentType]:
        edges = [
            Edge(cursor=encode_cursor(BY_HOME, spot), node=ResidentType.from_model(row))
            for row, spot in zip(page.rows, page.positions, strict=True)
        ]
        return Connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=position is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            count=count,
        )

    return loaders.resident_pages.resolve((compound_id, where, first, position), build)
