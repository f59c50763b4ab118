"""The inputs of the committee workflows (R9): elections, trainings, annual assessments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from hub.domain.pii import PHONE_RULE
from hub.graphql.committees.types import CommitteeAssessmentResultEnum
from hub.graphql.enums import CommitteeMemberRole


@strawberry.input(description="A member elected by the owners' assembly.")
class CommitteeMemberInput:
    name: str = strawberry.field(description="Full name (personal data: stored encrypted).")
    role: CommitteeMemberRole = strawberry.field(description="主任, 副主任 or 委员.")
    phone: str | None = strawberry.field(
        default=None,
        description=f"Phone number (personal data: stored encrypted): {PHONE_RULE}.",
    )


@strawberry.input(
    description="An election by an owners' assembly (业主大会): the compound's first committee "
    "(its founding) or the next term. 5–11 members, an odd number, one chair and at least one "
    "vice-chair; a term of at most 5 years."
)
class CommitteeElectionInput:
    compound_id: strawberry.ID = strawberry.field(description="The compound's global ID.")
    assembly_held_on: date = strawberry.field(description="Day of the electing assembly.")
    starts_on: date = strawberry.field(description="First day of the term.")
    ends_on: date = strawberry.field(description="Last day of the term (≤ 5 years).")
    members: list[CommitteeMemberInput] = strawberry.field(description="The members elected.")


@strawberry.input(description="A training given to a committee's members.")
class CommitteeTrainingInput:
    committee_id: strawberry.ID = strawberry.field(description="The committee's global ID.")
    held_on: date = strawberry.field(description="Day of the training (today or before).")
    topic: str = strawberry.field(description="What it was about.")
    hours: Decimal = strawberry.field(description="Length in hours (0–24).")
    attendees: int = strawberry.field(description="Members who attended.")


@strawberry.input(description="The community's annual assessment of a committee.")
class CommitteeAssessmentInput:
    committee_id: strawberry.ID = strawberry.field(description="The committee's global ID.")
    year: int = strawberry.field(description="The year assessed (one assessment per year).")
    result: CommitteeAssessmentResultEnum = strawberry.field(
        description="EXCELLENT, QUALIFIED or UNQUALIFIED."
    )
    assessed_on: date | None = strawberry.field(default=None, description="Day; today if absent.")
    reward: str | None = strawberry.field(
        default=None, description="Reward of an EXCELLENT committee (表彰奖励)."
    )
    reward_amount: Decimal | None = strawberry.field(
        default=None, description="The reward's amount in yuan, if money."
    )
    note: str | None = strawberry.field(default=None, description="Remarks.")
