"""The inputs of the owner credit mutations: a record, an objection, its decision, a restoration."""

from __future__ import annotations

from datetime import date

import strawberry

from hub.graphql.owner_credit.types import (
    OwnerCreditCategory,
)


@strawberry.input(
    description="A credit record of the resident of a compound, found by ID number and name "
    "(neither is stored in the clear, echoed or logged)."
)
class OwnerCreditRecordInput:
    compound_id: strawberry.ID = strawberry.field(description="The compound's global ID.")
    id_number: str = strawberry.field(description="The resident's ID number (公民身份号码).")
    name: str = strawberry.field(description="The resident's name as on the ID card.")
    category: OwnerCreditCategory = strawberry.field(description="What the record is about.")
    basis: str = strawberry.field(description="The basis document (a legally effective one).")
    recorded_on: date | None = strawberry.field(default=None, description="Day; today if absent.")
    valid_until: date | None = strawberry.field(
        default=None, description="Last day the record is valid (none: until restored)."
    )


@strawberry.input(description="An objection (异议) filed against a record.")
class OwnerCreditObjectionInput:
    record_id: strawberry.ID = strawberry.field(description="The record's global ID.")
    reason: str = strawberry.field(description="Why the record is disputed.")
    filed_on: date | None = strawberry.field(default=None, description="Day; today if absent.")


@strawberry.input(description="The decision on an objection.")
class OwnerCreditObjectionDecisionInput:
    objection_id: strawberry.ID = strawberry.field(description="The objection's global ID.")
    upheld: bool = strawberry.field(
        description="True revokes the record; false puts it back in effect."
    )
    note: str = strawberry.field(description="Reasons of the decision.")
    decided_on: date | None = strawberry.field(default=None, description="Day; today if absent.")


@strawberry.input(description="A credit restoration (信用修复) ending a bad record early.")
class OwnerCreditRestoreInput:
    record_id: strawberry.ID = strawberry.field(description="The record's global ID.")
    restored_on: date | None = strawberry.field(default=None, description="Day; today if absent.")
