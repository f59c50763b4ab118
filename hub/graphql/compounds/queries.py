"""The root fields ``compounds`` and ``compound``, and their filter and ordering."""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry

from hub.domain.access import Permission
from hub.errors import BadUserInput, NotFound
from hub.graphql.compounds.types import CompoundType
from hub.graphql.context import Info
from hub.graphql.permissions import require
from hub.graphql.prefetch import prefetch_nodes, prefetch_object
from hub.graphql.relay import (
    AFTER,
    DEFAULT_PAGE_SIZE,
    FIRST,
    Connection,
    expect_global_id,
    paginate,
)
from hub.services import compounds
from hub.services.compounds import CompoundFilter


@strawberry.input(description="Conditions on compounds; all given conditions must hold.")
class CompoundFilterInput:
    town_code: str | None = strawberry.field(default=None, description="In this town.")
    community_code: str | None = strawberry.field(default=None, description="In this community.")
    has_committee: bool | None = strawberry.field(
        default=None, description="With (true) or without (false) an owners' committee."
    )
    has_enterprise: bool | None = strawberry.field(
        default=None, description="Served (true) or not served (false) by an enterprise today."
    )
    name_contains: str | None = strawberry.field(
        default=None, description="Name contains this text."
    )

    def to_filter(self) -> CompoundFilter:
        return CompoundFilter(
            town_code=self.town_code,
            community_code=self.community_code,
            has_committee=self.has_committee,
            has_enterprise=self.has_enterprise,
            name_contains=self.name_contains,
        )


@strawberry.enum(description="Orderings of compound lists.")
class CompoundOrder(enum.Enum):
    NAME = strawberry.enum_value("NAME", description="By name.")
    CODE = strawberry.enum_value("CODE", description="By code.")
    HOUSEHOLDS_DESC = strawberry.enum_value("HOUSEHOLDS_DESC", description="Most households first.")


@strawberry.type
class CompoundQuery:
    @strawberry.field(name="compounds", description="Compounds (住宅小区), filtered and paged.")
    async def compounds(
        self,
        info: Info,
        filter: Annotated[
            CompoundFilterInput | None,
            strawberry.argument(description="Conditions on the compounds."),
        ] = None,
        order_by: Annotated[
            CompoundOrder, strawberry.argument(description="Ordering of the list.")
        ] = CompoundOrder.NAME,
        first: Annotated[int, FIRST] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[CompoundType]:
        require(info, Permission.READ_COMPOUNDS, what="compounds")
        where = filter.to_filter() if filter else CompoundFilter()
        today, viewer = info.context.today, info.context.viewer
        stmt = await info.context.db.run(
            lambda s: compounds.select_compounds(s, where=where, on=today, principal=viewer)
        )
        return await paginate(
            info.context.db,
            stmt,
            ordering=compounds.ORDERINGS[order_by.name],
            first=first,
            after=after,
            to_node=CompoundType.from_model,
            prefetch=lambda rows: prefetch_nodes(info, "Compound", rows),
        )

    @strawberry.field(name="compound", description="One compound, by global ID or by code.")
    async def compound(
        self,
        info: Info,
        id: Annotated[strawberry.ID | None, strawberry.argument(description="Global ID.")] = None,
        code: Annotated[str | None, strawberry.argument(description="Compound code.")] = None,
    ) -> CompoundType:
        require(info, Permission.READ_COMPOUNDS, what="compound")
        if (id is None) == (code is None):
            raise BadUserInput("give exactly one of id and code")
        if id is not None:
            db_id = expect_global_id(id, CompoundType)
        else:
            assert code is not None
            found = await info.context.db.run(
                lambda s: compounds.get_by_code_or_raise(s, code=code)
            )
            db_id = found.id
        # Through the loader, which reads within the viewer's scope: out of scope is not found.
        row = await info.context.loaders.compound.load(db_id)
        if row is None:
            raise NotFound(
                "no compound has this ID" if id else f"no compound has the code {code!r}"
            )
        await prefetch_object(info, "Compound", [row])
        return CompoundType.from_model(row)
