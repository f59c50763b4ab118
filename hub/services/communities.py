"""Communities (社区): created, updated and retired by 住建局 anywhere and by a town in its own
town (``MASTER_DATA``), checked by ``hub.domain.master_data.check_community``.

A community's code does not change once it exists: its unit (``community-<code>``) and the codes
of its compounds begin with it, and member-unit systems filter by it; nor does its town (the
compounds' town is kept beside their community). A community is retired only when none of its
compounds is live any more: they would otherwise be listed under a place that is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import MasterKind, Principal
from hub.domain.enums import JurisdictionLevel
from hub.domain.master_data import check_community
from hub.services.master_data import (
    DUPLICATE,
    IMMUTABLE,
    NOT_FOUND,
    Changed,
    Invalid,
    Problem,
    assign,
    check_reason,
    find_place,
    get_place_or_raise,
    problems_of,
    raise_if,
    refuse_retired,
    require_manage,
    retire,
)
from hub.services.records import live
from hub.store.models import Compound, Jurisdiction

KIND = MasterKind.COMMUNITY
UPDATABLE = frozenset({"name"})
"""What an update may change (the code and the town stay: see the module)."""
WHAT = "社区"


async def create_community(
    session: AsyncSession, *, principal: Principal, values: Mapping[str, Any]
) -> Changed[Jurisdiction]:
    """A new community from its field keys (``code``, ``name``, ``town_code``)."""
    require_manage(principal, KIND)
    checked = check_community(values)
    problems = problems_of(checked.problems)
    code, town_code = checked.values.get("code"), checked.values.get("town_code")
    if code is not None:
        taken = await session.scalar(sa.select(Jurisdiction.id).where(Jurisdiction.code == code))
        if taken is not None:
            problems.append(Problem("code", DUPLICATE, f"编码 {code} 已被其他辖区使用"))
    town = None
    if town_code is not None:
        town = await find_place(
            session, code=town_code, levels=[JurisdictionLevel.TOWN], principal=principal
        )
        if town is None:
            problems.append(
                Problem("townCode", NOT_FOUND, f"你的辖区内没有编码为 {town_code} 的镇")
            )
    raise_if(problems)
    assert town is not None
    community = Jurisdiction(
        code=code, name=checked.values["name"], level=JurisdictionLevel.COMMUNITY, parent_id=town.id
    )
    session.add(community)
    await session.flush()
    changed = Changed(community, created=True)
    changed.note("code", None, code)
    changed.note("name", None, community.name)
    changed.note("town_code", None, town.code)
    return changed


async def update_community(
    session: AsyncSession, *, principal: Principal, community_id: int, values: Mapping[str, Any]
) -> Changed[Jurisdiction]:
    """Rename a community."""
    require_manage(principal, KIND)
    fixed = sorted(set(values) - UPDATABLE)
    if fixed:
        raise Invalid([Problem(key, IMMUTABLE, "社区的编码和所属镇不能修改") for key in fixed])
    checked = check_community(values, partial=True)
    raise_if(problems_of(checked.problems))
    community = await _community(session, principal=principal, community_id=community_id)
    refuse_retired(community, what=WHAT)
    changed = Changed(community)
    assign(changed, checked.values)
    await session.flush()
    return changed


async def retire_community(
    session: AsyncSession, *, principal: Principal, community_id: int, reason: str, now: datetime
) -> Changed[Jurisdiction]:
    """Retire a community that has no live compound left (retire or move them first)."""
    require_manage(principal, KIND)
    check_reason(reason)  # the input first, then the record
    community = await _community(session, principal=principal, community_id=community_id)
    remaining = await session.scalar(
        sa.select(sa.func.count())
        .select_from(Compound)
        .where(Compound.community_id == community.id, live(Compound))
    )
    if remaining:
        raise Invalid(
            [
                Problem(
                    "id",
                    "HAS_COMPOUNDS",
                    f"该社区还有 {remaining} 个小区：请先撤销这些小区或把它们划入其他社区",
                )
            ]
        )
    changed = Changed(community)
    retire(changed, reason=reason, now=now, what=WHAT)
    await session.flush()
    return changed


async def _community(
    session: AsyncSession, *, principal: Principal, community_id: int
) -> Jurisdiction:
    return await get_place_or_raise(
        session,
        place_id=community_id,
        level=JurisdictionLevel.COMMUNITY,
        principal=principal,
        field="id",
    )
