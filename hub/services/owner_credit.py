"""The public self-check of an owner's (occupant's) residential credit (MISSION.md R11).

Anyone who knows both a person's resident ID number and name may see that person's credit: the
masked name, the compounds of their homes, the grade and the records' categories and dates; never
the ID number, the phone or a record's basis. Whether the ID number is known to the hub at all is
not revealed: a wrong name and an unknown number get the same ``NotFound``.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.crypto import Keyring
from hub.domain.identifiers import validate_resident_id
from hub.domain.owner_credit import OwnerCreditEntry, OwnerCreditSummary, owner_credit
from hub.domain.pii import mask_name
from hub.errors import InvalidValue, NotFound
from hub.services.personal_data import get_residents_by_id_number, open_field
from hub.store.models import Compound, OwnerCreditRecord


class OwnerCreditNotFound(NotFound):
    """No resident has this ID number and this name (which of the two is wrong is not said)."""

    def __init__(self) -> None:
        super().__init__("no owner credit matches this ID number and name")


@dataclass(frozen=True, slots=True)
class OwnerCreditCheck:
    """The answer of a successful self-check."""

    masked_name: str
    compounds: Sequence[Compound]
    summary: OwnerCreditSummary
    records: Sequence[OwnerCreditRecord]
    on: date


async def check(
    session: AsyncSession, keyring: Keyring, *, id_number: str, name: str, on: date
) -> OwnerCreditCheck:
    """The credit of the person with this ID number and exactly this name, as of ``on``.

    ``InvalidValue`` for a malformed ID number (without repeating it) or an empty name;
    ``OwnerCreditNotFound`` when no resident has both.
    """
    number = validate_resident_id(id_number, field="idNumber")
    name = name.strip()
    if not name:
        raise InvalidValue("name", "give the name as written on the ID card")
    wanted = name.encode()
    matching = [
        resident
        for resident in await get_residents_by_id_number(session, keyring, id_number=number)
        if hmac.compare_digest(
            open_field(keyring, "residents", "name", resident.id, resident.name_encrypted).encode(),
            wanted,
        )
    ]
    if not matching:
        raise OwnerCreditNotFound()
    records = (
        await session.scalars(
            sa.select(OwnerCreditRecord)
            .where(OwnerCreditRecord.resident_id.in_([r.id for r in matching]))
            .order_by(OwnerCreditRecord.recorded_on.desc(), OwnerCreditRecord.id)
        )
    ).all()
    compounds = (
        await session.scalars(
            sa.select(Compound)
            .where(Compound.id.in_({r.compound_id for r in matching}))
            .order_by(Compound.code)
        )
    ).all()
    summary = owner_credit(
        (
            OwnerCreditEntry(
                category=r.category,
                status=r.status,
                recorded_on=r.recorded_on,
                valid_until=r.valid_until,
            )
            for r in records
        ),
        on=on,
    )
    return OwnerCreditCheck(
        masked_name=mask_name(name), compounds=compounds, summary=summary, records=records, on=on
    )
