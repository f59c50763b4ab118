"""GraphQL types of owner (occupant) credit (业主（使用人）居住领域信用, R11): the person's
self-check (never the ID number or the phone) and the records as their community sees them."""

from __future__ import annotations

from datetime import date
from typing import TypeAlias

import strawberry

from hub.domain import enums as e
from hub.domain import owner_credit as oc
from hub.domain.pii import mask_name
from hub.graphql.context import Info
from hub.graphql.prefetch import register, via
from hub.graphql.relay import Node
from hub.services import owner_credit, parameters
from hub.services.personal_data import open_field
from hub.store import models as m

OwnerCreditCategory: TypeAlias = e.OwnerCreditCategory
strawberry.enum(
    OwnerCreditCategory,
    description="Category of an owner credit record: 拖欠物业费 (after a court ruling), "
    "违反管理规约, 违章搭建, 占用消防通道, 高空抛物, or 表彰 (a good record).",
)
OwnerCreditStatus: TypeAlias = e.OwnerCreditStatus
strawberry.enum(
    OwnerCreditStatus,
    description="State of an owner credit record: in effect, objection being handled (异议处理中) "
    "or restored (信用修复); only records in effect count.",
)
OwnerCreditGrade: TypeAlias = oc.OwnerCreditGrade
strawberry.enum(
    OwnerCreditGrade,
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
        keyring = parameters.pii_keyring(info.context.settings)
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
    def from_model(cls, row: m.OwnerCreditObjection) -> OwnerCreditObjectionType:
        return cls(
            db_id=row.id,
            filed_on=row.filed_on,
            reason=row.reason,
            decided_on=row.decided_on,
            upheld=row.upheld,
            decision_note=row.decision_note,
        )


register(
    "OwnerCreditEntry",
    objections=via(lambda loaders: loaders.objections_by_record, "id", None),
)
