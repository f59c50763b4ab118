"""The mutations of residents: ``residentCreate``, ``residentUpdate`` and ``residentRetire``, by
住建局, a town in its town and a community in its community (``hub.services.residents``). The
answer and the audit entry show personal data masked."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.graphql.changes import FieldChange, change_master_data, given
from hub.graphql.context import Info
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.relay import expect_global_id
from hub.graphql.residents.inputs import ResidentCreateInput, ResidentUpdateInput
from hub.graphql.residents.types import ResidentType
from hub.services import parameters, residents
from hub.services.master_data import Changed
from hub.store import models as m

WHO = "住建局, towns and communities manage the residents of their jurisdiction"


@strawberry.type(description="The resident is created, changed or retired.")
class ResidentChangeSuccess:
    resident: ResidentType = strawberry.field(description="The resident as it is now.")
    changes: list[FieldChange] = strawberry.field(
        description="What changed (name, ID number and phone masked)."
    )


ResidentChangeResult = Annotated[
    ResidentChangeSuccess | NotPermitted | ValidationFailed,
    strawberry.union(
        "ResidentChangeResult",
        description="Result of `residentCreate`, `residentUpdate` and `residentRetire`.",
    ),
]
ID_ARGUMENT = strawberry.argument(description="The resident's global ID.")
REASON_ARGUMENT = strawberry.argument(
    description="Why it is retired (moved out, sold the home …; ≤ 200 characters, no personal "
    "data)."
)


def _success(changed: Changed[m.Resident]) -> ResidentChangeSuccess:
    return ResidentChangeSuccess(
        resident=ResidentType.from_model(changed.record), changes=FieldChange.list_of(changed)
    )


async def _change(info: Info, action: str, work: Any) -> ResidentChangeResult:
    return await change_master_data(
        info, action=action, subject_type="Resident", who=WHO, work=work, success=_success
    )


@strawberry.type
class ResidentMutation:
    @strawberry.mutation(
        name="residentCreate",
        description="Register an owner or occupant of a home (the ID number checked by GB "
        "11643; the same person twice in the same home is refused). 住建局, towns and "
        "communities, in their jurisdiction.",
    )
    async def resident_create(
        self,
        info: Info,
        input: Annotated[ResidentCreateInput, strawberry.argument(description="The resident.")],
    ) -> ResidentChangeResult:
        keyring = parameters.pii_keyring(info.context.settings)

        async def work(session: AsyncSession) -> Changed[m.Resident]:
            return await residents.create_resident(
                session, principal=info.context.viewer, keyring=keyring, values=given(input)
            )

        return await _change(info, "residentCreate", work)

    @strawberry.mutation(
        name="residentUpdate",
        description="Change a resident's fields (the fields given). 住建局, towns and "
        "communities, in their jurisdiction.",
    )
    async def resident_update(
        self,
        info: Info,
        id: Annotated[strawberry.ID, ID_ARGUMENT],
        input: Annotated[ResidentUpdateInput, strawberry.argument(description="The changes.")],
    ) -> ResidentChangeResult:
        keyring = parameters.pii_keyring(info.context.settings)

        async def work(session: AsyncSession) -> Changed[m.Resident]:
            return await residents.update_resident(
                session,
                principal=info.context.viewer,
                keyring=keyring,
                resident_id=expect_global_id(id, ResidentType),
                values=given(input),
            )

        return await _change(info, "residentUpdate", work)

    @strawberry.mutation(
        name="residentRetire",
        description="Retire a resident who moved out: the record stays for the owner credit "
        "records that name it and drops out of the compound's list. 住建局, towns and "
        "communities, in their jurisdiction.",
    )
    async def resident_retire(
        self,
        info: Info,
        id: Annotated[strawberry.ID, ID_ARGUMENT],
        reason: Annotated[str, REASON_ARGUMENT],
    ) -> ResidentChangeResult:
        async def work(session: AsyncSession) -> Changed[m.Resident]:
            return await residents.retire_resident(
                session,
                principal=info.context.viewer,
                resident_id=expect_global_id(id, ResidentType),
                reason=reason,
                now=info.context.now,
            )

        return await _change(info, "residentRetire", work)
