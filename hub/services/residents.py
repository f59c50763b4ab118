"""Residents (owners and occupants, 业主 / 使用人) as master data, and the pages of a compound's
residents that ``Compound.residents`` shows.

Created, updated and retired by 住建局, a town in its town and a community in its community
(``MASTER_DATA``), every field checked by ``hub.domain.master_data.check_resident``. Name, ID
number and phone are sealed and the ID number blind-indexed (``hub.services.personal_data``), as
every resident is stored; the before/after of a change shows them masked. A resident is matched
by the blind index of the ID number: the same person registered twice in the same home (same
compound, building and room) is refused; the same person in two homes is two residents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import MasterKind, Principal
from hub.domain.crypto import Keyring, blind_index
from hub.domain.enums import ResidentKind
from hub.domain.master_data import check_resident
from hub.services.master_data import (
    DUPLICATE,
    IMMUTABLE,
    NOT_FOUND,
    Changed,
    Invalid,
    Problem,
    check_reason,
    problems_of,
    raise_if,
    refuse_retired,
    require_manage,
    retire,
)
from hub.services.paging import Ordering, Position, SortKey
from hub.services.personal_data import open_resident, seal_row
from hub.services.records import live
from hub.services.scope import get_in_scope_or_raise, narrow, visible
from hub.store.models import Compound, Resident

KIND = MasterKind.RESIDENT
PERSONAL = ("name", "id_number", "phone")
"""The sealed fields (masked in every change's before/after)."""
PLAIN = ("kind", "building", "room", "floor_area")
WHAT = "住户"

BY_HOME = Ordering(
    "HOME", (SortKey(Resident.building), SortKey(Resident.room), SortKey(Resident.id))
)
"""The order of a compound's residents: by building, room, then the order they were entered."""


async def create_resident(
    session: AsyncSession, *, principal: Principal, keyring: Keyring, values: Mapping[str, Any]
) -> Changed[Resident]:
    """A new resident from its field keys (``compound_code``, ``kind``, ``name``, ``id_number``,
    ``phone``, ``building``, ``room``, ``floor_area``)."""
    require_manage(principal, KIND)
    checked = check_resident(values)
    problems = problems_of(checked.problems)
    compound = None
    if checked.values.get("compound_code") is not None:
        code = checked.values["compound_code"]
        # Held until the transaction ends: two registrations of the same home wait for each
        # other, so the duplicate check below sees the first.
        stmt = sa.select(Compound).where(Compound.code == code, live(Compound))
        compound = await session.scalar(narrow(stmt, Compound, principal).with_for_update())
        if compound is None:
            problems.append(
                Problem("compoundCode", NOT_FOUND, f"你的辖区内没有编码为 {code} 的小区")
            )
    v = checked.values
    if compound is not None and all(v.get(k) for k in ("id_number", "building", "room")):
        await _check_home(
            session,
            keyring=keyring,
            compound_id=compound.id,
            id_number=v["id_number"],
            building=v["building"],
            room=v["room"],
            problems=problems,
        )
    raise_if(problems)
    assert compound is not None
    resident = Resident(
        compound_id=compound.id,
        kind=v["kind"],
        name_encrypted="",
        id_number_encrypted="",
        id_number_index="",
        building=v["building"],
        room=v["room"],
        floor_area=v.get("floor_area") or 0.0,
    )
    session.add(resident)
    await session.flush()  # the id binds the sealed values to the row
    _seal(keyring, resident, name=v["name"], id_number=v["id_number"], phone=v.get("phone"))
    await session.flush()
    changed = Changed(resident, created=True)
    changed.note("compound_code", None, compound.code)
    for key in PLAIN:
        changed.note(key, None, getattr(resident, key))
    for key in PERSONAL:
        changed.note(key, None, v.get(key), personal=True)
    return changed


async def update_resident(
    session: AsyncSession,
    *,
    principal: Principal,
    keyring: Keyring,
    resident_id: int,
    values: Mapping[str, Any],
) -> Changed[Resident]:
    """Change the fields given (not the compound: a home in another compound is another
    resident)."""
    require_manage(principal, KIND)
    if "compound_code" in values:
        raise Invalid([Problem("compoundCode", IMMUTABLE, "住户不能转到其他小区：请在新小区登记")])
    checked = check_resident(values, partial=True)
    raise_if(problems_of(checked.problems))  # the input first, then the record
    resident = await get_in_scope_or_raise(
        session, model=Resident, record_id=resident_id, principal=principal, field="id", lock=True
    )
    refuse_retired(resident, what=WHAT)
    problems: list[Problem] = []
    current = open_resident(keyring, resident)
    before: dict[str, Any] = {
        "name": current.name,
        "id_number": current.id_number,
        "phone": current.phone,
        **{key: getattr(resident, key) for key in PLAIN},
    }
    after = {**before, **checked.values}
    if after["floor_area"] is None:
        after["floor_area"] = 0.0
    home = ("id_number", "building", "room")
    if any(after[k] != before[k] for k in home):
        await _check_home(
            session,
            keyring=keyring,
            compound_id=resident.compound_id,
            problems=problems,
            exclude=resident.id,
            **{k: after[k] for k in home},
        )
    raise_if(problems)
    changed = Changed(resident)
    for key in PLAIN:
        if after[key] != before[key]:
            setattr(resident, key, after[key])
            changed.note(key, before[key], after[key])
    if any(after[key] != before[key] for key in PERSONAL):
        _seal(
            keyring,
            resident,
            name=after["name"],
            id_number=after["id_number"],
            phone=after["phone"],
        )
        for key in PERSONAL:
            if after[key] != before[key]:
                changed.note(key, before[key], after[key], personal=True)
    await session.flush()
    return changed


async def retire_resident(
    session: AsyncSession, *, principal: Principal, resident_id: int, reason: str, now: datetime
) -> Changed[Resident]:
    """Retire a resident (moved out, sold the home …): the row stays for the owner credit records
    that name it, and drops out of the compound's list."""
    require_manage(principal, KIND)
    check_reason(reason)  # the input first, then the record
    resident = await get_in_scope_or_raise(
        session, model=Resident, record_id=resident_id, principal=principal, field="id", lock=True
    )
    changed = Changed(resident)
    retire(changed, reason=reason, now=now, what=WHAT)
    await session.flush()
    return changed


def _seal(
    keyring: Keyring, resident: Resident, *, name: str, id_number: str, phone: str | None
) -> None:
    sealed = seal_row(
        keyring,
        "residents",
        {"id": resident.id, "name": name, "id_number": id_number, "phone": phone},
    )
    resident.name_encrypted = sealed["name_encrypted"]
    resident.id_number_encrypted = sealed["id_number_encrypted"]
    resident.phone_encrypted = sealed["phone_encrypted"]
    resident.id_number_index = sealed["id_number_index"]


async def _check_home(
    session: AsyncSession,
    *,
    keyring: Keyring,
    compound_id: int,
    id_number: str,
    building: str,
    room: str,
    problems: list[Problem],
    exclude: int | None = None,
) -> None:
    """The same person (by the blind index of the ID number) is not registered twice in the same
    home of the compound (retired registrations do not count)."""
    stmt = sa.select(Resident.id).where(
        Resident.compound_id == compound_id,
        Resident.id_number_index == blind_index(keyring, id_number),
        Resident.building == building,
        Resident.room == room,
        Resident.retired_at.is_(None),
    )
    if exclude is not None:
        stmt = stmt.where(Resident.id != exclude)
    if await session.scalar(stmt.limit(1)) is not None:
        problems.append(
            Problem(
                "idNumber",
                DUPLICATE,
                f"该身份证号的住户已登记在本小区 {building} 栋 {room} 室，不能重复登记",
            )
        )


# Reading: the pages of Compound.residents ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResidentFilter:
    """Conditions on a compound's residents (never on personal data); None: no condition."""

    kind: ResidentKind | None = None
    building: str | None = None
    room: str | None = None


@dataclass(frozen=True, slots=True)
class ResidentPage:
    """One compound's page: its residents, their positions in ``BY_HOME``, and whether more
    follow."""

    rows: list[Resident]
    positions: list[Position]
    has_next: bool


def _conditions(where: ResidentFilter) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [live(Resident)]
    if where.kind is not None:
        conditions.append(Resident.kind == where.kind)
    if where.building is not None:
        conditions.append(Resident.building == where.building.strip())
    if where.room is not None:
        conditions.append(Resident.room == where.room.strip())
    return conditions


async def list_resident_pages(
    session: AsyncSession,
    *,
    compound_ids: Sequence[int],
    where: ResidentFilter,
    first: int,
    after: Position | None,
    principal: Principal,
) -> list[ResidentPage]:
    """For each compound, the page of its live residents after the position, in one statement
    for all of them (each compound's first ``first + 1`` rows, ranked by a window function), in
    the order of ``compound_ids``; only compounds in the principal's jurisdiction have any."""
    conditions = [Resident.compound_id.in_(set(compound_ids)), *_conditions(where)]
    if after is not None:
        conditions.append(BY_HOME.after(after))
    rank = sa.func.row_number().over(partition_by=Resident.compound_id, order_by=BY_HOME.order_by())
    ranked = narrow(
        sa.select(Resident.id.label("resident_id"), rank.label("rank")).where(*conditions),
        Resident,
        principal,
    ).subquery()
    stmt = (
        sa.select(Resident)
        .join(ranked, ranked.c.resident_id == Resident.id)
        .where(ranked.c.rank <= first + 1)
        .order_by(Resident.compound_id, ranked.c.rank)
    )
    grouped: dict[int, list[Resident]] = {key: [] for key in compound_ids}
    for row in (await session.scalars(stmt)).all():
        grouped.setdefault(row.compound_id, []).append(row)
    pages = []
    for key in compound_ids:
        rows = grouped[key]
        page = rows[:first]
        pages.append(
            ResidentPage(
                rows=page,
                positions=[(r.building, r.room, r.id) for r in page],
                has_next=len(rows) > first,
            )
        )
    return pages


async def count_residents(
    session: AsyncSession,
    *,
    compound_ids: Sequence[int],
    where: ResidentFilter,
    principal: Principal,
) -> list[int]:
    """For each compound, how many live residents match (one grouped statement for all)."""
    conditions = [Resident.compound_id.in_(set(compound_ids)), *_conditions(where)]
    scoped = visible(Resident, principal)
    if scoped is not None:
        conditions.append(scoped)
    stmt = (
        sa.select(Resident.compound_id, sa.func.count())
        .where(*conditions)
        .group_by(Resident.compound_id)
    )
    counts = {key: int(n) for key, n in (await session.execute(stmt)).all()}
    return [counts.get(key, 0) for key in compound_ids]


PageKey = tuple[int, ResidentFilter, int, Position | None]
"""What a loader asks ``list_pages_by_key`` for: (compound id, filter, first, after)."""
CountKey = tuple[int, ResidentFilter]
"""What a loader asks ``count_by_key`` for: (compound id, filter)."""


async def list_pages_by_key(
    session: AsyncSession, *, keys: Sequence[PageKey], principal: Principal
) -> list[ResidentPage]:
    """``list_resident_pages`` for loader keys: one statement per distinct (filter, first,
    after) — one for a list of compounds asking the same page — results in key order."""
    groups: dict[tuple[ResidentFilter, int, Position | None], list[int]] = {}
    for compound_id, where, first, after in keys:
        groups.setdefault((where, first, after), []).append(compound_id)
    found: dict[PageKey, ResidentPage] = {}
    for (where, first, after), ids in groups.items():
        pages = await list_resident_pages(
            session, compound_ids=ids, where=where, first=first, after=after, principal=principal
        )
        for compound_id, page in zip(ids, pages, strict=True):
            found[compound_id, where, first, after] = page
    return [found[key] for key in keys]


async def count_by_key(
    session: AsyncSession, *, keys: Sequence[CountKey], principal: Principal
) -> list[int]:
    """``count_residents`` for loader keys: one statement per distinct filter."""
    groups: dict[ResidentFilter, list[int]] = {}
    for compound_id, where in keys:
        groups.setdefault(where, []).append(compound_id)
    found: dict[CountKey, int] = {}
    for where, ids in groups.items():
        counts = await count_residents(session, compound_ids=ids, where=where, principal=principal)
        for compound_id, n in zip(ids, counts, strict=True):
            found[compound_id, where] = n
    return [found[key] for key in keys]
