"""GraphQL types of owners' committees (业主委员会, R9), and the mutations of their workflow:
elections, trainings and the community's annual assessment. Members' personal data is masked
unless asked for unmasked by a viewer with the pii permission (see ``hub.graphql.pii``).
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Permission
from hub.domain.committees import CommitteeAssessmentResult, Election, awaits_reelection
from hub.domain.pii import PHONE_RULE, mask
from hub.graphql import pii
from hub.graphql.context import Info
from hub.graphql.enums import CommitteeMemberRole, CommitteeStatus
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.pii import UNMASKED_DESCRIPTION
from hub.graphql.prefetch import register, via
from hub.graphql.relay import Node, expect_global_id
from hub.graphql.workflow import perform
from hub.services import committees
from hub.services.committees import CommitteeFilter
from hub.services.personal_data import open_field
from hub.store import committee_models as cm
from hub.store import models as m

if TYPE_CHECKING:
    from hub.graphql.compounds import CompoundType

Compound = Annotated["CompoundType", strawberry.lazy("hub.graphql.compounds")]


@strawberry.type(
    name="CommitteeMember",
    description="A member of an owners' committee. Name and phone are personal data: masked "
    "(张*, 138****5678) unless asked for with `unmasked: true`, which needs the pii permission "
    "and is written to the audit log.",
)
class CommitteeMemberType:
    role: CommitteeMemberRole = strawberry.field(description="主任, 副主任 or 委员.")
    joined_on: date = strawberry.field(description="Date the member joined.")
    left_on: date | None = strawberry.field(description="Date the member left, if they did.")
    left_reason: str | None = strawberry.field(description="Why the member left (房屋出售 …).")
    row: strawberry.Private[m.CommitteeMember]

    @strawberry.field(description="Name: masked (张*) unless `unmasked` is true.")
    def name(
        self,
        info: Info,
        unmasked: Annotated[bool, strawberry.argument(description=UNMASKED_DESCRIPTION)] = False,
    ) -> str:
        return self._personal(info, "name", unmasked=unmasked) or ""

    @strawberry.field(description="Phone number: masked (138****5678) unless `unmasked` is true.")
    def phone(
        self,
        info: Info,
        unmasked: Annotated[bool, strawberry.argument(description=UNMASKED_DESCRIPTION)] = False,
    ) -> str | None:
        return self._personal(info, "phone", unmasked=unmasked)

    def _personal(self, info: Info, field: str, *, unmasked: bool) -> str | None:
        token = self.row.name_encrypted if field == "name" else self.row.phone_encrypted
        if token is None:
            return None
        keyring = info.context.settings.pii_keyring()
        value = open_field(keyring, "committee_members", field, self.row.id, token)
        if not unmasked:
            return mask(field, value)
        return pii.unmasked(
            info, value, subject_type="CommitteeMember", subject_id=self.row.id, field=field
        )

    @classmethod
    def from_model(cls, row: m.CommitteeMember) -> CommitteeMemberType:
        return cls(
            role=row.role,
            joined_on=row.joined_on,
            left_on=row.left_on,
            left_reason=row.left_reason,
            row=row,
        )


@strawberry.type(
    name="CommitteeTerm",
    description="A term of an owners' committee, elected by an owners' assembly (业主大会); "
    "at most 5 years.",
)
class CommitteeTermType:
    term_no: int = strawberry.field(description="1 for the first committee, 2 for the next …")
    assembly_held_on: date = strawberry.field(description="Date of the electing owners' assembly.")
    starts_on: date = strawberry.field(description="First day of the term.")
    ends_on: date = strawberry.field(description="Last day of the term.")
    term_db_id: strawberry.Private[int]

    @strawberry.field(description="Members of the committee in this term.")
    def members(self, info: Info) -> list[CommitteeMemberType]:
        def build(rows: list[m.CommitteeMember]) -> list[CommitteeMemberType]:
            return [CommitteeMemberType.from_model(r) for r in rows]

        return info.context.loaders.members_by_term.resolve(self.term_db_id, build)

    @classmethod
    def from_model(cls, row: m.CommitteeTerm) -> CommitteeTermType:
        return cls(
            term_no=row.term_no,
            assembly_held_on=row.assembly_held_on,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            term_db_id=row.id,
        )


@strawberry.type(name="OwnersCommittee", description="An owners' committee (业主委员会) (R9).")
class OwnersCommitteeType(Node):
    founded_on: date = strawberry.field(description="Date the first committee was elected.")
    status: CommitteeStatus = strawberry.field(description="Active, term expired or dissolved.")
    compound_id: strawberry.Private[int]

    @strawberry.field(description="The compound of the committee.")
    def compound(self, info: Info) -> Compound:
        from hub.graphql.compounds import CompoundType

        return info.context.loaders.compound.resolve(self.compound_id, CompoundType.from_model)

    @strawberry.field(description="All terms, first term first.")
    def terms(self, info: Info) -> list[CommitteeTermType]:
        return info.context.loaders.terms_by_committee.resolve(
            self.db_id, lambda rows: [CommitteeTermType.from_model(r) for r in rows]
        )

    @strawberry.field(description="The latest term (the current one unless it has expired).")
    def current_term(self, info: Info) -> CommitteeTermType | None:
        return info.context.loaders.terms_by_committee.resolve(
            self.db_id, lambda rows: CommitteeTermType.from_model(rows[-1]) if rows else None
        )

    @strawberry.field(description="True when the latest term ended before today (换届逾期).")
    def term_expired(self, info: Info) -> bool:
        today = info.context.today
        return info.context.loaders.terms_by_committee.resolve(
            self.db_id, lambda rows: bool(rows) and rows[-1].ends_on < today
        )

    @strawberry.field(description="Trainings of the members (培训), oldest first.")
    def trainings(self, info: Info) -> list[CommitteeTrainingType]:
        return info.context.loaders.trainings_by_committee.resolve(
            self.db_id, lambda rows: [CommitteeTrainingType.from_model(r) for r in rows]
        )

    @strawberry.field(description="The community's annual assessments (年度考核), oldest first.")
    def assessments(self, info: Info) -> list[CommitteeAssessmentType]:
        return info.context.loaders.committee_assessments.resolve(
            self.db_id, lambda rows: [CommitteeAssessmentType.from_model(r) for r in rows]
        )

    @strawberry.field(
        description="True while the latest assessment is UNQUALIFIED and no owners' assembly "
        "has elected a new committee since (换届改选督办)."
    )
    async def awaiting_reelection(self, info: Info) -> bool:
        assessments = await info.context.loaders.committee_assessments.load(self.db_id)
        if not assessments:
            return False
        terms = await info.context.loaders.terms_by_committee.load(self.db_id)
        latest = assessments[-1]
        return awaits_reelection(
            result=latest.result,
            assessed_on=latest.assessed_on,
            last_assembly_on=max((t.assembly_held_on for t in terms), default=None),
        )

    @classmethod
    def from_model(cls, row: m.OwnersCommittee) -> OwnersCommitteeType:
        return cls(
            db_id=row.id, founded_on=row.founded_on, status=row.status, compound_id=row.compound_id
        )


register("CommitteeTerm", members=via(lambda loaders: loaders.members_by_term, "id", None))
register(
    "OwnersCommittee",
    compound=via(lambda loaders: loaders.compound, "compound_id", "Compound"),
    terms=via(lambda loaders: loaders.terms_by_committee, "id", "CommitteeTerm"),
    currentTerm=via(lambda loaders: loaders.terms_by_committee, "id", "CommitteeTerm"),
    termExpired=via(lambda loaders: loaders.terms_by_committee, "id", None),
)
register(
    "OwnersCommittee",
    trainings=via(lambda loaders: loaders.trainings_by_committee, "id", None),
    assessments=via(lambda loaders: loaders.committee_assessments, "id", None),
)


@strawberry.input(description="Conditions on owners' committees; all given conditions must hold.")
class CommitteeFilterInput:
    town_code: str | None = strawberry.field(default=None, description="In this town.")
    community_code: str | None = strawberry.field(default=None, description="In this community.")
    status: CommitteeStatus | None = strawberry.field(default=None, description="In this state.")

    def to_filter(self) -> CommitteeFilter:
        return CommitteeFilter(
            town_code=self.town_code, community_code=self.community_code, status=self.status
        )


@strawberry.enum(description="Orderings of committee lists.")
class CommitteeOrder(enum.Enum):
    COMPOUND_CODE = strawberry.enum_value("COMPOUND_CODE", description="By compound code.")
    FOUNDED_ON = strawberry.enum_value("FOUNDED_ON", description="Oldest committee first.")


# The committee workflows (R9): elections, trainings, annual assessments -----------------------

CommitteeAssessmentResultEnum = strawberry.enum(
    CommitteeAssessmentResult,
    name="CommitteeAssessmentResult",
    description="The community's annual assessment of a committee: EXCELLENT (优秀, rewarded), "
    "QUALIFIED (合格) or UNQUALIFIED (不合格: the owners' assembly is guided to elect a new "
    "committee, and a re-election finding stays open until it does).",
)


@strawberry.type(
    name="CommitteeTraining",
    description="A training of a committee's members (业主委员会培训), given by the town or "
    "community (R9).",
)
class CommitteeTrainingType(Node):
    held_on: date = strawberry.field(description="Day of the training.")
    topic: str = strawberry.field(description="What it was about.")
    hours: Decimal = strawberry.field(description="Length in hours.")
    attendees: int = strawberry.field(description="Members who attended.")

    @classmethod
    def from_model(cls, row: cm.CommitteeTraining) -> CommitteeTrainingType:
        return cls(
            db_id=row.id,
            held_on=row.held_on,
            topic=row.topic,
            hours=row.hours,
            attendees=row.attendees,
        )


@strawberry.type(
    name="CommitteeAssessment",
    description="The community's annual assessment of a committee (业主委员会年度考核, R9).",
)
class CommitteeAssessmentType(Node):
    year: int = strawberry.field(description="The year assessed.")
    result: CommitteeAssessmentResultEnum = strawberry.field(  # type: ignore[valid-type]
        description="EXCELLENT, QUALIFIED or UNQUALIFIED."
    )
    assessed_on: date = strawberry.field(description="Day of the assessment.")
    reward: str | None = strawberry.field(description="The reward of an excellent committee.")
    reward_amount: Decimal | None = strawberry.field(description="Its amount in yuan, if money.")
    note: str | None = strawberry.field(description="The community's remarks.")

    @classmethod
    def from_model(cls, row: cm.CommitteeAssessment) -> CommitteeAssessmentType:
        return cls(
            db_id=row.id,
            year=row.year,
            result=row.result,
            assessed_on=row.assessed_on,
            reward=row.reward,
            reward_amount=row.reward_amount,
            note=row.note,
        )


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


@strawberry.type(description="The election is recorded.")
class CommitteeElectionRecordSuccess:
    committee: OwnersCommitteeType = strawberry.field(description="The committee (new or not).")
    term: CommitteeTermType = strawberry.field(description="The term just elected.")


@strawberry.input(description="A training given to a committee's members.")
class CommitteeTrainingInput:
    committee_id: strawberry.ID = strawberry.field(description="The committee's global ID.")
    held_on: date = strawberry.field(description="Day of the training (today or before).")
    topic: str = strawberry.field(description="What it was about.")
    hours: Decimal = strawberry.field(description="Length in hours (0–24).")
    attendees: int = strawberry.field(description="Members who attended.")


@strawberry.type(description="The training is recorded.")
class CommitteeTrainingRecordSuccess:
    training: CommitteeTrainingType = strawberry.field(description="The training.")


@strawberry.input(description="The community's annual assessment of a committee.")
class CommitteeAssessmentInput:
    committee_id: strawberry.ID = strawberry.field(description="The committee's global ID.")
    year: int = strawberry.field(description="The year assessed (one assessment per year).")
    result: CommitteeAssessmentResultEnum = strawberry.field(  # type: ignore[valid-type]
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


@strawberry.type(description="The assessment is recorded.")
class CommitteeAssessmentRecordSuccess:
    assessment: CommitteeAssessmentType = strawberry.field(description="The assessment.")
    reelection_required: bool = strawberry.field(
        description="True for UNQUALIFIED: a re-election finding is open until a new election."
    )


CommitteeElectionRecordResult = Annotated[
    CommitteeElectionRecordSuccess | NotPermitted | ValidationFailed,
    strawberry.union(
        "CommitteeElectionRecordResult", description="Result of `committeeElectionRecord`."
    ),
]
CommitteeTrainingRecordResult = Annotated[
    CommitteeTrainingRecordSuccess | NotPermitted | ValidationFailed,
    strawberry.union(
        "CommitteeTrainingRecordResult", description="Result of `committeeTrainingRecord`."
    ),
]
CommitteeAssessmentRecordResult = Annotated[
    CommitteeAssessmentRecordSuccess | NotPermitted | ValidationFailed,
    strawberry.union(
        "CommitteeAssessmentRecordResult", description="Result of `committeeAssessmentRecord`."
    ),
]


@strawberry.type
class CommitteeMutation:
    @strawberry.mutation(
        description="Record an owners' assembly's election of a committee (R9): the first "
        "committee of a compound founds it, a later one starts its next term (and closes an "
        "open re-election finding). Towns and communities, in their jurisdiction."
    )
    async def committee_election_record(
        self,
        info: Info,
        input: Annotated[CommitteeElectionInput, strawberry.argument(description="The election.")],
    ) -> CommitteeElectionRecordResult:
        keyring = info.context.settings.pii_keyring()
        members = [
            committees.NewMember(name=m_.name, phone=m_.phone, role=m_.role) for m_ in input.members
        ]
        election = Election(
            assembly_held_on=input.assembly_held_on,
            starts_on=input.starts_on,
            ends_on=input.ends_on,
            roles=[m_.role for m_ in input.members],
        )

        async def work(session: AsyncSession) -> tuple[m.OwnersCommittee, m.CommitteeTerm]:
            from hub.graphql.compounds import CompoundType

            compound_id = expect_global_id(input.compound_id, CompoundType, field="compoundId")
            term = await committees.record_election(
                session,
                keyring,
                principal=info.context.viewer,
                compound_id=compound_id,
                election=election,
                members=members,
            )
            committee = await session.get(m.OwnersCommittee, term.committee_id)
            assert committee is not None
            return committee, term

        result = await perform(
            info,
            action="committeeElectionRecord",
            permission=Permission.WRITE_LOCAL,
            subject_type="OwnersCommittee",
            work=work,
            subject_id=lambda pair: pair[0].id,
        )
        if isinstance(result, tuple):
            return CommitteeElectionRecordSuccess(
                committee=OwnersCommitteeType.from_model(result[0]),
                term=CommitteeTermType.from_model(result[1]),
            )
        return result

    @strawberry.mutation(
        description="Record a training of a committee's members (R9). Towns and communities."
    )
    async def committee_training_record(
        self,
        info: Info,
        input: Annotated[CommitteeTrainingInput, strawberry.argument(description="The training.")],
    ) -> CommitteeTrainingRecordResult:
        async def work(session: AsyncSession) -> cm.CommitteeTraining:
            return await committees.record_training(
                session,
                principal=info.context.viewer,
                committee_id=expect_global_id(
                    input.committee_id, OwnersCommitteeType, field="committeeId"
                ),
                held_on=input.held_on,
                topic=input.topic,
                hours=input.hours,
                attendees=input.attendees,
                today=info.context.today,
            )

        result = await perform(
            info,
            action="committeeTrainingRecord",
            permission=Permission.WRITE_LOCAL,
            subject_type="CommitteeTraining",
            work=work,
            subject_id=lambda row: row.id,
        )
        if isinstance(result, cm.CommitteeTraining):
            return CommitteeTrainingRecordSuccess(training=CommitteeTrainingType.from_model(result))
        return result

    @strawberry.mutation(
        description="Record the community's annual assessment of a committee (R9): once per "
        "committee and year; a reward only for EXCELLENT; UNQUALIFIED opens a re-election "
        "finding. Communities only (assess:committees)."
    )
    async def committee_assessment_record(
        self,
        info: Info,
        input: Annotated[
            CommitteeAssessmentInput, strawberry.argument(description="The assessment.")
        ],
    ) -> CommitteeAssessmentRecordResult:
        async def work(session: AsyncSession) -> cm.CommitteeAssessment:
            return await committees.record_assessment(
                session,
                principal=info.context.viewer,
                committee_id=expect_global_id(
                    input.committee_id, OwnersCommitteeType, field="committeeId"
                ),
                year=input.year,
                result=CommitteeAssessmentResult(input.result),
                assessed_on=input.assessed_on or info.context.today,
                reward=input.reward,
                reward_amount=input.reward_amount,
                note=input.note,
                today=info.context.today,
            )

        result = await perform(
            info,
            action="committeeAssessmentRecord",
            permission=Permission.ASSESS_COMMITTEES,
            subject_type="OwnersCommittee",
            work=work,
            subject_id=lambda row: row.committee_id,
        )
        if isinstance(result, cm.CommitteeAssessment):
            return CommitteeAssessmentRecordSuccess(
                assessment=CommitteeAssessmentType.from_model(result),
                reelection_required=result.result is CommitteeAssessmentResult.UNQUALIFIED,
            )
        return result
