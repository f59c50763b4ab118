"""The mutations of a committee's membership during a term (R9): ``committeeMemberJoin`` and
``committeeMemberLeave``, by 住建局, a town in its town and a community in its community
(``hub.services.committee_members``). Name and phone are masked in the answer and the audit."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.pii import PHONE_RULE
from hub.graphql.changes import FieldChange, change_master_data
from hub.graphql.committees.types import CommitteeMemberType, LeaveReasonEnum, OwnersCommitteeType
from hub.graphql.context import Info
from hub.graphql.enums import CommitteeMemberRole
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.relay import expect_global_id
from hub.services import committee_members, parameters
from hub.services.master_data import Changed
from hub.store import models as m

WHO = "住建局, towns and communities manage committee members in their jurisdiction"


@strawberry.input(description="A member joining an owners' committee during its current term.")
class CommitteeMemberJoinInput:
    committee_id: strawberry.ID = strawberry.field(description="The committee's global ID.")
    name: str = strawberry.field(description="Full name (personal data: stored sealed).")
    role: CommitteeMemberRole = strawberry.field(description="主任, 副主任 or 委员.")
    joined_on: date = strawberry.field(description="Day the member joins (within the term).")
    phone: str | None = strawberry.field(
        default=None, description=f"Phone (personal data: stored sealed): {PHONE_RULE}."
    )


@strawberry.input(description="A member leaving an owners' committee during its term.")
class CommitteeMemberLeaveInput:
    member_id: strawberry.ID = strawberry.field(description="The member's global ID.")
    left_on: date = strawberry.field(
        description="Day the member leaves (not before joining, not after the term)."
    )
    reason: LeaveReasonEnum = strawberry.field(
        description="SALE_OF_HOME (出售房屋), REPEATED_ABSENCE (多次缺席), RESIGNATION (辞职) "
        "or OTHER (其他)."
    )
    reason_text: str | None = strawberry.field(
        default=None,
        description="For OTHER only: why (≤ 90 characters; kept on the member, not in the audit "
        "log).",
    )


@strawberry.type(description="The member joined or left.")
class CommitteeMemberChangeSuccess:
    member: CommitteeMemberType = strawberry.field(description="The member as it is now.")
    changes: list[FieldChange] = strawberry.field(
        description="What changed (name and phone masked)."
    )


CommitteeMemberChangeResult = Annotated[
    CommitteeMemberChangeSuccess | NotPermitted | ValidationFailed,
    strawberry.union(
        "CommitteeMemberChangeResult",
        description="Result of `committeeMemberJoin` and `committeeMemberLeave`.",
    ),
]


def _success(changed: Changed[m.CommitteeMember]) -> CommitteeMemberChangeSuccess:
    return CommitteeMemberChangeSuccess(
        member=CommitteeMemberType.from_model(changed.record), changes=FieldChange.list_of(changed)
    )


async def _change(info: Info, action: str, work: Any) -> CommitteeMemberChangeResult:
    return await change_master_data(
        info, action=action, subject_type="CommitteeMember", who=WHO, work=work, success=_success
    )


@strawberry.type
class CommitteeMemberMutation:
    @strawberry.mutation(
        name="committeeMemberJoin",
        description="Record a member joining a committee's current term (R9). 住建局, towns and "
        "communities, in their jurisdiction.",
    )
    async def committee_member_join(
        self,
        info: Info,
        input: Annotated[CommitteeMemberJoinInput, strawberry.argument(description="Who joins.")],
    ) -> CommitteeMemberChangeResult:
        keyring = parameters.pii_keyring(info.context.settings)

        async def work(session: AsyncSession) -> Changed[m.CommitteeMember]:
            return await committee_members.join_member(
                session,
                principal=info.context.viewer,
                keyring=keyring,
                committee_id=expect_global_id(
                    input.committee_id, OwnersCommitteeType, field="committeeId"
                ),
                name=input.name,
                phone=input.phone,
                role=input.role,
                joined_on=input.joined_on,
            )

        return await _change(info, "committeeMemberJoin", work)

    @strawberry.mutation(
        name="committeeMemberLeave",
        description="Record a member leaving a committee during its term, with the reason (R9: "
        "membership ends on the sale of the home, repeated absence …). 住建局, towns and "
        "communities, in their jurisdiction.",
    )
    async def committee_member_leave(
        self,
        info: Info,
        input: Annotated[CommitteeMemberLeaveInput, strawberry.argument(description="Who leaves.")],
    ) -> CommitteeMemberChangeResult:
        async def work(session: AsyncSession) -> Changed[m.CommitteeMember]:
            return await committee_members.leave_member(
                session,
                principal=info.context.viewer,
                member_id=expect_global_id(input.member_id, CommitteeMemberType, field="memberId"),
                left_on=input.left_on,
                reason=input.reason,
                reason_text=input.reason_text,
            )

        return await _change(info, "committeeMemberLeave", work)
