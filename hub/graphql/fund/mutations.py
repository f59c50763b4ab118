"""The mutations of the special maintenance fund (住宅专项维修资金, R5):
``fundApplicationCreate``, ``fundVoteRecord`` and ``fundDisbursementRecord``.

Votes are aggregates (floor area and headcount), never individual owners; the decision follows
Civil Code art. 278 with the thresholds of the settings (``hub.domain.fund``).
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import fund as domain
from hub.domain.access import Permission
from hub.graphql.acting import change
from hub.graphql.compounds.types import CompoundType
from hub.graphql.context import Info
from hub.graphql.fund.inputs import FundApplicationInput, FundDisbursementInput, FundVoteInput
from hub.graphql.fund.types import (
    FundApplicationType,
    FundDisbursementType,
)
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.relay import expect_global_id
from hub.services import fund
from hub.store import models as m


@strawberry.type(description="The application is open for the owners' vote.")
class FundApplicationCreateSuccess:
    application: FundApplicationType = strawberry.field(description="The application.")


@strawberry.type(description="The vote is recorded and the application decided.")
class FundVoteRecordSuccess:
    application: FundApplicationType = strawberry.field(description="The decided application.")
    approved: bool = strawberry.field(description="Whether the owners approved the use.")
    unmet_conditions: list[str] = strawberry.field(
        description="The conditions of art. 278 (as configured) that were not met."
    )
    rule: str = strawberry.field(description="The thresholds applied.")


@strawberry.type(description="The payment is recorded.")
class FundDisbursementRecordSuccess:
    application: FundApplicationType = strawberry.field(description="The application.")
    disbursement: FundDisbursementType = strawberry.field(description="The payment.")


FundApplicationCreateResult = Annotated[
    FundApplicationCreateSuccess | NotPermitted | ValidationFailed,
    strawberry.union(
        "FundApplicationCreateResult", description="Result of `fundApplicationCreate`."
    ),
]
FundVoteRecordResult = Annotated[
    FundVoteRecordSuccess | NotPermitted | ValidationFailed,
    strawberry.union("FundVoteRecordResult", description="Result of `fundVoteRecord`."),
]
FundDisbursementRecordResult = Annotated[
    FundDisbursementRecordSuccess | NotPermitted | ValidationFailed,
    strawberry.union(
        "FundDisbursementRecordResult", description="Result of `fundDisbursementRecord`."
    ),
]


def _application_id(value: str) -> int:
    return expect_global_id(value, FundApplicationType, field="applicationId")


@strawberry.type
class FundMutation:
    @strawberry.mutation(
        name="fundApplicationCreate",
        description="Apply to use the special maintenance fund for a compound (R5); the "
        "application then waits for the owners' vote. Towns and communities, in their "
        "jurisdiction.",
    )
    async def fund_application_create(
        self,
        info: Info,
        input: Annotated[FundApplicationInput, strawberry.argument(description="The application.")],
    ) -> FundApplicationCreateResult:
        async def work(session: AsyncSession) -> m.FundApplication:
            return await fund.create_application(
                session,
                principal=info.context.viewer,
                compound_id=expect_global_id(input.compound_id, CompoundType, field="compoundId"),
                purpose=input.purpose,
                amount=input.amount,
                executor=domain.FundExecutor(input.executor),
                executor_name=input.executor_name,
                applied_on=input.applied_on or info.context.today,
                today=info.context.today,
            )

        return await change(
            info,
            action="fundApplicationCreate",
            permission=Permission.WRITE_LOCAL,
            subject_type="FundApplication",
            work=work,
            subject_id=lambda row: row.id,
            success=lambda row: FundApplicationCreateSuccess(
                application=FundApplicationType.from_model(row)
            ),
        )

    @strawberry.mutation(
        name="fundVoteRecord",
        description="Record the owners' vote on an application and decide it by Civil Code "
        "art. 278 (participation ≥ 2/3 of the area and of the owners; approval > 1/2 of the "
        "participating area and owners; thresholds are settings).",
    )
    async def fund_vote_record(
        self,
        info: Info,
        input: Annotated[FundVoteInput, strawberry.argument(description="The vote's figures.")],
    ) -> FundVoteRecordResult:
        rule = fund.vote_rule(info.context.settings)
        tally = domain.VoteTally(
            total_area=input.total_area,
            total_owners=input.total_owners,
            participating_area=input.participating_area,
            participating_owners=input.participating_owners,
            approving_area=input.approving_area,
            approving_owners=input.approving_owners,
        )

        async def work(
            session: AsyncSession,
        ) -> tuple[m.FundApplication, domain.VoteDecision]:
            return await fund.record_vote(
                session,
                principal=info.context.viewer,
                application_id=_application_id(input.application_id),
                tally=tally,
                voted_on=input.voted_on or info.context.today,
                rule=rule,
                today=info.context.today,
            )

        def success(pair: tuple[m.FundApplication, domain.VoteDecision]) -> FundVoteRecordSuccess:
            application, decision = pair
            return FundVoteRecordSuccess(
                application=FundApplicationType.from_model(application),
                approved=decision.approved,
                unmet_conditions=decision.failed,
                rule=str(rule),
            )

        return await change(
            info,
            action="fundVoteRecord",
            permission=Permission.WRITE_LOCAL,
            subject_type="FundApplication",
            work=work,
            subject_id=lambda pair: pair[0].id,
            success=success,
        )

    @strawberry.mutation(
        name="fundDisbursementRecord",
        description="Record a payment for an approved application; the payments never pass "
        "the approved amount.",
    )
    async def fund_disbursement_record(
        self,
        info: Info,
        input: Annotated[FundDisbursementInput, strawberry.argument(description="The payment.")],
    ) -> FundDisbursementRecordResult:
        async def work(
            session: AsyncSession,
        ) -> tuple[m.FundApplication, m.FundDisbursement]:
            return await fund.create_disbursement(
                session,
                principal=info.context.viewer,
                application_id=_application_id(input.application_id),
                amount=input.amount,
                paid_on=input.paid_on or info.context.today,
                note=input.note,
                today=info.context.today,
            )

        return await change(
            info,
            action="fundDisbursementRecord",
            permission=Permission.WRITE_LOCAL,
            subject_type="FundApplication",
            work=work,
            subject_id=lambda pair: pair[0].id,
            success=lambda pair: FundDisbursementRecordSuccess(
                application=FundApplicationType.from_model(pair[0]),
                disbursement=FundDisbursementType.from_model(pair[1]),
            ),
        )
