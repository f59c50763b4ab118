"""The owner-credit self-check (业主（使用人）居住领域信用, R11): ``ownerCredit(idNumber, name)``.

Open to the public; both the ID number and the name must match. The answer never carries the ID
number or the phone, and a mismatch does not say whether the ID number is known.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from hub.domain import enums as e
from hub.domain import owner_credit as oc
from hub.domain.access import Permission
from hub.errors import Forbidden
from hub.graphql.context import Info
from hub.services import owner_credit

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
                    in_effect=oc.in_effect(
                        oc.OwnerCreditEntry(r.category, r.status, r.recorded_on, r.valid_until),
                        on,
                    ),
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
