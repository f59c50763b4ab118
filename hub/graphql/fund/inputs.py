"""The inputs of the fund mutations: an application, the owners' vote and a payment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from hub.graphql.fund.types import (
    FundExecutor,
)


@strawberry.input(description="An application to use the fund for a compound.")
class FundApplicationInput:
    compound_id: strawberry.ID = strawberry.field(description="The compound's global ID.")
    purpose: str = strawberry.field(description="What the money is for (the broken facility).")
    amount: Decimal = strawberry.field(description="Amount in yuan (> 0).")
    executor: FundExecutor = strawberry.field(description="Who carries out the work.")
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
