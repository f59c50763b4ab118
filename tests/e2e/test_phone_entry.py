"""Phone numbers on entry (issue #12, 4): a committee election's members' phones are validated,
stored in canonical form, and masked by their kind."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.graphql.relay import encode_global_id
from hub.store.models import Compound, Jurisdiction, OwnersCommittee
from tests.factories import committee_members, election_input

GQL = Callable[..., Awaitable[dict[str, Any]]]

ELECT = """
mutation Elect($input: CommitteeElectionInput!) {
  committeeElectionRecord(input: $input) {
    __typename
    ... on CommitteeElectionRecordSuccess {
      term { members { role name phone masked: phone plain: phone(unmasked: true) } }
    }
    ... on ValidationFailed { message field }
  }
}
"""


async def _compound_without_committee(session: AsyncSession) -> tuple[str, str]:
    """A compound without a committee, and the unit code of its community."""
    row = (
        await session.execute(
            sa.select(Compound.id, Jurisdiction.code)
            .join(Jurisdiction, Jurisdiction.id == Compound.community_id)
            .where(Compound.id.not_in(sa.select(OwnersCommittee.compound_id)))
            .order_by(Compound.id)
            .limit(1)
        )
    ).one()
    return encode_global_id("Compound", row[0]), f"community-{row[1]}"


def _election(compound: str, phones: list[str | None]) -> dict[str, Any]:
    """Five members with a compound surname (欧阳), one phone each."""
    members = committee_members(len(phones), surname="欧阳", phones=phones)
    return election_input(compound_id=compound, members=members)


async def test_an_election_with_a_phone_that_is_no_phone_is_refused_on_its_field(
    gql_as: Callable[[str], Awaitable[GQL]], session: AsyncSession
) -> None:
    """A member's 8-digit number without an area code is refused as ValidationFailed on that
    member's phone, saying what a phone looks like and not repeating the number."""
    compound, unit = await _compound_without_committee(session)
    gql = await gql_as(unit)
    phones = ["13800000001", "0477-8581234", "23456789", None, "13800000005"]
    body = await gql(ELECT, input=_election(compound, phones))
    result = body["data"]["committeeElectionRecord"]
    assert result["__typename"] == "ValidationFailed", result
    assert result["field"] == "members[2].phone"
    assert "a landline needs its area code" in result["message"]
    assert "23456789" not in result["message"]


async def test_elected_members_phones_are_stored_canonical_and_masked_by_kind(
    gql_as: Callable[[str], Awaitable[GQL]], session: AsyncSession
) -> None:
    """Mobiles and landlines in any accepted spelling are stored in canonical form and masked by
    their kind (138****5678, 0477-***1234); names with a compound surname keep it (欧阳**)."""
    compound, unit = await _compound_without_committee(session)
    gql = await gql_as(unit)
    phones = ["138 0000 5678", "(0477)8581234", "010-62345678转12", None, "+8619912345678"]
    body = await gql(ELECT, input=_election(compound, phones))
    result = body["data"]["committeeElectionRecord"]
    assert result["__typename"] == "CommitteeElectionRecordSuccess", result
    members = result["term"]["members"]
    assert [m["masked"] for m in members] == [
        "138****5678",
        "0477-***1234",
        "010-****5678-**",
        None,
        "199****5678",
    ]
    assert [m["plain"] for m in members] == [
        "13800005678",
        "0477-8581234",
        "010-62345678-12",
        None,
        "19912345678",
    ]
    assert all(m["name"].startswith("欧阳") and m["name"].endswith("**") for m in members)
