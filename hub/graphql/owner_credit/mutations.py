"""The community's mutations on owner credit records (R11): record, objection (异议), decision
and restoration (信用修复)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import enums as e
from hub.domain.access import Permission
from hub.graphql.acting import change
from hub.graphql.compounds.types import CompoundType
from hub.graphql.context import Info
from hub.graphql.owner_credit.inputs import (
    OwnerCreditObjectionDecisionInput,
    OwnerCreditObjectionInput,
    OwnerCreditRecordInput,
    OwnerCreditRestoreInput,
)
from hub.graphql.owner_credit.types import (
    OwnerCreditEntryType,
    OwnerCreditObjectionType,
)
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.relay import expect_global_id
from hub.services import owner_credit, parameters
from hub.store import models as m


@strawberry.type(description="The record was created or changed.")
class OwnerCreditRecordChanged:
    record: OwnerCreditEntryType = strawberry.field(description="The record as it is now.")
    objection: OwnerCreditObjectionType | None = strawberry.field(
        description="The objection filed or decided, if the change was one."
    )


OwnerCreditChangeResult = Annotated[
    OwnerCreditRecordChanged | NotPermitted | ValidationFailed,
    strawberry.union(
        "OwnerCreditChangeResult",
        description="Result of the owner credit mutations (`ownerCreditRecordCreate`, "
        "`ownerCreditObjectionFile`, `ownerCreditObjectionDecide`, `ownerCreditRestore`).",
    ),
]

_Changed = tuple[m.OwnerCreditRecord, m.OwnerCreditObjection | None]


async def _change(
    info: Info, action: str, work: Callable[[AsyncSession], Awaitable[_Changed]]
) -> OwnerCreditChangeResult:
    def success(pair: _Changed) -> OwnerCreditRecordChanged:
        record, objection = pair
        return OwnerCreditRecordChanged(
            record=OwnerCreditEntryType.of(record, today=info.context.today),
            objection=OwnerCreditObjectionType.from_model(objection) if objection else None,
        )

    return await change(
        info,
        action=action,
        permission=Permission.WRITE_LOCAL,
        subject_type="OwnerCreditRecord",
        work=work,
        subject_id=lambda pair: pair[0].id,
        success=success,
    )


def _record_id(value: str) -> int:
    return expect_global_id(value, OwnerCreditEntryType, field="recordId")


@strawberry.type
class OwnerCreditMutation:
    @strawberry.mutation(
        name="ownerCreditRecordCreate",
        description="Record an owner's (occupant's) residential credit entry (R11), by the "
        "community keeping the record (or its town).",
    )
    async def owner_credit_record_create(
        self,
        info: Info,
        input: Annotated[OwnerCreditRecordInput, strawberry.argument(description="The record.")],
    ) -> OwnerCreditChangeResult:
        keyring = parameters.pii_keyring(info.context.settings)
        today = info.context.today

        async def work(session: AsyncSession) -> _Changed:
            record = await owner_credit.create_record(
                session,
                keyring=keyring,
                principal=info.context.viewer,
                compound_id=expect_global_id(input.compound_id, CompoundType, field="compoundId"),
                id_number=input.id_number,
                name=input.name,
                category=e.OwnerCreditCategory(input.category),
                basis=input.basis,
                recorded_on=input.recorded_on or today,
                valid_until=input.valid_until,
                today=today,
            )
            return record, None

        return await _change(info, "ownerCreditRecordCreate", work)

    @strawberry.mutation(
        name="ownerCreditObjectionFile",
        description="File an objection (异议) against a record: it stops counting until decided.",
    )
    async def owner_credit_objection_file(
        self,
        info: Info,
        input: Annotated[
            OwnerCreditObjectionInput, strawberry.argument(description="The objection.")
        ],
    ) -> OwnerCreditChangeResult:
        today = info.context.today

        async def work(session: AsyncSession) -> _Changed:
            return await owner_credit.file_objection(
                session,
                principal=info.context.viewer,
                record_id=_record_id(input.record_id),
                reason=input.reason,
                filed_on=input.filed_on or today,
                today=today,
            )

        return await _change(info, "ownerCreditObjectionFile", work)

    @strawberry.mutation(
        name="ownerCreditObjectionDecide",
        description="Decide an objection: upheld revokes the record, rejected puts it back in "
        "effect.",
    )
    async def owner_credit_objection_decide(
        self,
        info: Info,
        input: Annotated[
            OwnerCreditObjectionDecisionInput, strawberry.argument(description="The decision.")
        ],
    ) -> OwnerCreditChangeResult:
        today = info.context.today

        async def work(session: AsyncSession) -> _Changed:
            return await owner_credit.decide_objection(
                session,
                principal=info.context.viewer,
                objection_id=expect_global_id(
                    input.objection_id, OwnerCreditObjectionType, field="objectionId"
                ),
                upheld=input.upheld,
                note=input.note,
                decided_on=input.decided_on or today,
                today=today,
            )

        return await _change(info, "ownerCreditObjectionDecide", work)

    @strawberry.mutation(
        name="ownerCreditRestore",
        description="Credit restoration (信用修复): end a bad record early; it no longer counts "
        "from the restoration day on.",
    )
    async def owner_credit_restore(
        self,
        info: Info,
        input: Annotated[
            OwnerCreditRestoreInput, strawberry.argument(description="The restoration.")
        ],
    ) -> OwnerCreditChangeResult:
        today = info.context.today

        async def work(session: AsyncSession) -> _Changed:
            record = await owner_credit.restore(
                session,
                principal=info.context.viewer,
                record_id=_record_id(input.record_id),
                restored_on=input.restored_on or today,
                today=today,
            )
            return record, None

        return await _change(info, "ownerCreditRestore", work)
