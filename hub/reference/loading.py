"""The reference data into a store, for ``hub init``: what is missing is added, what is there is
left alone, and a store that disagrees with the data is refused before anything is written.

``compare`` only reads: it tells what the store lacks, what it holds already and where it
disagrees. ``initialize`` runs inside one audited change (``hub.services.work.change``, as
``ACTION``): it compares again in its own transaction (the store may have changed since), refuses
a conflict (``ReferenceConflict``), adds what is missing and, when asked, creates an API key of
住建局 with ``hub.services.identity``.

What counts as a conflict: a place whose code the store gives another name, level, kind or
parent (the store then follows another code scheme, and loading would put things in the wrong
place); a place the store holds under another code (the same name in the same parent); a member
unit whose code the store gives another role, jurisdiction or utility kind (that decides what its
keys may do). A member unit's *name* is not: names are the banner's to edit (the utilities get
their companies' registered names), so a differing name is reported and kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Principal, Role
from hub.errors import BadUserInput
from hub.reference.data import COMPETENT_DEPARTMENT, Place, ReferenceData, Unit
from hub.services import identity
from hub.services.identity import NewKey
from hub.store.models import ApiClient, Jurisdiction, MemberUnit

ACTION = "referenceDataInit"
"""The audit action of ``hub init``."""
SUBJECT_TYPE = "ReferenceData"
INIT_PRINCIPAL = Principal(role=Role.COMPETENT_DEPARTMENT, client="cli:hub init")
"""Whom the audit log names for ``hub init``: the command line, acting for the competent
department (住建局, whose unit the first run creates)."""
KEY_LABEL = "hub init"


class ReferenceConflict(BadUserInput):
    """The store disagrees with the reference data; nothing was written."""


@dataclass(frozen=True, slots=True)
class Comparison:
    """The store against the reference data."""

    missing_places: tuple[Place, ...]
    present_places: int
    missing_units: tuple[Unit, ...]
    present_units: int
    renamed_units: tuple[tuple[Unit, str], ...]
    """Units the store holds under another name: (the reference's unit, the store's name)."""
    conflicts: tuple[str, ...]
    competent_has_key: bool
    """Whether 住建局 has an API key in force (not revoked)."""

    @property
    def nothing_to_add(self) -> bool:
        return not self.missing_places and not self.missing_units


@dataclass(frozen=True, slots=True)
class InitResult:
    """What ``initialize`` did: the comparison it acted on, and the key it made, if any."""

    comparison: Comparison
    key: NewKey | None = None
    audit_detail: dict[str, object] = field(default_factory=dict)


async def compare(session: AsyncSession, *, data: ReferenceData) -> Comparison:
    """Compare the store with the reference data (reads only)."""
    rows = (await session.scalars(sa.select(Jurisdiction))).all()
    by_code = {row.code: row for row in rows}
    code_of = {row.id: row.code for row in rows}
    by_name = {(row.name, code_of.get(row.parent_id or 0), row.level): row for row in rows}
    conflicts: list[str] = []
    missing_places: list[Place] = []
    for place in data.places:
        row = by_code.get(place.code)
        if row is None:
            other = by_name.get((place.name, place.parent_code, place.level))
            if other is not None:
                conflicts.append(
                    f"jurisdiction {place.name} ({_parent(place)}) has the code {other.code} in "
                    f"the store, {place.code} in the reference data"
                )
            missing_places.append(place)
            continue
        conflicts += _place_conflicts(place, row, parent_code=code_of.get(row.parent_id or 0))

    units = (
        await session.scalars(
            sa.select(MemberUnit).where(MemberUnit.code.in_([u.code for u in data.units]))
        )
    ).all()
    unit_by_code = {unit.code: unit for unit in units}
    missing_units: list[Unit] = []
    renamed: list[tuple[Unit, str]] = []
    for unit in data.units:
        stored = unit_by_code.get(unit.code)
        if stored is None:
            missing_units.append(unit)
            continue
        works_in = code_of.get(stored.jurisdiction_id or 0)
        conflicts += _unit_conflicts(unit, stored, jurisdiction_code=works_in)
        if stored.name != unit.name:
            renamed.append((unit, stored.name))

    return Comparison(
        missing_places=tuple(missing_places),
        present_places=len(data.places) - len(missing_places),
        missing_units=tuple(missing_units),
        present_units=len(data.units) - len(missing_units),
        renamed_units=tuple(renamed),
        conflicts=tuple(conflicts),
        competent_has_key=await _has_key(session, unit=unit_by_code.get(COMPETENT_DEPARTMENT)),
    )


def _parent(place: Place) -> str:
    return f"in {place.parent_code}" if place.parent_code else "the banner"


def _place_conflicts(place: Place, row: Jurisdiction, *, parent_code: str | None) -> list[str]:
    differences = _differences(
        (
            ("name", row.name, place.name),
            ("level", row.level.value, place.level.value),
            ("kind", _value(row.town_kind), _value(place.town_kind)),
            ("parent", parent_code, place.parent_code),
        )
    )
    return [f"jurisdiction {place.code} ({place.name}): {d}" for d in differences]


def _unit_conflicts(unit: Unit, row: MemberUnit, *, jurisdiction_code: str | None) -> list[str]:
    differences = _differences(
        (
            ("role", row.role.value, unit.role.value),
            ("jurisdiction", jurisdiction_code, unit.jurisdiction_code),
            ("utility kind", _value(row.utility_kind), _value(unit.utility_kind)),
        )
    )
    return [f"member unit {unit.code} ({unit.name}): {d}" for d in differences]


def _differences(pairs: Iterable[tuple[str, str | None, str | None]]) -> list[str]:
    return [
        f"{what} is {stored or '(none)'} in the store, {wanted or '(none)'} in the reference data"
        for what, stored, wanted in pairs
        if stored != wanted
    ]


def _value(member: object | None) -> str | None:
    return None if member is None else str(getattr(member, "value", member))


async def _has_key(session: AsyncSession, *, unit: MemberUnit | None) -> bool:
    if unit is None:
        return False
    found = await session.scalar(
        sa.select(ApiClient.id)
        .where(ApiClient.unit_id == unit.id, ApiClient.revoked_at.is_(None))
        .limit(1)
    )
    return found is not None


async def initialize(
    session: AsyncSession, *, data: ReferenceData, new_key: bool = False
) -> InitResult:
    """Add what the store lacks of the reference data; make a key of 住建局 when it has none in
    force, or when ``new_key`` asks for one. ``ReferenceConflict`` (nothing written) when the
    store disagrees with the data."""
    comparison = await compare(session, data=data)
    if comparison.conflicts:
        raise ReferenceConflict(
            f"the store disagrees with the reference data in {len(comparison.conflicts)} "
            "place(s): " + "; ".join(comparison.conflicts),
            conflicts=len(comparison.conflicts),
        )
    known = await session.execute(sa.select(Jurisdiction.code, Jurisdiction.id))
    ids = dict(known.tuples().all())
    for place in comparison.missing_places:
        row = Jurisdiction(
            code=place.code,
            name=place.name,
            level=place.level,
            town_kind=place.town_kind,
            parent_id=ids[place.parent_code] if place.parent_code else None,
            generated=False,
        )
        session.add(row)
        await session.flush()  # its id, for the places and units inside it
        ids[place.code] = row.id
    session.add_all(
        MemberUnit(
            code=unit.code,
            name=unit.name,
            role=unit.role,
            jurisdiction_id=ids[unit.jurisdiction_code],
            utility_kind=unit.utility_kind,
        )
        for unit in comparison.missing_units
    )
    await session.flush()
    key = None
    if new_key or not comparison.competent_has_key:
        key = await identity.create_client(
            session, unit_code=COMPETENT_DEPARTMENT, role=Role.COMPETENT_DEPARTMENT, label=KEY_LABEL
        )
    detail: dict[str, object] = {
        "jurisdictions_added": len(comparison.missing_places),
        "jurisdictions_present": comparison.present_places,
        "member_units_added": len(comparison.missing_units),
        "member_units_present": comparison.present_units,
        "member_units_named_otherwise": len(comparison.renamed_units),
        "api_client": key.client.key_prefix if key else None,
    }
    return InitResult(comparison=comparison, key=key, audit_detail=detail)
