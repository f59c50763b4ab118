"""GraphQL types of owners' committees (业主委员会, R9): terms, members, trainings and the
community's annual assessments. Members' personal data is masked unless asked for unmasked by a
viewer with the pii permission (see ``hub.graphql.pii``).

Below compounds in the import order: ``OwnersCommittee.compound`` points back (lazily, built
through ``hub.graphql.nodes.builder``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry

from hub.domain.access import Permission
from hub.domain.committees import CommitteeAssessmentResult, awaits_reelection
from hub.domain.membership import LeaveReason
from hub.domain.pii import mask
from hub.graphql import pii
from hub.graphql.context import Info
from hub.graphql.enums import CommitteeMemberRole, CommitteeStatus
from hub.graphql.nodes import builder, node_type
from hub.graphql.pii import UNMASKED_DESCRIPTION
from hub.graphql.prefetch import register, via
from hub.graphql.relay import Node
from hub.services import parameters
from hub.services.personal_data import open_field
from hub.store import models as m

if TYPE_CHECKING:
    from hub.graphql.compounds.types import CompoundType

Compound = Annotated["CompoundType", strawberry.lazy("hub.graphql.compounds.types")]

LeaveReasonEnum: TypeAlias = LeaveReason
strawberry.enum(
    LeaveReasonEnum,
    name="LeaveReason",
    description="Why a member left a committee during its term: sale of the home (出售房屋), "
    "repeated absence (多次缺席), resignation (辞职) or another reason (其他, with a text).",
)


@strawberry.type(
    name="CommitteeMember",
    description="A member of an owners' committee. Name and phone are personal data: masked "
    "(张*, 138****5678) unless asked for with `unmasked: true`, which needs the pii permission "
    "and is written to the audit log.",
)
class CommitteeMemberType(Node):
    role: CommitteeMemberRole = strawberry.field(description="主任, 副主任 or 委员.")
    joined_on: date = strawberry.field(description="Date the member joined.")
    left_on: date | None = strawberry.field(description="Date the member left, if they did.")
    left_reason_kind: LeaveReasonEnum | None = strawberry.field(
        description="Why the member left, as a kind (null for members recorded before the kinds "
        "existed: their `leftReason` text says why)."
    )
    left_reason: str | None = strawberry.field(description="Why the member left (出售房屋 …).")
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
        keyring = parameters.pii_keyring(info.context.settings)
        value = open_field(keyring, "committee_members", field, self.row.id, token)
        if not unmasked:
            return mask(field, value)
        return pii.unmasked(
            info, value, subject_type="CommitteeMember", subject_id=self.row.id, field=field
        )

    @classmethod
    def from_model(cls, row: m.CommitteeMember) -> CommitteeMemberType:
        return cls(
            db_id=row.id,
            role=row.role,
            joined_on=row.joined_on,
            left_on=row.left_on,
            left_reason_kind=row.left_reason_kind,
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
        return info.context.loaders.compound.resolve(self.compound_id, builder(m.Compound))

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


CommitteeAssessmentResultEnum: TypeAlias = CommitteeAssessmentResult
strawberry.enum(
    CommitteeAssessmentResultEnum,
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
    def from_model(cls, row: m.CommitteeTraining) -> CommitteeTrainingType:
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
    result: CommitteeAssessmentResultEnum = strawberry.field(
        description="EXCELLENT, QUALIFIED or UNQUALIFIED."
    )
    assessed_on: date = strawberry.field(description="Day of the assessment.")
    reward: str | None = strawberry.field(description="The reward of an excellent committee.")
    reward_amount: Decimal | None = strawberry.field(description="Its amount in yuan, if money.")
    note: str | None = strawberry.field(description="The community's remarks.")

    @classmethod
    def from_model(cls, row: m.CommitteeAssessment) -> CommitteeAssessmentType:
        return cls(
            db_id=row.id,
            year=row.year,
            result=row.result,
            assessed_on=row.assessed_on,
            reward=row.reward,
            reward_amount=row.reward_amount,
            note=row.note,
        )


node_type(
    "OwnersCommittee",
    loader=lambda loaders: loaders.committee,
    convert=OwnersCommitteeType.from_model,
    permission=Permission.READ_COMMITTEES,
)
node_type(
    "CommitteeTraining",
    loader=lambda loaders: loaders.committee_training,
    convert=CommitteeTrainingType.from_model,
    permission=Permission.READ_COMMITTEES,
)
node_type(
    "CommitteeAssessment",
    loader=lambda loaders: loaders.committee_assessment,
    convert=CommitteeAssessmentType.from_model,
    permission=Permission.READ_COMMITTEES,
)
node_type(
    "CommitteeMember",
    loader=lambda loaders: loaders.committee_member,
    convert=CommitteeMemberType.from_model,
    permission=Permission.READ_COMMITTEES,
)
