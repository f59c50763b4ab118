"""The mutations of communities: ``communityCreate``, ``communityUpdate`` and
``communityRetire``, by 住建局 and by a town in its town (``hub.services.communities``)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.graphql.changes import FieldChange, change_master_data, given
from hub.graphql.context import Info
from hub.graphql.jurisdictions.inputs import CommunityCreateInput, CommunityUpdateInput
from hub.graphql.jurisdictions.types import CommunityType
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.relay import expect_global_id
from hub.services import communities
from hub.services.master_data import Changed
from hub.store import models as m

WHO = "住建局 manages every community, a town the communities of its town"


@strawberry.type(description="The community is created, changed or retired.")
class CommunityChangeSuccess:
    community: CommunityType = strawberry.field(description="The community as it is now.")
    changes: list[FieldChange] = strawberry.field(description="What changed.")


CommunityChangeResult = Annotated[
    CommunityChangeSuccess | NotPermitted | ValidationFailed,
    strawberry.union(
        "CommunityChangeResult",
        description="Result of `communityCreate`, `communityUpdate` and `communityRetire`.",
    ),
]
ID_ARGUMENT = strawberry.argument(description="The community's global ID.")
REASON_ARGUMENT = strawberry.argument(description="Why it is retired (≤ 200 characters).")


def _success(changed: Changed[m.Jurisdiction]) -> CommunityChangeSuccess:
    return CommunityChangeSuccess(
        community=CommunityType.from_model(changed.record), changes=FieldChange.list_of(changed)
    )


async def _change(info: Info, action: str, work: Any) -> CommunityChangeResult:
    return await change_master_data(
        info, action=action, subject_type="Community", who=WHO, work=work, success=_success
    )


@strawberry.type
class CommunityMutation:
    @strawberry.mutation(
        name="communityCreate",
        description="Add a community to a town. 住建局, or the town's own unit.",
    )
    async def community_create(
        self,
        info: Info,
        input: Annotated[CommunityCreateInput, strawberry.argument(description="The community.")],
    ) -> CommunityChangeResult:
        async def work(session: AsyncSession) -> Changed[m.Jurisdiction]:
            return await communities.create_community(
                session, principal=info.context.viewer, values=given(input)
            )

        return await _change(info, "communityCreate", work)

    @strawberry.mutation(
        name="communityUpdate",
        description="Rename a community. 住建局, or the town's own unit.",
    )
    async def community_update(
        self,
        info: Info,
        id: Annotated[strawberry.ID, ID_ARGUMENT],
        input: Annotated[CommunityUpdateInput, strawberry.argument(description="The changes.")],
    ) -> CommunityChangeResult:
        async def work(session: AsyncSession) -> Changed[m.Jurisdiction]:
            return await communities.update_community(
                session,
                principal=info.context.viewer,
                community_id=expect_global_id(id, CommunityType),
                values=given(input),
            )

        return await _change(info, "communityUpdate", work)

    @strawberry.mutation(
        name="communityRetire",
        description="Retire a community (merged into another …) once none of its compounds is "
        "live: it stays for the records that name it and drops out of lists. 住建局, or the "
        "town's own unit.",
    )
    async def community_retire(
        self,
        info: Info,
        id: Annotated[strawberry.ID, ID_ARGUMENT],
        reason: Annotated[str, REASON_ARGUMENT],
    ) -> CommunityChangeResult:
        async def work(session: AsyncSession) -> Changed[m.Jurisdiction]:
            return await communities.retire_community(
                session,
                principal=info.context.viewer,
                community_id=expect_global_id(id, CommunityType),
                reason=reason,
                now=info.context.now,
            )

        return await _change(info, "communityRetire", work)
