"""Personal data at rest: sealing and opening the personal fields of residents and committee
members, finding residents by ID number, and re-sealing with the active key (``hub keys rotate``).

The crypto is ``hub.domain.crypto``; this module knows which columns hold what. A sealed field
``<field>`` lives in the column ``<field>_encrypted`` and is bound to its table, field and record
id (the associated data), so a writer must know the record's id before sealing: the demo loader
and the migration give explicit ids; code inserting through the ORM flushes first.

Callers own the transaction; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.crypto import FieldRef, Keyring, blind_index, decrypt, encrypt
from hub.store.models import CommitteeMember, Resident

SEALED_FIELDS: dict[str, tuple[str, ...]] = {
    "residents": ("name", "id_number", "phone"),
    "committee_members": ("name", "phone"),
}
"""The personal fields of each table, sealed at rest."""

INDEXED = {"residents": ("id_number", "id_number_index")}
"""Sealed fields that also have a blind index: table → (field, index column)."""


def column_of(field: str) -> str:
    """The column holding a sealed field."""
    return f"{field}_encrypted"


def seal_row(keyring: Keyring, table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """The row with its plain personal fields replaced by sealed columns (and blind indexes).

    ``row`` must carry its ``id``; None stays None.
    """
    fields = SEALED_FIELDS[table]
    out = {key: value for key, value in row.items() if key not in fields}
    for field in fields:
        value = row[field]
        out[column_of(field)] = (
            None if value is None else encrypt(keyring, value, FieldRef(table, field, row["id"]))
        )
    if table in INDEXED:
        field, index_column = INDEXED[table]
        out[index_column] = blind_index(keyring, row[field])
    return out


def seal_rows(
    keyring: Keyring, table: str, rows: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """``seal_row`` of every row."""
    return [seal_row(keyring, table, row) for row in rows]


def open_field(keyring: Keyring, table: str, field: str, record_id: int, token: str | None) -> str:
    """The plain value of one sealed field ('' when the column is empty)."""
    if token is None:
        return ""
    return decrypt(keyring, token, FieldRef(table, field, record_id))


@dataclass(frozen=True, slots=True)
class ResidentData:
    """The personal data of a resident, in the clear: handle with care, never log."""

    name: str
    id_number: str
    phone: str | None

    def __repr__(self) -> str:
        return "ResidentData(…)"


@dataclass(frozen=True, slots=True)
class MemberData:
    """The personal data of a committee member, in the clear: handle with care, never log."""

    name: str
    phone: str | None

    def __repr__(self) -> str:
        return "MemberData(…)"


def open_resident(keyring: Keyring, row: Resident) -> ResidentData:
    """The resident's name, ID number and phone."""
    return ResidentData(
        name=decrypt(keyring, row.name_encrypted, FieldRef("residents", "name", row.id)),
        id_number=decrypt(
            keyring, row.id_number_encrypted, FieldRef("residents", "id_number", row.id)
        ),
        phone=None
        if row.phone_encrypted is None
        else decrypt(keyring, row.phone_encrypted, FieldRef("residents", "phone", row.id)),
    )


def open_member(keyring: Keyring, row: CommitteeMember) -> MemberData:
    """The member's name and phone."""
    return MemberData(
        name=decrypt(keyring, row.name_encrypted, FieldRef("committee_members", "name", row.id)),
        phone=None
        if row.phone_encrypted is None
        else decrypt(keyring, row.phone_encrypted, FieldRef("committee_members", "phone", row.id)),
    )


async def list_residents_by_id_number(
    session: AsyncSession, *, keyring: Keyring, id_number: str
) -> Sequence[Resident]:
    """The residents (one per home) with this ID number, found by its blind index."""
    stmt = (
        sa.select(Resident)
        .where(Resident.id_number_index == blind_index(keyring, id_number))
        .order_by(Resident.id)
    )
    return (await session.scalars(stmt)).all()


# Re-sealing with the active key ---------------------------------------------------------------


@dataclass(slots=True)
class RotationBatch:
    """What one batch of ``rotate_batch`` did."""

    last_id: int | None
    """The last id looked at (resume after it); None when there was nothing left."""
    rows: int = 0
    values: int = 0


def _table(name: str) -> sa.Table:
    from hub.store.base import Base

    return Base.metadata.tables[name]


def _stale(table: sa.Table, keyring: Keyring) -> sa.ColumnElement[bool]:
    """Rows with a value sealed under a key other than the active one."""
    prefix = f"v1:{keyring.active}:"
    conditions = []
    for field in SEALED_FIELDS[table.name]:
        column = table.c[column_of(field)]
        # substr, not LIKE: key ids may hold '_', a LIKE wildcard.
        conditions.append(
            sa.and_(column.is_not(None), sa.func.substr(column, 1, len(prefix)) != prefix)
        )
    return sa.or_(*conditions)


async def count_to_rotate(session: AsyncSession, *, keyring: Keyring, table: str) -> int:
    """How many rows of the table hold a value not sealed with the active key."""
    t = _table(table)
    count = await session.scalar(sa.select(sa.func.count()).where(_stale(t, keyring)))
    return int(count or 0)


async def rotate_batch(
    session: AsyncSession, *, keyring: Keyring, table: str, after_id: int, limit: int
) -> RotationBatch:
    """Re-seal with the active key the next ``limit`` rows (by id, after ``after_id``) that have
    a value sealed with another key.

    Values already under the active key are left as they are, so the work is idempotent and
    resumes where a stopped run ended. A row changed meanwhile by someone else is skipped (the
    update is guarded by the old values) and picked up by the next run. The blind index is not
    touched: its key is separate from the encryption keys.
    """
    t = _table(table)
    fields = SEALED_FIELDS[table]
    columns = [t.c[column_of(field)] for field in fields]
    rows = (
        await session.execute(
            sa.select(t.c.id, *columns)
            .where(t.c.id > after_id, _stale(t, keyring))
            .order_by(t.c.id)
            .limit(limit)
        )
    ).all()
    if not rows:
        return RotationBatch(last_id=None)
    prefix = f"v1:{keyring.active}:"
    updates: list[dict[str, Any]] = []
    values = 0
    for row in rows:
        update: dict[str, Any] = {"b_id": row.id}
        for field, column in zip(fields, columns, strict=True):
            token = row._mapping[column]
            update[f"old_{field}"] = token or ""
            if token is None or token.startswith(prefix):
                update[f"new_{field}"] = token
                continue
            ref = FieldRef(table, field, row.id)
            update[f"new_{field}"] = encrypt(keyring, decrypt(keyring, token, ref), ref)
            values += 1
        updates.append(update)
    guard = [t.c.id == sa.bindparam("b_id")]
    for field, column in zip(fields, columns, strict=True):
        # Phones may be NULL: compare through coalesce (IS NOT DISTINCT FROM is not portable).
        guard.append(sa.func.coalesce(column, "") == sa.bindparam(f"old_{field}"))
    stmt = (
        sa.update(t)
        .where(*guard)
        .values({c.name: sa.bindparam(f"new_{f}") for f, c in zip(fields, columns, strict=True)})
    )
    await session.execute(stmt, updates)
    return RotationBatch(last_id=rows[-1].id, rows=len(rows), values=values)
