"""Owner (occupant) credit (业主（使用人）居住领域信用, R11): the self-check
``ownerCredit(idNumber, name)`` and the community's mutations on records (record, objection,
decision, restoration).

The self-check is open to the public; both the ID number and the name must match. No answer or
error ever carries the ID number or the phone, and a mismatch does not say whether the ID number
is known.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import enums as e
from hub.domain import owner_credit as oc
from hub.domain.access import Permission
from hub.domain.pii import mask_name
from hub.errors import Forbidden
from hub.graphql.context import Info
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.permissions import require
from hub.graphql.prefetch import prefetch_nodes, register, via
from hub.graphql.relay import AFTER, Connection, Node, expect_global_id, paginate
from hub.graphql.workflow import perform
from hub.services import owner_credit
from hub.services.personal_data import open_field
from hub.store import committee_models as cm
from hub.store import models as m

OwnerCreditCategory = strawberry.enum(
    e.OwnerCreditCategory,
    description="Category of an owner credit record: 拖欠物业费 (after a court ruling), "
    "违反管理规约, 违章搭建, 占用消防通道, 高空抛物, or 表彰 (a good record).",
)
OwnerCreditStatus = strawberry.enum(
    e.OwnerCreditStatus,
    description="State of an owner credit record: in effect, objection being handled (异议处理中) "
    "or restored (信用修复); only records in effect count.",
)
OwnerCreditGrade = strawberry.enum(
    oc.OwnerCreditGrade,
    description="Residential credit grade: GOOD (守信, a commendation and no bad record in "
    "effect), NORMAL (一般, no record in effect), WARNING (警示, one bad record in effect), POOR "
    "(失信, two or more).",
)


@strawberry.type(name="OwnerCreditCompound", description="A compound where the person has a home.")
class OwnerCreditCompoundType:
    code: str = strawberry.field(description="Compound code.")
    name: str = strawberry.field(description="Compound name.")


@strawberry.type(
    name="OwnerCreditRecord",
    description="One residential credit record, kept by the community: its category and dates "
    "(the basis is not shown).",
)
class OwnerCreditRecordType:
    category: OwnerCreditCategory = strawberry.field(description="What the record is about.")
    status: OwnerCreditStatus = strawberry.field(description="State of the record.")
    recorded_on: date = strawberry.field(description="Date the record was made.")
    valid_until: date | None = strawberry.field(description="Last day the record is valid.")
    in_effect: bool = strawberry.field(description="Whether the record counts today.")


@strawberry.type(
    name="OwnerCredit",
    description="The residential credit of an owner or occupant (R11), for the person's "
    "self-check: never the ID number or phone.",
)
class OwnerCreditType:
    name: str = strawberry.field(description="The person's name, masked (张*).")
    compounds: list[OwnerCreditCompoundType] = strawberry.field(
        description="Compounds of the person's homes, by code."
    )
    grade: OwnerCreditGrade = strawberry.field(description="The credit grade as of `asOf`.")
    good_records: int = strawberry.field(description="Good records (表彰) in effect.")
    bad_records: int = strawberry.field(description="Bad records in effect.")
    records: list[OwnerCreditRecordType] = strawberry.field(
        description="All records, newest first, in effect or not."
    )
    as_of: date = strawberry.field(description="The date the grade is for (today).")

    @classmethod
    def of(cls, result: owner_credit.OwnerCreditCheck) -> OwnerCreditType:
        on = result.on
        return cls(
            name=result.masked_name,
            compounds=[OwnerCreditCompoundType(code=c.code, name=c.name) for c in result.compounds],
            grade=result.summary.grade,
            good_records=result.summary.good,
            bad_records=result.summary.bad,
            records=[
                OwnerCreditRecordType(
                    category=r.category,
                    status=r.status,
                    recorded_on=r.recorded_on,
                    valid_until=r.valid_until,
                    in_effect=oc.in_effect(owner_credit.entry_of(r), on),
                )
                for r in result.records
            ],
            as_of=on,
        )


async def resolve_owner_credit(
    info: Info,
    id_number: Annotated[
        str, strawberry.argument(description="Resident ID number (公民身份号码), 18 characters.")
    ],
    name: Annotated[str, strawberry.argument(description="Name exactly as on the ID card.")],
) -> OwnerCreditType:
    """The resolver of ``Query.ownerCredit``."""
    viewer = info.context.viewer
    if not viewer.may(Permission.OWNER_CREDIT_CHECK):
        raise Forbidden(
            f"ownerCredit is not open to the role {viewer.role.value}",
            permission=Permission.OWNER_CREDIT_CHECK.value,
        )
    keyring = info.context.settings.pii_keyring()
    today = info.context.today
    result = await info.context.db.run(
        lambda s: owner_credit.check(s, keyring, id_number=id_number, name=name, on=today)
    )
    return OwnerCreditType.of(result)


OWNER_CREDIT_DESCRIPTION = (
    "Owner-credit self-check (R11), open to the public: the residential credit of the person "
    "with this resident ID number and exactly this name — masked name, compounds, grade, and "
    "record categories with dates. A wrong ID number or name gets NOT_FOUND, without saying "
    "which; a malformed ID number gets BAD_USER_INPUT."
)


# The community's side (R11): records, objections (异议) and restoration (信用修复) ------------


@strawberry.type(
    name="OwnerCreditEntry",
    description="An owner credit record as its recording community sees it: basis and "
    "validity included, never the person's ID number.",
)
class OwnerCreditEntryType(Node):
    category: OwnerCreditCategory = strawberry.field(description="What the record is about.")
    status: OwnerCreditStatus = strawberry.field(description="State of the record.")
    basis: str = strawberry.field(description="The basis document (ruling, decision …).")
    recorded_on: date = strawberry.field(description="Date the record was made.")
    valid_until: date | None = strawberry.field(description="Last day the record is valid.")
    ended_on: date | None = strawberry.field(
        description="Day a restoration (信用修复) ended the record early."
    )
    in_effect: bool = strawberry.field(description="Whether the record counts today.")
    resident_id: strawberry.Private[int]

    @strawberry.field(description="The resident's name, masked (张*); never the ID number.")
    async def resident_name(self, info: Info) -> str:
        resident = await info.context.loaders.resident.load(self.resident_id)
        if resident is None:
            return ""
        keyring = info.context.settings.pii_keyring()
        return mask_name(
            open_field(keyring, "residents", "name", resident.id, resident.name_encrypted)
        )

    @strawberry.field(description="The compound of the resident's home (code).")
    async def compound_code(self, info: Info) -> str | None:
        resident = await info.context.loaders.resident.load(self.resident_id)
        if resident is None:
            return None
        compound = await info.context.loaders.compound.load(resident.compound_id)
        return compound.code if compound else None

    @strawberry.field(description="Objections (异议) filed against the record, oldest first.")
    def objections(self, info: Info) -> list[OwnerCreditObjectionType]:
        return info.context.loaders.objections_by_record.resolve(
            self.db_id, lambda rows: [OwnerCreditObjectionType.from_model(r) for r in rows]
        )

    @classmethod
    def of(cls, row: m.OwnerCreditRecord, *, today: date) -> OwnerCreditEntryType:
        return cls(
            db_id=row.id,
            category=row.category,
            status=row.status,
            basis=row.basis,
            recorded_on=row.recorded_on,
            valid_until=row.valid_until,
            ended_on=row.ended_on,
            in_effect=oc.in_effect(owner_credit.entry_of(row), today),
            resident_id=row.resident_id,
        )


@strawberry.type(name="OwnerCreditObjection", description="An objection (异议) against a record.")
class OwnerCreditObjectionType(Node):
    filed_on: date = strawberry.field(description="Day the objection was filed.")
    reason: str = strawberry.field(description="Why the record is disputed.")
    decided_on: date | None = strawberry.field(description="Day of the decision, once made.")
    upheld: bool | None = strawberry.field(
        description="True: the record was revoked; false: it is in effect again."
    )
    decision_note: str | None = strawberry.field(description="Reasons of the decision.")

    @classmethod
    def from_model(cls, row: cm.OwnerCreditObjection) -> OwnerCreditObjectionType:
        return cls(
            db_id=row.id,
            filed_on=row.filed_on,
            reason=row.reason,
            decided_on=row.decided_on,
            upheld=row.upheld,
            decision_note=row.decision_note,
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

_Changed = tuple[m.OwnerCreditRecord, cm.OwnerCreditObjection | None]


async def _change(
    info: Info, action: str, work: Callable[[AsyncSession], Awaitable[_Changed]]
) -> OwnerCreditChangeResult:
    result = await perform(
        info,
        action=action,
        permission=Permission.WRITE_LOCAL,
        subject_type="OwnerCreditRecord",
        work=work,
        subject_id=lambda pair: pair[0].id,
    )
    if not isinstance(result, tuple):
        return result
    record, objection = result
    return OwnerCreditRecordChanged(
        record=OwnerCreditEntryType.of(record, today=info.context.today),
        objection=OwnerCreditObjectionType.from_model(objection) if objection else None,
    )


def _record_id(value: str) -> int:
    return expect_global_id(value, OwnerCreditEntryType, field="recordId")


@strawberry.type
class OwnerCreditMutation:
    @strawberry.mutation(
        description="Record an owner's (occupant's) residential credit entry (R11), by the "
        "community keeping the record (or its town)."
    )
    async def owner_credit_record_create(
        self,
        info: Info,
        input: Annotated[OwnerCreditRecordInput, strawberry.argument(description="The record.")],
    ) -> OwnerCreditChangeResult:
        from hub.graphql.compounds import CompoundType

        keyring = info.context.settings.pii_keyring()
        today = info.context.today

        async def work(session: AsyncSession) -> _Changed:
            record = await owner_credit.create_record(
                session,
                keyring,
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
        description="File an objection (异议) against a record: it stops counting until decided."
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
        description="Decide an objection: upheld revokes the record, rejected puts it back in "
        "effect."
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
        description="Credit restoration (信用修复): end a bad record early; it no longer counts "
        "from the restoration day on."
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


register(
    "OwnerCreditEntry",
    objections=via(lambda loaders: loaders.objections_by_record, "id", None),
)


@strawberry.input(description="Conditions on owner credit records; all given conditions hold.")
class OwnerCreditRecordFilterInput:
    compound_id: strawberry.ID | None = strawberry.field(
        default=None, description="Of residents of this compound (global ID)."
    )
    status: OwnerCreditStatus | None = strawberry.field(default=None, description="In this state.")


@strawberry.type
class OwnerCreditQuery:
    @strawberry.field(
        description="The owner credit records (居住领域信用记录, R11) kept in the caller's "
        "jurisdiction, newest first: for the town or community that records them, files "
        "objections and restores. Names masked, ID numbers never shown."
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
        from hub.graphql.compounds import CompoundType

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
