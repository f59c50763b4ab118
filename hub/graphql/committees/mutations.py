"""The mutations of the committee workflows (R9): ``committeeElectionRecord``,
``committeeTrainingRecord`` and ``committeeAssessmentRecord``."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Permission
from hub.domain.committees import CommitteeAssessmentResult, Election
from hub.graphql.acting import change
from hub.graphql.committees.inputs import (
    CommitteeAssessmentInput,
    CommitteeElectionInput,
    CommitteeTrainingInput,
)
from hub.graphql.committees.types import (
    CommitteeAssessmentType,
    CommitteeTermType,
    CommitteeTrainingType,
    OwnersCommitteeType,
)
from hub.graphql.compounds.types import CompoundType
from hub.graphql.context import Info
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.relay import expect_global_id
from hub.services import committees, parameters
from hub.store import models as m


@strawberry.type(description="The election is recorded.")
class CommitteeElectionRecordSuccess:
    committee: OwnersCommitteeType = strawberry.field(description="The committee (new or not).")
    term: CommitteeTermType = strawberry.field(description="The term just elected.")


@strawberry.type(description="The training is recorded.")
class CommitteeTrainingRecordSuccess:
    training: CommitteeTrainingType = strawberry.field(description="The training.")


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
        name="committeeElectionRecord",
        description="Record an owners' assembly's election of a committee (R9): the first "
        "committee of a compound founds it, a later one starts its next term (and closes an "
        "open re-election finding). Towns and communities, in their jurisdiction.",
    )
    async def committee_election_record(
        self,
        info: Info,
        input: Annotated[CommitteeElectionInput, strawberry.argument(description="The election.")],
    ) -> CommitteeElectionRecordResult:
        keyring = parameters.pii_keyring(info.context.settings)
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
            compound_id = expect_global_id(input.compound_id, CompoundType, field="compoundId")
            term = await committees.create_term(
                session,
                keyring=keyring,
                principal=info.context.viewer,
                compound_id=compound_id,
                election=election,
                members=members,
            )
            committee = await session.get(m.OwnersCommittee, term.committee_id)
            assert committee is not None
            return committee, term

        return await change(
            info,
            action="committeeElectionRecord",
            permission=Permission.WRITE_LOCAL,
            subject_type="OwnersCommittee",
            work=work,
            subject_id=lambda pair: pair[0].id,
            success=lambda pair: CommitteeElectionRecordSuccess(
                committee=OwnersCommitteeType.from_model(pair[0]),
                term=CommitteeTermType.from_model(pair[1]),
            ),
        )

    @strawberry.mutation(
        name="committeeTrainingRecord",
        description="Record a training of a committee's members (R9). Towns and communities.",
    )
    async def committee_training_record(
        self,
        info: Info,
        input: Annotated[CommitteeTrainingInput, strawberry.argument(description="The training.")],
    ) -> CommitteeTrainingRecordResult:
        async def work(session: AsyncSession) -> m.CommitteeTraining:
            return await committees.create_training(
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

        return await change(
            info,
            action="committeeTrainingRecord",
            permission=Permission.WRITE_LOCAL,
            subject_type="CommitteeTraining",
            work=work,
            subject_id=lambda row: row.id,
            success=lambda row: CommitteeTrainingRecordSuccess(
                training=CommitteeTrainingType.from_model(row)
            ),
        )

    @strawberry.mutation(
        name="committeeAssessmentRecord",
        description="Record the community's annual assessment of a committee (R9): once per "
        "committee and year; a reward only for EXCELLENT; UNQUALIFIED opens a re-election "
        "finding. Communities only (assess:committees).",
    )
    async def committee_assessment_record(
        self,
        info: Info,
        input: Annotated[
            CommitteeAssessmentInput, strawberry.argument(description="The assessment.")
        ],
    ) -> CommitteeAssessmentRecordResult:
        async def work(session: AsyncSession) -> m.CommitteeAssessment:
            return await committees.create_assessment(
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

        return await change(
            info,
            action="committeeAssessmentRecord",
            permission=Permission.ASSESS_COMMITTEES,
            subject_type="OwnersCommittee",
            work=work,
            subject_id=lambda row: row.committee_id,
            success=lambda row: CommitteeAssessmentRecordSuccess(
                assessment=CommitteeAssessmentType.from_model(row),
                reelection_required=row.result is CommitteeAssessmentResult.UNQUALIFIED,
            ),
        )
