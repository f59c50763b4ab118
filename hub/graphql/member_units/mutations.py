"""The mutations of member units (R1): ``memberUnitCreate``, ``memberUnitUpdate`` and
``memberUnitRetire``, 住建局's alone (``hub.services.member_units``)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.graphql.changes import FieldChange, change_master_data, given
from hub.graphql.context import Info
from hub.graphql.member_units.inputs import MemberUnitCreateInput, MemberUnitUpdateInput
from hub.graphql.member_units.types import MemberUnitType
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.relay import expect_global_id
from hub.services import member_units
from hub.services.master_data import Changed
from hub.store import models as m

WHO = "住建局 (the competent department) alone manages member units"


@strawberry.type(description="The member unit is created, changed or retired.")
class MemberUnitChangeSuccess:
    member_unit: MemberUnitType = strawberry.field(description="The unit as it is now.")
    changes: list[FieldChange] = strawberry.field(description="What changed.")


MemberUnitChangeResult = Annotated[
    MemberUnitChangeSuccess | NotPermitted | ValidationFailed,
    strawberry.union(
        "MemberUnitChangeResult",
        description="Result of `memberUnitCreate`, `memberUnitUpdate` and `memberUnitRetire`.",
    ),
]
ID_ARGUMENT = strawberry.argument(description="The member unit's global ID.")
REASON_ARGUMENT = strawberry.argument(description="Why it is retired (≤ 200 characters).")


def _success(changed: Changed[m.MemberUnit]) -> MemberUnitChangeSuccess:
    return MemberUnitChangeSuccess(
        member_unit=MemberUnitType.from_model(changed.record),
        changes=FieldChange.list_of(changed),
    )


async def _change(info: Info, action: str, work: Any) -> MemberUnitChangeResult:
    return await change_master_data(
        info, action=action, subject_type="MemberUnit", who=WHO, work=work, success=_success
    )


@strawberry.type
class MemberUnitMutation:
    @strawberry.mutation(
        name="memberUnitCreate",
        description="Add a member unit to the joint conference (R1). 住建局 only.",
    )
    async def member_unit_create(
        self,
        info: Info,
        input: Annotated[MemberUnitCreateInput, strawberry.argument(description="The unit.")],
    ) -> MemberUnitChangeResult:
        async def work(session: AsyncSession) -> Changed[m.MemberUnit]:
            return await member_units.create_unit(
                session, principal=info.context.viewer, values=given(input)
            )

        return await _change(info, "memberUnitCreate", work)

    @strawberry.mutation(
        name="memberUnitUpdate",
        description="Change a member unit's name, jurisdiction or utility kind. 住建局 only.",
    )
    async def member_unit_update(
        self,
        info: Info,
        id: Annotated[strawberry.ID, ID_ARGUMENT],
        input: Annotated[MemberUnitUpdateInput, strawberry.argument(description="The changes.")],
    ) -> MemberUnitChangeResult:
        async def work(session: AsyncSession) -> Changed[m.MemberUnit]:
            return await member_units.update_unit(
                session,
                principal=info.context.viewer,
                unit_id=expect_global_id(id, MemberUnitType),
                values=given(input),
            )

        return await _change(info, "memberUnitUpdate", work)

    @strawberry.mutation(
        name="memberUnitRetire",
        description="Retire a member unit that left the conference: it stays for the records "
        "that name it, and its API keys and staff tokens stop working. 住建局 only; not its own "
        "unit.",
    )
    async def member_unit_retire(
        self,
        info: Info,
        id: Annotated[strawberry.ID, ID_ARGUMENT],
        reason: Annotated[str, REASON_ARGUMENT],
    ) -> MemberUnitChangeResult:
        async def work(session: AsyncSession) -> Changed[m.MemberUnit]:
            return await member_units.retire_unit(
                session,
                principal=info.context.viewer,
                unit_id=expect_global_id(id, MemberUnitType),
                reason=reason,
                now=info.context.now,
            )

        return await _change(info, "memberUnitRetire", work)
