"""GraphQL types of the special maintenance fund (住宅专项维修资金, R5): applications, the
owners' vote (as aggregates, never individual owners) and the disbursements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypeAlias

import strawberry

from hub.domain import fund as domain
from hub.domain.access import Permission
from hub.graphql.compounds.types import CompoundType
from hub.graphql.context import Info
from hub.graphql.nodes import node_type
from hub.graphql.prefetch import register, via
from hub.graphql.relay import Node
from hub.store import models as m

FundApplicationStatus: TypeAlias = domain.FundApplicationStatus
strawberry.enum(
    FundApplicationStatus,
    description="Where a fund application stands: VOTING (待表决), APPROVED (表决通过) or "
    "REJECTED (未通过).",
)
FundExecutor: TypeAlias = domain.FundExecutor
strawberry.enum(
    FundExecutor,
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
    def from_model(cls, row: m.FundDisbursement) -> FundDisbursementType:
        return cls(amount=row.amount, paid_on=row.paid_on, note=row.note)


@strawberry.type(
    name="FundApplication",
    description="An application to use the special maintenance fund (维修资金使用申请) for a "
    "compound (R5).",
)
class FundApplicationType(Node):
    purpose: str = strawberry.field(description="What the money is for.")
    amount: Decimal = strawberry.field(description="Amount applied for (and approved), yuan.")
    executor: FundExecutor = strawberry.field(description="Who carries out the work.")
    executor_name: str | None = strawberry.field(description="Name of the executor.")
    applied_on: date = strawberry.field(description="Day of the application.")
    status: FundApplicationStatus = strawberry.field(description="Where it stands.")
    vote: FundVoteType | None = strawberry.field(description="The owners' vote, once held.")
    disbursed: Decimal = strawberry.field(description="Paid out so far, yuan.")
    compound_id: strawberry.Private[int]

    @strawberry.field(description="Approved amount not yet paid out (0 unless approved).")
    def remaining(self) -> Decimal:
        if self.status is not domain.FundApplicationStatus.APPROVED:
            return Decimal("0")
        return self.amount - self.disbursed

    @strawberry.field(description="The compound.")
    def compound(self, info: Info) -> CompoundType:
        return info.context.loaders.compound.resolve(self.compound_id, CompoundType.from_model)

    @strawberry.field(description="Payments made, oldest first.")
    def disbursements(self, info: Info) -> list[FundDisbursementType]:
        return info.context.loaders.disbursements_by_application.resolve(
            self.db_id, lambda rows: [FundDisbursementType.from_model(r) for r in rows]
        )

    @classmethod
    def from_model(cls, row: m.FundApplication) -> FundApplicationType:
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


node_type(
    "FundApplication",
    loader=lambda loaders: loaders.fund_application,
    convert=FundApplicationType.from_model,
    permission=Permission.READ_FUND,
)
