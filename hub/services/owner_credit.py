"""Owner (occupant) residential credit (MISSION.md R11): the public self-check, and the
community's recording, objections (异议) and restoration (信用修复) of records.

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
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Principal
from hub.domain.crypto import Keyring
from hub.domain.enums import OwnerCreditCategory, OwnerCreditStatus
from hub.domain.identifiers import validate_resident_id
from hub.domain.owner_credit import (
    OwnerCreditEntry,
    OwnerCreditSummary,
    on_objection_decided,
    on_objection_filed,
    on_restored,
    owner_credit,
    validate_record,
)
from hub.domain.pii import mask_name
from hub.domain.text import NAME_LENGTH, check_text
from hub.errors import InvalidValue, NotFound
from hub.services.committees import acting_unit
from hub.services.paging import Ordering, SortKey
from hub.services.personal_data import list_residents_by_id_number, open_field
from hub.services.scope import get_in_scope_or_raise, narrow
from hub.services.validation import check_fits
from hub.store.models import Compound, OwnerCreditObjection, OwnerCreditRecord, Resident


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
    session: AsyncSession, *, keyring: Keyring, id_number: str, name: str, on: date
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
        for resident in await list_residents_by_id_number(
            session, keyring=keyring, id_number=number
        )
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
    summary = owner_credit((entry_of(r) for r in records), on=on)
    return OwnerCreditCheck(
        masked_name=mask_name(name), compounds=compounds, summary=summary, records=records, on=on
    )


# The community's side: recording, objections and restoration (R11) ---------------------------


def entry_of(record: OwnerCreditRecord) -> OwnerCreditEntry:
    """The part of a record the grade needs."""
    return OwnerCreditEntry(
        category=record.category,
        status=record.status,
        recorded_on=record.recorded_on,
        valid_until=record.valid_until,
        ended_on=record.ended_on,
    )


async def create_record(
    session: AsyncSession,
    *,
    keyring: Keyring,
    principal: Principal,
    compound_id: int,
    id_number: str,
    name: str,
    category: OwnerCreditCategory,
    basis: str,
    recorded_on: date,
    valid_until: date | None,
    today: date,
) -> OwnerCreditRecord:
    """Record a credit entry for the resident of the compound with this ID number and name.

    The ID number is never repeated in an error; a resident not found (wrong number, wrong name
    or another compound) gets one message for all three cases.
    """
    check_text("name", name, max_length=NAME_LENGTH)
    check_fits("basis", basis, OwnerCreditRecord.basis)
    number = validate_resident_id(id_number, field="idNumber")
    compound = await get_in_scope_or_raise(
        session, model=Compound, record_id=compound_id, principal=principal, field="compoundId"
    )
    if not basis.strip():
        raise InvalidValue("basis", "name the basis document (e.g. the ruling or the decision)")
    validate_record(
        category=category, recorded_on=recorded_on, valid_until=valid_until, today=today
    )
    wanted = name.strip().encode()
    resident = next(
        (
            r
            for r in await list_residents_by_id_number(session, keyring=keyring, id_number=number)
            if r.compound_id == compound.id
            and hmac.compare_digest(
                open_field(keyring, "residents", "name", r.id, r.name_encrypted).encode(), wanted
            )
        ),
        None,
    )
    if resident is None:
        raise InvalidValue("idNumber", "no resident of this compound has this ID number and name")
    record = OwnerCreditRecord(
        resident_id=resident.id,
        category=category,
        basis=basis.strip(),
        recorded_on=recorded_on,
        valid_until=valid_until,
        status=OwnerCreditStatus.ACTIVE,
        recorded_by_id=acting_unit(principal),
    )
    session.add(record)
    await session.flush()
    return record


async def file_objection(
    session: AsyncSession,
    *,
    principal: Principal,
    record_id: int,
    reason: str,
    filed_on: date,
    today: date,
) -> tuple[OwnerCreditRecord, OwnerCreditObjection]:
    """Register an objection (异议): the record stops counting until the objection is decided."""
    check_fits("reason", reason, OwnerCreditObjection.reason)
    record = await _locked_record(session, principal=principal, record_id=record_id)
    if not reason.strip():
        raise InvalidValue("reason", "give the reason of the objection")
    if not record.recorded_on <= filed_on <= today:
        raise InvalidValue("filedOn", "an objection is filed after the record, not in the future")
    record.status = on_objection_filed(record.status)
    objection = OwnerCreditObjection(
        record_id=record.id,
        filed_on=filed_on,
        reason=reason.strip(),
        filed_by_id=acting_unit(principal),
    )
    session.add(objection)
    await session.flush()
    return record, objection


async def decide_objection(
    session: AsyncSession,
    *,
    principal: Principal,
    objection_id: int,
    upheld: bool,
    note: str,
    decided_on: date,
    today: date,
) -> tuple[OwnerCreditRecord, OwnerCreditObjection]:
    """Decide an objection: upheld revokes the record, rejected puts it back in effect."""
    check_fits("note", note, OwnerCreditObjection.decision_note)
    objection = await get_in_scope_or_raise(
        session,
        model=OwnerCreditObjection,
        record_id=objection_id,
        principal=principal,
        field="objectionId",
    )
    record = await _locked_record(session, principal=principal, record_id=objection.record_id)
    if not note.strip():
        raise InvalidValue("note", "give the reasons of the decision")
    if not objection.filed_on <= decided_on <= today:
        raise InvalidValue("decidedOn", "a decision comes after the objection, not in the future")
    if objection.decided_on is not None:
        raise InvalidValue("objectionId", "this objection has already been decided")
    record.status = on_objection_decided(record.status, upheld=upheld)
    objection.decided_on = decided_on
    objection.upheld = upheld
    objection.decision_note = note.strip()
    objection.decided_by_id = acting_unit(principal)
    await session.flush()
    return record, objection


async def restore(
    session: AsyncSession, *, principal: Principal, record_id: int, restored_on: date, today: date
) -> OwnerCreditRecord:
    """信用修复: end a bad record early; it no longer counts from ``restored_on`` on."""
    record = await _locked_record(session, principal=principal, record_id=record_id)
    if restored_on > today:
        raise InvalidValue("restoredOn", "a restoration cannot be dated in the future")
    record.status = on_restored(entry_of(record), restored_on=restored_on)
    record.ended_on = restored_on
    await session.flush()
    return record


async def _locked_record(
    session: AsyncSession, *, principal: Principal, record_id: int
) -> OwnerCreditRecord:
    """The record, held until the transaction ends (its status is read, then changed)."""
    return await get_in_scope_or_raise(
        session,
        model=OwnerCreditRecord,
        record_id=record_id,
        principal=principal,
        field="recordId",
        lock=True,
    )


@dataclass(frozen=True, slots=True)
class RecordFilter:
    """Conditions on owner credit records; None means no condition."""

    compound_id: int | None = None
    status: OwnerCreditStatus | None = None


RECORD_ORDERING = Ordering(
    "RECORDED_ON",
    (SortKey(OwnerCreditRecord.recorded_on, descending=True), SortKey(OwnerCreditRecord.id)),
)


def select_records(*, where: RecordFilter, principal: Principal) -> sa.Select[Any]:
    """The records kept in the principal's jurisdiction, newest first (order by the caller)."""
    stmt = sa.select(OwnerCreditRecord)
    if where.compound_id is not None:
        residents = sa.select(Resident.id).where(Resident.compound_id == where.compound_id)
        stmt = stmt.where(OwnerCreditRecord.resident_id.in_(residents))
    if where.status is not None:
        stmt = stmt.where(OwnerCreditRecord.status == where.status)
    return narrow(stmt, OwnerCreditRecord, principal)
