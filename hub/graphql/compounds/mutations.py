"""The mutations of compounds as master data: ``compoundCreate``, ``compoundUpdate`` and
``compoundRetire``, by 住建局, a town in its town and a community in its community
(``hub.services.compound_changes``)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.graphql.changes import FieldChange, change_master_data, given
from hub.graphql.compounds.inputs import CompoundCreateInput, CompoundUpdateInput
from hub.graphql.compounds.types import CompoundType
from hub.graphql.context import Info
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.relay import expect_global_id
from hub.services import compound_changes
from hub.services.master_data import Changed
from hub.store import models as m

WHO = "住建局, towns and communities manage the compounds of their jurisdiction"


@strawberry.type(description="The compound is created, changed or retired.")
class CompoundChangeSuccess:
    compound: CompoundType = strawberry.field(description="The compound as it is now.")
    changes: list[FieldChange] = strawberry.field(description="What changed.")


CompoundChangeResult = Annotated[
    CompoundChangeSuccess | NotPermitted | ValidationFailed,
    strawberry.union(
        "CompoundChangeResult",
        description="Result of `compoundCreate`, `compoundUpdate` and `compoundRetire`.",
    ),
]
ID_ARGUMENT = strawberry.argument(description="The compound's global ID.")
REASON_ARGUMENT = strawberry.argument(description="Why it is retired (≤ 200 characters).")


def _success(changed: Changed[m.Compound]) -> CompoundChangeSuccess:
    return CompoundChangeSuccess(
        compound=CompoundType.from_model(changed.record), changes=FieldChange.list_of(changed)
    )


async def _change(info: Info, action: str, work: Any) -> CompoundChangeResult:
    return await change_master_data(
        info, action=action, subject_type="Compound", who=WHO, work=work, success=_success
    )


@strawberry.type
class CompoundMutation:
    @strawberry.mutation(
        name="compoundCreate",
        description="Add a compound to a community, every column checked. 住建局, towns and "
        "communities, in their jurisdiction.",
    )
    async def compound_create(
        self,
        info: Info,
        input: Annotated[CompoundCreateInput, strawberry.argument(description="The compound.")],
    ) -> CompoundChangeResult:
        async def work(session: AsyncSession) -> Changed[m.Compound]:
            return await compound_changes.create_compound(
                session,
                principal=info.context.viewer,
                values=given(input),
                today=info.context.today,
            )

        return await _change(info, "compoundCreate", work)

    @strawberry.mutation(
        name="compoundUpdate",
        description="Change a compound's columns (the fields given). 住建局, towns and "
        "communities, in their jurisdiction.",
    )
    async def compound_update(
        self,
        info: Info,
        id: Annotated[strawberry.ID, ID_ARGUMENT],
        input: Annotated[CompoundUpdateInput, strawberry.argument(description="The changes.")],
    ) -> CompoundChangeResult:
        async def work(session: AsyncSession) -> Changed[m.Compound]:
            return await compound_changes.update_compound(
                session,
                principal=info.context.viewer,
                compound_id=expect_global_id(id, CompoundType),
                values=given(input),
                today=info.context.today,
            )

        return await _change(info, "compoundUpdate", work)

    @strawberry.mutation(
        name="compoundRetire",
        description="Retire a compound (entered twice, merged …): it stays for its contracts, "
        "committee and residents and drops out of lists and statistics. 住建局, towns and "
        "communities, in their jurisdiction.",
    )
    async def compound_retire(
        self,
        info: Info,
        id: Annotated[strawberry.ID, ID_ARGUMENT],
        reason: Annotated[str, REASON_ARGUMENT],
    ) -> CompoundChangeResult:
        async def work(session: AsyncSession) -> Changed[m.Compound]:
            return await compound_changes.retire_compound(
                session,
                principal=info.context.viewer,
                compound_id=expect_global_id(id, CompoundType),
                reason=reason,
                now=info.context.now,
            )

        return await _change(info, "compoundRetire", work)
