"""Committee members during a term over GraphQL (R9): a member joins the current term and
leaves it with a reason from the fixed list, within the caller's jurisdiction; name and phone
are sealed, and masked in the answer and in the audit entry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.graphql.relay import encode_global_id
from hub.store.models import AuditEntry, CommitteeMember, Compound, Jurisdiction, OwnersCommittee
from tests.conftest import GraphQLCall
from tests.factories import elect_committee

GqlAs = Callable[[str | None], Awaitable[GraphQLCall]]
COMMUNITY = "150627100001"
COMMUNITY_UNIT = f"community-{COMMUNITY}"
NAME, PHONE = "赵丽华", "13711112222"

PAYLOAD = """
    __typename
    ... on CommitteeMemberChangeSuccess {
      member { id role name phone joinedOn leftOn leftReasonKind leftReason }
      changes { field before after }
    }
    ... on ValidationFailed { message field problems { field code } }
    ... on NotPermitted { message }
"""
JOIN = f"""mutation($input: CommitteeMemberJoinInput!) {{
  committeeMemberJoin(input: $input) {{ {PAYLOAD} }}
}}"""
LEAVE = f"""mutation($input: CommitteeMemberLeaveInput!) {{
  committeeMemberLeave(input: $input) {{ {PAYLOAD} }}
}}"""


@pytest.fixture
async def committee(gql_as: GqlAs, session: AsyncSession) -> str:
    """The global ID of a committee elected just now (term 2026-11-01 to 2031-10-31) in a
    compound of the demo's first community that had none."""
    has = sa.select(OwnersCommittee.compound_id)
    compound = await session.scalar(
        sa.select(Compound.id)
        .join(Jurisdiction, Jurisdiction.id == Compound.community_id)
        .where(Jurisdiction.code == COMMUNITY, Compound.id.not_in(has))
        .order_by(Compound.id)
    )
    assert compound is not None, "the demo's first community has no compound without committee"
    elected = await elect_committee(
        await gql_as(COMMUNITY_UNIT), compound_id=encode_global_id("Compound", compound)
    )
    return str(elected["committee"]["id"])


def join_input(committee: str, **fields: Any) -> dict[str, Any]:
    return {
        "committeeId": committee,
        "name": NAME,
        "phone": PHONE,
        "role": "MEMBER",
        "joinedOn": "2026-11-20",
        **fields,
    }


async def last_entry(session: AsyncSession, action: str) -> AuditEntry:
    entry = await session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())
    )
    assert entry is not None
    return entry


async def test_a_member_joins_the_current_term_sealed_and_audited_masked(
    gql_as: GqlAs, session: AsyncSession, committee: str
) -> None:
    """committeeMemberJoin adds a member to the latest term; name and phone are stored sealed
    and shown masked in the answer and in the audit entry."""
    gql = await gql_as(COMMUNITY_UNIT)
    body = await gql(JOIN, input=join_input(committee))
    result = body["data"]["committeeMemberJoin"]
    assert result["__typename"] == "CommitteeMemberChangeSuccess", result
    assert result["member"]["name"] == "赵**" and result["member"]["phone"] == "137****2222"
    row = await session.scalar(sa.select(CommitteeMember).order_by(CommitteeMember.id.desc()))
    assert row is not None and NAME not in row.name_encrypted
    entry = await last_entry(session, "committeeMemberJoin")
    assert entry.subject_type == "CommitteeMember" and entry.subject_id == str(row.id)
    assert NAME not in repr(entry.detail) and PHONE not in repr(entry.detail)
    assert entry.detail is not None
    assert entry.detail["changes"]["name"] == {"before": None, "after": "赵**"}
    assert entry.detail["changes"]["term_no"]["after"] == 1


async def test_a_member_joins_only_during_the_term(gql: GraphQLCall, committee: str) -> None:
    """A day before the term starts is refused on joinedOn; so is a phone of no known kind."""
    body = await gql(JOIN, input=join_input(committee, joinedOn="2026-10-31"))
    assert body["data"]["committeeMemberJoin"]["field"] == "joinedOn"
    body = await gql(JOIN, input=join_input(committee, phone="12"))
    assert body["data"]["committeeMemberJoin"]["field"] == "phone"


async def test_a_member_leaves_with_a_reason_from_the_list(
    gql: GraphQLCall, session: AsyncSession, committee: str
) -> None:
    """committeeMemberLeave with SALE_OF_HOME records 出售房屋; leaving twice is refused."""
    joined = await gql(JOIN, input=join_input(committee))
    member = joined["data"]["committeeMemberJoin"]["member"]["id"]
    body = await gql(
        LEAVE, input={"memberId": member, "leftOn": "2026-11-24", "reason": "SALE_OF_HOME"}
    )
    result = body["data"]["committeeMemberLeave"]
    assert result["__typename"] == "CommitteeMemberChangeSuccess", result
    assert result["member"]["leftReasonKind"] == "SALE_OF_HOME"
    assert result["member"]["leftReason"] == "出售房屋"
    entry = await last_entry(session, "committeeMemberLeave")
    assert entry.detail is not None
    assert entry.detail["changes"]["left_reason_kind"]["after"] == "SALE_OF_HOME"
    again = await gql(
        LEAVE, input={"memberId": member, "leftOn": "2026-11-25", "reason": "RESIGNATION"}
    )
    assert again["data"]["committeeMemberLeave"]["field"] == "memberId"


async def test_other_needs_a_text_which_stays_out_of_the_audit_log(
    gql: GraphQLCall, session: AsyncSession, committee: str
) -> None:
    """OTHER without a text is refused; with one it is kept as 其他：… on the member and not
    repeated in the audit entry (it may name a person)."""
    joined = await gql(JOIN, input=join_input(committee))
    member = joined["data"]["committeeMemberJoin"]["member"]["id"]
    leave = {"memberId": member, "leftOn": "2026-11-24", "reason": "OTHER"}
    body = await gql(LEAVE, input=leave)
    assert body["data"]["committeeMemberLeave"]["field"] == "reasonText"
    body = await gql(LEAVE, input={**leave, "reasonText": "长期在外地工作"})
    assert body["data"]["committeeMemberLeave"]["member"]["leftReason"] == "其他：长期在外地工作"
    entry = await last_entry(session, "committeeMemberLeave")
    assert "长期在外地工作" not in repr(entry.detail)
    body = await gql(LEAVE, input={**leave, "reason": "RESIGNATION", "reasonText": "多余的说明"})
    assert body["data"]["committeeMemberLeave"]["field"] == "reasonText"


async def test_committee_members_stay_in_the_jurisdiction(gql_as: GqlAs, committee: str) -> None:
    """Another community's unit does not reach the committee; a department manages no member."""
    theirs = await gql_as("community-150627100002")
    body = await theirs(JOIN, input=join_input(committee))
    assert body["data"]["committeeMemberJoin"]["field"] == "committeeId"
    department = await gql_as("cgj")
    body = await department(JOIN, input=join_input(committee))
    assert body["data"]["committeeMemberJoin"]["__typename"] == "NotPermitted"
