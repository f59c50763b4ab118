"""The KINDs of import, one module each: ``hub/imports/kinds/<kind>.py`` (``member-units`` →
``member_units.py``) defines a ``Kind`` subclass and names an instance ``KIND``.

A KIND says what its sheet's columns are (``sheet``), who may import it (``master`` or
``permission``), how one row's fields are checked (``check``: the rules of
``hub.domain.master_data``), what must be unique within the file (``file_keys``), how rows are
matched with the store by their natural key (``match``: references resolved, jurisdiction
checked, each row ``NEW``, ``UPDATED`` or ``UNCHANGED``) and how the rows are written
(``write``). Everything else — reading the file, the modes, the transaction, the audit entry,
the report — is the import's (``hub.imports.run``), the same for every KIND.

``match`` and ``write`` work in bulk: the store is asked once per chunk of keys, never per row,
so that 20,000 rows cost a few dozen statements.
"""

from __future__ import annotations

import abc
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from hub.domain.access import MasterKind, Permission, Principal, Scope, may_manage
from hub.domain.crypto import Keyring
from hub.domain.enums import JurisdictionLevel
from hub.domain.master_data import Checked
from hub.imports.columns import Sheet
from hub.imports.rows import Code, Outcome, Row
from hub.store.base import Base
from hub.store.models import Compound, Jurisdiction

CHUNK = 1000
"""Keys per ``IN (…)`` and rows per ``executemany``: well under SQLite's and asyncpg's limits."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Context:
    """What an import runs with: who imports, the keys of personal data, the day and the
    moment it runs, and the columns the file holds (a column the file leaves out is not
    changed in the store)."""

    principal: Principal
    keyring: Keyring
    today: date
    now: datetime
    present: frozenset[str]


class Kind(abc.ABC):
    """One KIND of import (see the module)."""

    name: ClassVar[str]
    """The KIND as the command names it: ``compounds``."""
    sheet: ClassVar[Sheet]
    subject_type: ClassVar[str]
    """The record type the audit entry names: ``Compound``."""
    master: ClassVar[MasterKind | None] = None
    """The kind of master data (who may manage it: ``hub.domain.access.MASTER_DATA``)."""
    permission: ClassVar[Permission] = Permission.WRITE_MASTER_DATA

    def allowed(self, principal: Principal) -> bool:
        """Whether the principal's role may import this KIND at all (its jurisdiction then
        decides which rows)."""
        if not principal.may(self.permission):
            return False
        return self.master is None or may_manage(principal.role, self.master)

    @abc.abstractmethod
    def check(self, cells: Mapping[str, object], *, today: date) -> Checked:
        """One row's own fields, checked (no store)."""

    def file_keys(self, row: Row) -> Iterator[tuple[str, Hashable]]:
        """(field to blame, key) pairs that no two rows of a file may share."""
        yield from ()

    @abc.abstractmethod
    async def match(self, session: AsyncSession, *, rows: Sequence[Row], context: Context) -> None:
        """Resolve references and find each row's record; set ``outcome`` and ``target`` of
        the rows that pass, refuse the others. ``rows`` may hold rows with problems already:
        check what their values allow, so that the report names every problem at once."""

    @abc.abstractmethod
    async def write(self, session: AsyncSession, *, rows: Sequence[Row], context: Context) -> None:
        """Insert the ``NEW`` rows and update the ``UPDATED`` ones (flush only)."""


# Helpers of the KINDs --------------------------------------------------------------------------


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def fetch_in(
    session: AsyncSession,
    stmt: sa.Select[*tuple[Any, ...]],
    column: InstrumentedAttribute[Any],
    values: Iterable[Any],
) -> list[Any]:
    """The rows of ``stmt`` whose ``column`` is one of ``values``, asked chunk by chunk."""
    wanted = sorted(set(values), key=str)
    found: list[Any] = []
    for part in chunks(wanted):
        found.extend((await session.execute(stmt.where(column.in_(part)))).all())
    return found


def place_in_scope(principal: Principal, place: Jurisdiction) -> bool:
    """Whether a town or community lies in the principal's jurisdiction."""
    if principal.scope is Scope.BANNER:
        return True
    if place.level is JurisdictionLevel.COMMUNITY:
        if principal.scope is Scope.COMMUNITY:
            return place.id == principal.community_id
        return principal.scope is Scope.TOWN and place.parent_id == principal.town_id
    if place.level is JurisdictionLevel.TOWN:
        return principal.scope is Scope.TOWN and place.id == principal.town_id
    return False


def compound_in_scope(principal: Principal, compound: Compound) -> bool:
    """Whether a compound lies in the principal's jurisdiction."""
    if principal.scope is Scope.COMMUNITY:
        return compound.community_id == principal.community_id
    if principal.scope is Scope.TOWN:
        return compound.town_id == principal.town_id
    return principal.scope is Scope.BANNER


def changed(before: Mapping[str, Any], after: Mapping[str, Any], fields: Iterable[str]) -> bool:
    """Whether any of ``fields`` differs (floats compared to the cent of a square metre)."""
    for key in fields:
        old, new = before.get(key), after.get(key)
        if isinstance(old, float) or isinstance(new, float):
            if round(float(old or 0), 2) != round(float(new or 0), 2):
                return True
        elif old != new:
            return True
    return False


def settle(row: Row, *, existing: bool, differs: bool) -> None:
    """The row's outcome once its record is known (rows with problems stay without one)."""
    if row.ok:
        row.outcome = (
            (Outcome.UPDATED if differs else Outcome.UNCHANGED) if existing else Outcome.NEW
        )


def not_found(row: Row, key: str, what: str) -> None:
    """A reference that names nothing the importing unit may reach: missing, retired or
    outside its jurisdiction give the same answer (an import never hints at what lies
    outside)."""
    row.refuse(key, Code.NOT_FOUND, f"{what}不存在，或不在本单位辖区内")


def _table(model: type[Base]) -> sa.Table:
    table: sa.Table = model.__table__  # type: ignore[assignment]  # a declared table
    return table


async def insert_rows(
    session: AsyncSession, model: type[Base], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert in chunks (executemany, no per-row ORM bookkeeping)."""
    table = _table(model)
    for part in chunks(rows):
        if part:
            await session.execute(sa.insert(table), list(part))


async def update_rows(
    session: AsyncSession, model: type[Base], rows: Sequence[dict[str, Any]]
) -> None:
    """Update by ``id`` in chunks; every row names the same columns."""
    if not rows:
        return
    table = _table(model)
    columns = [key for key in rows[0] if key != "id"]
    stmt = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"))
        .values({key: sa.bindparam(f"b_{key}") for key in columns})
    )
    for part in chunks(rows):
        await session.execute(
            stmt, [{f"b_{key}": value for key, value in row.items()} for row in part]
        )
