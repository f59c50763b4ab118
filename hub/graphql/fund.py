"""The special maintenance fund (住宅专项维修资金, R5) in GraphQL: ``fundApplications`` and the
mutations ``fundApplicationCreate``, ``fundVoteRecord`` and ``fundDisbursementRecord``.

Votes are aggregates (floor area and headcount), never individual owners; the decision follows
Civil Code art. 278 with the thresholds of the settings (``hub.domain.fund``).
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import fund as domain
from hub.domain.access import Permission
from hub.graphql.context import Info
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.permissions import require
from hub.graphql.prefetch import prefetch_nodes, register, via
from hub.graphql.relay import AFTER, Connection, Node, expect_global_id, paginate
from hub.graphql.workflow import perform
from hub.services import fund
from hub.store import committee_models as cm

if TYPE_CHECKING:
    from hub.graphql.compounds import CompoundType

Compound = Annotated["CompoundType", strawberry.lazy("hub.graphql.compounds")]

FundApplicationStatus = strawberry.enum(
    domain.FundApplicationStatus,
    description="Where a fund application stands: VOTING (待表决), APPROVED (表决通过) or "
    "REJECTED (未通过).",
)
FundExecutor = strawberry.enum(
    domain.FundExecutor,
    description="Who carries out the work: the committee itself (业主委员会), the property "
    "service enterprise (物业服务企业) or another contractor.",
)


@strawberry.type(
    name="FundVote",
    description="The owners' vote on an application, as aggregates: floor area (m²) and "
    "headcount, of the whole compound, of those who took part and of those who approved.",
)
class FundVoteType:
    voted_on: date = strawberry.field(description="Day the vote closed.")
    total_area: Decimal = strawberry.field(description="Floor area of the compound's homes.")
    total_owners: int = strawberry.field(description="Owners of the compound.")
    participating_area: Decimal = strawberry.field(description="Area of the owners who voted.")
    participating_owners: int = strawberry.field(description="Owners who voted.")
    approving_area: Decimal = strawberry.field(description="Area of the owners who approved.")
    approving_owners: int = strawberry.field(description="Owners who approved.")


@strawberry.type(name="FundDisbursement", description="Money paid out for an application.")
class FundDisbursementType:
    amount: Decimal = strawberry.field(description="Amount in yuan.")
    paid_on: date = strawberry.field(description="Day of the payment.")
    note: str | None = strawberry.field(description="Remarks.")

    @classmethod
    def from_model(cls, row: cm.FundDisbursement) -> FundDisbursementType:
        return cls(amount=row.amount, paid_on=row.paid_on, note=row.note)


@strawberry.type(
    name="FundApplication",
    description="An application to use the special maintenance fund (维修资金使用申请) for a "
    "compound (R5).",
)
class FundApplicationType(Node):
    purpose: str = strawberry.field(description="What the money is for.")
    amount: Decimal = strawberry.field(description="Amount applied for (and approved), yuan.")
    executor: FundExecutor = strawberry.field(description="Who carries out the work.")  # type: ignore[valid-type]
    executor_name: str | None = strawberry.field(description="Name of the executor.")
    applied_on: date = strawberry.field(description="Day of the application.")
    status: FundApplicationStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    vote: FundVoteType | None = strawberry.field(description="The owners' vote, once held.")
    disbursed: Decimal = strawberry.field(description="Paid out so far, yuan.")
    compound_id: strawberry.Private[int]

    @strawberry.field(description="Approved amount not yet paid out (0 unless approved).")
    def remaining(self) -> Decimal:
        if self.status is not domain.FundApplicationStatus.APPROVED:
            return Decimal("0")
        return self.amount - self.disbursed

    @strawberry.field(description="The compound.")
    def compound(self, info: Info) -> Compound:
        from hub.graphql.compounds import CompoundType

        return info.context.loaders.compound.resolve(self.compound_id, CompoundType.from_model)

    @strawberry.field(description="Payments made, oldest first.")
    def disbursements(self, info: Info) -> list[FundDisbursementType]:
        return info.context.loaders.disbursements_by_application.resolve(
            self.db_id, lambda rows: [FundDisbursementType.from_model(r) for r in rows]
        )

    @classmethod
    def from_model(cls, row: cm.FundApplication) -> FundApplicationType:
        vote = None
        if row.voted_on is not None:
            vote = FundVoteType(
                voted_on=row.voted_on,
                total_area=row.total_area or Decimal("0"),
                total_owners=row.total_owners or 0,
                participating_area=row.participating_area or Decimal("0"),
                participating_owners=row.participating_owners or 0,
                approving_area=row.approving_area or Decimal("0"),
                approving_owners=row.approving_owners or 0,
            )
        return cls(
            db_id=row.id,
            purpose=row.purpose,
            amount=row.amount,
            executor=row.executor,
            executor_name=row.executor_name,
            applied_on=row.applied_on,
            status=row.status,
            vote=vote,
            disbursed=row.disbursed,
            compound_id=row.compound_id,
        )


register(
    "FundApplication",
    compound=via(lambda loaders: loaders.compound, "compound_id", "Compound"),
    disbursements=via(lambda loaders: loaders.disbursements_by_application, "id", None),
)


@strawberry.input(description="Conditions on fund applications; all given conditions hold.")
class FundApplicationFilterInput:
    town_code: str | None = strawberry.field(default=None, description="In this town.")
    community_code: str | None = strawberry.field(default=None, description="In this community.")
    compound_id: strawberry.ID | None = strawberry.field(
        default=None, description="Of this compound (global ID)."
    )
    status: FundApplicationStatus | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="In this state."
    )

    def to_filter(self) -> fund.FundFilter:
        from hub.graphql.compounds import CompoundType

        compound = (
            expect_global_id(self.compound_id, CompoundType, field="compoundId")
            if self.compound_id
            else None
        )
        return fund.FundFilter(
            town_code=self.town_code,
            community_code=self.community_code,
            compound_id=compound,
            status=self.status,
        )


@strawberry.enum(description="Orderings of fund applications.")
class FundApplicationOrder(enum.Enum):
    APPLIED_ON = strawberry.enum_value("APPLIED_ON", description="Oldest application first.")


@strawberry.type
class FundQuery:
    @strawberry.field(
        description="Special maintenance fund applications (维修资金使用申请, R5), within the "
        "caller's jurisdiction, filtered and paged."
    )
    async def fund_applications(
        self,
        info: Info,
        filter: Annotated[
            FundApplicationFilterInput | None,
            strawberry.argument(description="Conditions on the applications."),
        ] = None,
        first: Annotated[int, strawberry.argument(description="Page size (≤ 100).")] = 20,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[FundApplicationType]:
        require(info, Permission.READ_FUND, what="fundApplications")
        where = filter.to_filter() if filter else fund.FundFilter()
        viewer = info.context.viewer
        stmt = await info.context.db.run(
            lambda s: fund.select_applications(s, where=where, principal=viewer)
        )
        return await paginate(
            info.context.db,
            stmt,
            ordering=fund.ORDERINGS["APPLIED_ON"],
            first=first,
            after=after,
            to_node=FundApplicationType.from_model,
            prefetch=lambda rows: prefetch_nodes(info, "FundApplication", rows),
        )


@strawberry.input(description="An application to use the fund for a compound.")
class FundApplicationInput:
    compound_id: strawberry.ID = strawberry.field(description="The compound's global ID.")
    purpose: str = strawberry.field(description="What the money is for (the broken facility).")
    amount: Decimal = strawberry.field(description="Amount in yuan (> 0).")
    executor: FundExecutor = strawberry.field(description="Who carries out the work.")  # type: ignore[valid-type]
    executor_name: str | None = strawberry.field(default=None, description="Its name.")
    applied_on: date | None = strawberry.field(default=None, description="Day; today if absent.")


@strawberry.input(
    description="The owners' vote on an application, as aggregates (never individual owners)."
)
class FundVoteInput:
    application_id: strawberry.ID = strawberry.field(description="The application's global ID.")
    total_area: Decimal = strawberry.field(description="Floor area of all homes, m².")
    total_owners: int = strawberry.field(description="All owners of the compound.")
    participating_area: Decimal = strawberry.field(description="Area of the voting owners.")
    participating_owners: int = strawberry.field(description="Owners who voted.")
    approving_area: Decimal = strawberry.field(description="Area of the approving owners.")
    approving_owners: int = strawberry.field(description="Owners who approved.")
    voted_on: date | None = strawberry.field(default=None, description="Day; today if absent.")


@strawberry.input(description="A payment for an approved application.")
class FundDisbursementInput:
    application_id: strawberry.ID = strawberry.field(description="The application's global ID.")
    amount: Decimal = strawberry.field(description="Amount in yuan; at most what is left.")
    paid_on: date | None = strawberry.field(default=None, description="Day; today if absent.")
    note: str | None = strawberry.field(default=None, description="Remarks.")


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
        description="Apply to use the special maintenance fund for a compound (R5); the "
        "application then waits for the owners' vote. Towns and communities, in their "
        "jurisdiction."
    )
    async def fund_application_create(
        self,
        info: Info,
        input: Annotated[FundApplicationInput, strawberry.argument(description="The application.")],
    ) -> FundApplicationCreateResult:
        from hub.graphql.compounds import CompoundType

        async def work(session: AsyncSession) -> cm.FundApplication:
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

        result = await perform(
            info,
            action="fundApplicationCreate",
            permission=Permission.WRITE_LOCAL,
            subject_type="FundApplication",
            work=work,
            subject_id=lambda row: row.id,
        )
        if isinstance(result, cm.FundApplication):
            return FundApplicationCreateSuccess(application=FundApplicationType.from_model(result))
        return result

    @strawberry.mutation(
        description="Record the owners' vote on an application and decide it by Civil Code "
        "art. 278 (participation ≥ 2/3 of the area and of the owners; approval > 1/2 of the "
        "participating area and owners; thresholds are settings)."
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
        ) -> tuple[cm.FundApplication, domain.VoteDecision]:
            return await fund.record_vote(
                session,
                principal=info.context.viewer,
                application_id=_application_id(input.application_id),
                tally=tally,
                voted_on=input.voted_on or info.context.today,
                rule=rule,
                today=info.context.today,
            )

        result = await perform(
            info,
            action="fundVoteRecord",
            permission=Permission.WRITE_LOCAL,
            subject_type="FundApplication",
            work=work,
            subject_id=lambda pair: pair[0].id,
        )
        if isinstance(result, tuple):
            application, decision = result
            return FundVoteRecordSuccess(
                application=FundApplicationType.from_model(application),
                approved=decision.approved,
                unmet_conditions=decision.failed,
                rule=str(rule),
            )
        return result

    @strawberry.mutation(
        description="Record a payment for an approved application; the payments never pass "
        "the approved amount."
    )
    async def fund_disbursement_record(
        self,
        info: Info,
        input: Annotated[FundDisbursementInput, strawberry.argument(description="The payment.")],
    ) -> FundDisbursementRecordResult:
        async def work(
            session: AsyncSession,
        ) -> tuple[cm.FundApplication, cm.FundDisbursement]:
            return await fund.record_disbursement(
                session,
                principal=info.context.viewer,
                application_id=_application_id(input.application_id),
                amount=input.amount,
                paid_on=input.paid_on or info.context.today,
                note=input.note,
                today=info.context.today,
            )

        result = await perform(
            info,
            action="fundDisbursementRecord",
            permission=Permission.WRITE_LOCAL,
            subject_type="FundApplication",
            work=work,
            subject_id=lambda pair: pair[0].id,
        )
        if isinstance(result, tuple):
            application, disbursement = result
            return FundDisbursementRecordSuccess(
                application=FundApplicationType.from_model(application),
                disbursement=FundDisbursementType.from_model(disbursement),
            )
        return result
