"""Owners' committee workflows over GraphQL (R9): elections with their member and term rules,
trainings, the community's annual assessment and the re-election it may call for."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.graphql.relay import encode_global_id
from hub.services.committees import list_awaiting_reelection
from hub.services.findings import evaluate_findings
from hub.store.models import Compound, Finding, Jurisdiction, OwnersCommittee
from tests.conftest import DEMO_TODAY
from tests.factories import (
    COMMITTEE_ELECTION_RECORD,
    committee_members,
    elect_committee,
    election_input,
)

RULE = "committees.unqualified_without_election"

GQL = Callable[..., Awaitable[dict[str, Any]]]

ASSESS = """
mutation Assess($input: CommitteeAssessmentInput!) {
  committeeAssessmentRecord(input: $input) {
    __typename
    ... on CommitteeAssessmentRecordSuccess { reelectionRequired assessment { year result } }
    ... on ValidationFailed { message field }
    ... on NotPermitted { message }
  }
}
"""

TRAIN = """
mutation Train($input: CommitteeTrainingInput!) {
  committeeTrainingRecord(input: $input) {
    __typename
    ... on CommitteeTrainingRecordSuccess { training { topic attendees } }
    ... on ValidationFailed { message field }
  }
}
"""

COMMITTEE = """
query C($id: ID!) {
  node(id: $id) {
    ... on OwnersCommittee {
      awaitingReelection
      trainings { topic hours attendees }
      assessments { year result reward }
    }
  }
}
"""


@dataclass(frozen=True)
class Place:
    unit: str  # the community's unit code
    committee_id: int
    with_committee: str  # global ID of a compound with a committee
    without_committee: str  # global ID of a compound of the same community without one
    elsewhere: str  # a compound of another community


@pytest.fixture
async def place(session: AsyncSession) -> Place:
    has = sa.select(OwnersCommittee.compound_id)
    rows = (
        await session.execute(
            sa.select(Compound.id, Compound.community_id, Jurisdiction.code, Compound.id.in_(has))
            .join(Jurisdiction, Jurisdiction.id == Compound.community_id)
            .order_by(Compound.id)
        )
    ).all()
    for community_id in dict.fromkeys(r[1] for r in rows):
        mine = [r for r in rows if r[1] == community_id]
        with_ = [r for r in mine if r[3]]
        without = [r for r in mine if not r[3]]
        if with_ and without:
            committee = await session.scalar(
                sa.select(OwnersCommittee.id).where(OwnersCommittee.compound_id == with_[0][0])
            )
            other = next(r for r in rows if r[1] != community_id)
            assert committee is not None
            return Place(
                unit=f"community-{mine[0][2]}",
                committee_id=committee,
                with_committee=encode_global_id("Compound", with_[0][0]),
                without_committee=encode_global_id("Compound", without[0][0]),
                elsewhere=encode_global_id("Compound", other[0]),
            )
    raise AssertionError("the demo data has no community with and without committees")


@pytest.mark.parametrize(
    ("count", "accepted"), [(4, False), (5, True), (11, True), (12, False), (6, False)]
)
async def test_election_member_counts(
    gql_as: Callable[[str], Awaitable[GQL]], place: Place, count: int, accepted: bool
) -> None:
    """5 and 11 members found a committee; 4, 12 and an even 6 are refused on `members`."""
    gql = await gql_as(place.unit)
    election = election_input(compound_id=place.without_committee, members=committee_members(count))
    body = await gql(COMMITTEE_ELECTION_RECORD, input=election)
    result = body["data"]["committeeElectionRecord"]
    if accepted:
        assert result["__typename"] == "CommitteeElectionRecordSuccess"
        assert result["term"]["termNo"] == 1
        assert result["committee"]["foundedOn"] == "2026-11-01"
        assert len(result["term"]["members"]) == count
        # Personal data is masked in the answer, and was stored sealed.
        assert all("*" in m["name"] and "****" in m["phone"] for m in result["term"]["members"])
    else:
        assert result["__typename"] == "ValidationFailed"
        assert result["field"] == "members"


async def test_a_term_longer_than_five_years_is_refused(
    gql_as: Callable[[str], Awaitable[GQL]], place: Place
) -> None:
    """A term ending five years and a day after its start is refused on `endsOn`."""
    gql = await gql_as(place.unit)
    election = election_input(compound_id=place.without_committee, ends_on="2031-11-01")
    body = await gql(COMMITTEE_ELECTION_RECORD, input=election)
    result = body["data"]["committeeElectionRecord"]
    assert result["__typename"] == "ValidationFailed" and result["field"] == "endsOn"
    assert "2031-10-31" in result["message"]


async def test_elections_stay_in_the_jurisdiction(
    gql_as: Callable[[str], Awaitable[GQL]], gql: GQL, place: Place
) -> None:
    """Another community's compound does not exist for the caller; the banner-wide
    competent department has no write:local permission."""
    elsewhere = election_input(compound_id=place.elsewhere)
    body = await (await gql_as(place.unit))(COMMITTEE_ELECTION_RECORD, input=elsewhere)
    assert body["data"]["committeeElectionRecord"]["__typename"] == "ValidationFailed"
    body = await gql(
        COMMITTEE_ELECTION_RECORD, input=election_input(compound_id=place.with_committee)
    )
    assert body["data"]["committeeElectionRecord"]["__typename"] == "NotPermitted"


async def test_unqualified_assessment_awaits_reelection_until_a_new_election(
    gql_as: Callable[[str], Awaitable[GQL]], place: Place, session: AsyncSession
) -> None:
    """UNQUALIFIED opens a re-election finding (the community responsible); the next election
    closes it."""
    gql = await gql_as(place.unit)
    committee = encode_global_id("OwnersCommittee", place.committee_id)
    body = await gql(
        ASSESS,
        input={
            "committeeId": committee,
            "year": 2026,
            "result": "UNQUALIFIED",
            "assessedOn": "2026-11-10",
        },
    )
    result = body["data"]["committeeAssessmentRecord"]
    assert result["__typename"] == "CommitteeAssessmentRecordSuccess"
    assert result["reelectionRequired"] is True
    body = await gql(COMMITTEE, id=committee)
    assert body["data"]["node"]["awaitingReelection"] is True
    waiting = await list_awaiting_reelection(session)
    assert place.committee_id in {w.committee_id for w in waiting}
    assert await reelection_finding(session, place) == (True, place.unit)

    # A second assessment of the same year is refused.
    again = await gql(ASSESS, input={"committeeId": committee, "year": 2026, "result": "QUALIFIED"})
    assert again["data"]["committeeAssessmentRecord"]["field"] == "year"

    result = await elect_committee(
        gql,
        compound_id=place.with_committee,
        assembly_held_on="2026-11-20",
        starts_on="2026-11-24",
        ends_on="2031-11-23",
    )
    assert result["term"]["termNo"] > 1
    assert result["committee"]["awaitingReelection"] is False
    waiting = await list_awaiting_reelection(session)
    assert place.committee_id not in {w.committee_id for w in waiting}
    assert await reelection_finding(session, place) == (False, place.unit)


async def reelection_finding(session: AsyncSession, place: Place) -> tuple[bool, str | None]:
    """Evaluate the findings; (whether the committee's re-election finding is open, its
    responsible unit)."""
    await evaluate_findings(session, now=DEMO_TODAY)
    finding = await session.scalar(
        sa.select(Finding)
        .where(Finding.rule == RULE, Finding.subject_id == place.committee_id)
        .order_by(Finding.id.desc())
        .limit(1)
    )
    assert finding is not None
    return finding.closed_at is None, finding.responsible_unit


async def test_assessment_is_the_communitys_and_rewards_only_excellence(
    gql_as: Callable[[str], Awaitable[GQL]], place: Place
) -> None:
    """A town may not assess (assess:committees is the community's); a reward needs EXCELLENT."""
    committee = encode_global_id("OwnersCommittee", place.committee_id)
    town = await gql_as("town-150627100")
    body = await town(ASSESS, input={"committeeId": committee, "year": 2026, "result": "EXCELLENT"})
    assert body["data"]["committeeAssessmentRecord"]["__typename"] == "NotPermitted"
    gql = await gql_as(place.unit)
    body = await gql(
        ASSESS,
        input={"committeeId": committee, "year": 2026, "result": "QUALIFIED", "reward": "锦旗"},
    )
    assert body["data"]["committeeAssessmentRecord"]["field"] == "reward"
    body = await gql(
        ASSESS,
        input={
            "committeeId": committee,
            "year": 2026,
            "result": "EXCELLENT",
            "reward": "锦旗",
            "rewardAmount": "2000",
        },
    )
    assert (
        body["data"]["committeeAssessmentRecord"]["__typename"]
        == "CommitteeAssessmentRecordSuccess"
    )


async def test_trainings_are_recorded_and_listed(
    gql_as: Callable[[str], Awaitable[GQL]], place: Place
) -> None:
    """A training shows on the committee; one in the future is refused."""
    gql = await gql_as(place.unit)
    committee = encode_global_id("OwnersCommittee", place.committee_id)
    training = {
        "committeeId": committee,
        "heldOn": "2026-11-02",
        "topic": "《民法典》物权编",
        "hours": "2.5",
        "attendees": 5,
    }
    body = await gql(TRAIN, input=training)
    assert body["data"]["committeeTrainingRecord"]["__typename"] == "CommitteeTrainingRecordSuccess"
    body = await gql(TRAIN, input={**training, "heldOn": str(date(2027, 1, 1))})
    assert body["data"]["committeeTrainingRecord"]["field"] == "heldOn"
    body = await gql(COMMITTEE, id=committee)
    assert {"topic": "《民法典》物权编", "hours": "2.5", "attendees": 5} in body["data"]["node"][
        "trainings"
    ]
