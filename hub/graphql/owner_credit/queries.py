"""The root fields ``ownerCreditRecords`` (the records a town or community keeps) and
``ownerCredit`` (the public self-check: both the ID number and the name must match; no answer or
error carries the ID number or the phone, and a mismatch does not say whether the ID number is
known)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from hub.domain.access import Permission
from hub.errors import Forbidden
from hub.graphql.compounds.types import CompoundType
from hub.graphql.context import Info
from hub.graphql.owner_credit.types import (
    OwnerCreditEntryType,
    OwnerCreditStatus,
    OwnerCreditType,
)
from hub.graphql.permissions import require
from hub.graphql.prefetch import prefetch_nodes
from hub.graphql.relay import AFTER, Connection, expect_global_id, paginate
from hub.services import owner_credit, parameters


@strawberry.input(description="Conditions on owner credit records; all given conditions hold.")
class OwnerCreditRecordFilterInput:
    compound_id: strawberry.ID | None = strawberry.field(
        default=None, description="Of residents of this compound (global ID)."
    )
    status: OwnerCreditStatus | None = strawberry.field(default=None, description="In this state.")


@strawberry.type
class OwnerCreditQuery:
    @strawberry.field(
        name="ownerCreditRecords",
        description="The owner credit records (居住领域信用记录, R11) kept in the caller's "
        "jurisdiction, newest first: for the town or community that records them, files "
        "objections and restores. Names masked, ID numbers never shown.",
    )
    async def owner_credit_records(
        self,
        info: Info,
        filter: Annotated[
            OwnerCreditRecordFilterInput | None,
            strawberry.argument(description="Conditions on the records."),
        ] = None,
        first: Annotated[int, strawberry.argument(description="Page size (≤ 100).")] = 20,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[OwnerCreditEntryType]:
        require(info, Permission.READ_OWNER_CREDIT, what="ownerCreditRecords")
        compound = (
            expect_global_id(filter.compound_id, CompoundType, field="compoundId")
            if filter and filter.compound_id
            else None
        )
        where = owner_credit.RecordFilter(
            compound_id=compound, status=filter.status if filter else None
        )
        today = info.context.today
        return await paginate(
            info.context.db,
            owner_credit.select_records(where=where, principal=info.context.viewer),
            ordering=owner_credit.RECORD_ORDERING,
            first=first,
            after=after,
            to_node=lambda row: OwnerCreditEntryType.of(row, today=today),
            prefetch=lambda rows: prefetch_nodes(info, "OwnerCreditEntry", rows),
        )


@strawberry.type
class OwnerCreditCheckQuery:
    @strawberry.field(
        name="ownerCredit",
        description="Owner-credit self-check (R11), open to the public: the residential credit "
        "of the person with this resident ID number and exactly this name — masked name, "
        "compounds, grade, and record categories with dates. A wrong ID number or name gets "
        "NOT_FOUND, without saying which; a malformed ID number gets BAD_USER_INPUT.",
    )
    async def resolve_owner_credit(
        self,
        info: Info,
        id_number: Annotated[
            str,
            strawberry.argument(description="Resident ID number (公民身份号码), 18 characters."),
        ],
        name: Annotated[str, strawberry.argument(description="Name exactly as on the ID card.")],
    ) -> OwnerCreditType:
        # Named for what it is in a traceback of the log (the tests look for this frame).
        viewer = info.context.viewer
        if not viewer.may(Permission.OWNER_CREDIT_CHECK):
            raise Forbidden(
                f"ownerCredit is not open to the role {viewer.role.value}",
                permission=Permission.OWNER_CREDIT_CHECK.value,
            )
        keyring = parameters.pii_keyring(info.context.settings)
        today = info.context.today
        result = await info.context.db.run(
            lambda s: owner_credit.check(
                s, keyring=keyring, id_number=id_number, name=name, on=today
            )
        )
        return OwnerCreditType.of(result)
