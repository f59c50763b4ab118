"""Compounds (住宅小区) as master data: created, updated and retired by 住建局, a town in its
town and a community in its community (``MASTER_DATA``), every column checked by
``hub.domain.master_data.check_compound``.

A compound's town follows its community (``Compound.town_id`` is kept beside the community for
the town filters and statistics), and its ``normalized_name`` is made the way the sync matches
compounds across platforms (``hub.domain.names``): two compounds of one town may not share it,
retired ones included (the store's unique constraint). A retired compound drops out of lists and
statistics; what hangs off it (contracts, committee, residents) stays for the history.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import MasterKind, Principal
from hub.domain.enums import JurisdictionLevel
from hub.domain.master_data import check_compound
from hub.domain.names import normalize_compound_name
from hub.services.master_data import (
    DUPLICATE,
    NOT_FOUND,
    Changed,
    Problem,
    assign,
    check_reason,
    find_place,
    problems_of,
    raise_if,
    refuse_retired,
    require_manage,
    retire,
)
from hub.services.scope import get_in_scope_or_raise
from hub.store.models import Compound, Jurisdiction

KIND = MasterKind.COMPOUND
COLUMNS = ("code", "name", "address", "households", "floor_area", "built_year", "warranty_end")
"""The field keys stored as they are (the community is a reference, the name also normalised)."""
ZERO_WHEN_BLANK = {"households": 0, "floor_area": 0.0}
"""Columns whose unknown value is 0 in the store."""
WHAT = "小区"


async def create_compound(
    session: AsyncSession, *, principal: Principal, values: Mapping[str, Any], today: date
) -> Changed[Compound]:
    """A new compound from its field keys (``code``, ``name``, ``community_code``, ``address``,
    ``households``, ``floor_area``, ``built_year``, ``warranty_end``)."""
    require_manage(principal, KIND)
    checked = check_compound(values, today=today)
    problems = problems_of(checked.problems)
    community = await _community(session, checked.values, principal=principal, problems=problems)
    await _check_unique(session, checked.values, town=community, problems=problems)
    raise_if(problems)
    assert community is not None and community.parent_id is not None
    stored = _stored(checked.values)
    compound = Compound(
        **stored,
        normalized_name=normalize_compound_name(stored["name"]),
        community_id=community.id,
        town_id=community.parent_id,
        generated=False,
    )
    session.add(compound)
    await session.flush()
    changed = Changed(compound, created=True)
    for key, value in stored.items():
        changed.note(key, None, value)
    changed.note("community_code", None, community.code)
    return changed


async def update_compound(
    session: AsyncSession,
    *,
    principal: Principal,
    compound_id: int,
    values: Mapping[str, Any],
    today: date,
) -> Changed[Compound]:
    """Change the fields given (a new community must be in the caller's jurisdiction too; the
    town follows it)."""
    require_manage(principal, KIND)
    checked = check_compound(values, today=today, partial=True)
    raise_if(problems_of(checked.problems))  # the input first, then the record
    compound = await get_in_scope_or_raise(
        session, model=Compound, record_id=compound_id, principal=principal, field="id", lock=True
    )
    refuse_retired(compound, what=WHAT)
    problems: list[Problem] = []
    community = None
    if "community_code" in checked.values:
        community = await _community(
            session, checked.values, principal=principal, problems=problems
        )
    town_id = community.parent_id if community is not None else compound.town_id
    await _check_unique(
        session, checked.values, town_id=town_id, exclude=compound.id, problems=problems
    )
    if "name" not in checked.values and town_id != compound.town_id:
        # Moving to another town: the name must be free there too.
        await _check_unique(
            session,
            {"name": compound.name},
            town_id=town_id,
            exclude=compound.id,
            problems=problems,
        )
    raise_if(problems)
    changed = Changed(compound)
    assign(changed, _stored(checked.values, partial=True))
    compound.normalized_name = normalize_compound_name(compound.name)
    if community is not None and community.id != compound.community_id:
        before = await session.scalar(
            sa.select(Jurisdiction.code).where(Jurisdiction.id == compound.community_id)
        )
        assert community.parent_id is not None
        compound.community_id, compound.town_id = community.id, community.parent_id
        changed.note("community_code", before, community.code)
    await session.flush()
    return changed


async def retire_compound(
    session: AsyncSession, *, principal: Principal, compound_id: int, reason: str, now: datetime
) -> Changed[Compound]:
    """Retire a compound (entered twice, merged with another …): it drops out of lists."""
    require_manage(principal, KIND)
    check_reason(reason)  # the input first, then the record
    compound = await get_in_scope_or_raise(
        session, model=Compound, record_id=compound_id, principal=principal, field="id", lock=True
    )
    changed = Changed(compound)
    retire(changed, reason=reason, now=now, what=WHAT)
    await session.flush()
    return changed


def _stored(values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """The columns stored as checked (blank counts and areas as 0)."""
    stored = {}
    for key in COLUMNS:
        if key not in values and partial:
            continue
        value = values.get(key)
        stored[key] = ZERO_WHEN_BLANK.get(key) if value is None else value
    return stored


async def _community(
    session: AsyncSession,
    values: Mapping[str, Any],
    *,
    principal: Principal,
    problems: list[Problem],
) -> Jurisdiction | None:
    code = values.get("community_code")
    if code is None:
        return None  # required: the domain check has said so
    community = await find_place(
        session, code=code, levels=[JurisdictionLevel.COMMUNITY], principal=principal
    )
    if community is None:
        problems.append(Problem("communityCode", NOT_FOUND, f"你的辖区内没有编码为 {code} 的社区"))
    return community


async def _check_unique(
    session: AsyncSession,
    values: Mapping[str, Any],
    *,
    problems: list[Problem],
    town: Jurisdiction | None = None,
    town_id: int | None = None,
    exclude: int | None = None,
) -> None:
    """A code no other compound has, and a name (normalised) no other compound of the town has."""
    others = sa.true() if exclude is None else Compound.id != exclude
    code = values.get("code")
    if code is not None:
        taken = await session.scalar(sa.select(Compound.id).where(Compound.code == code, others))
        if taken is not None:
            problems.append(
                Problem("code", DUPLICATE, f"小区编码 {code} 已被使用（含已撤销的小区）")
            )
    if town is not None:
        town_id = town.parent_id
    name = values.get("name")
    if name is not None and town_id is not None:
        taken = await session.scalar(
            sa.select(Compound.code).where(
                Compound.town_id == town_id,
                Compound.normalized_name == normalize_compound_name(name),
                others,
            )
        )
        if taken is not None:
            problems.append(
                Problem("name", DUPLICATE, f"本镇已有同名小区（编码 {taken}，含已撤销的小区）")
            )
