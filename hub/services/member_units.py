"""Member units of the joint conference (R1): created, updated and retired by 住建局 alone
(``MASTER_DATA``), checked by ``hub.domain.master_data.check_member_unit``.

A unit's code and role do not change once it exists: histories, ledger items and findings name
the unit by its code (``member_units.code`` is their foreign key), and its API keys carry its
role. A unit that leaves the conference is retired: its row stays for what names it, and its
keys and staff tokens stop authenticating (``hub.services.identity``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import MasterKind, Principal
from hub.domain.enums import JurisdictionLevel, UnitRole
from hub.domain.master_data import ROLE_LEVEL, check_member_unit
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
    problems_of,
    raise_if,
    refuse_retired,
    require_manage,
    retire,
)
from hub.services.scope import get_in_scope_or_raise
from hub.store.models import Jurisdiction, MemberUnit

KIND = MasterKind.MEMBER_UNIT
UPDATABLE = frozenset({"name", "jurisdiction_code", "utility_kind"})
"""What an update may change (the code and the role stay: see the module)."""
WHAT = "成员单位"


async def create_unit(
    session: AsyncSession, *, principal: Principal, values: Mapping[str, Any]
) -> Changed[MemberUnit]:
    """A new member unit from its field keys (``code``, ``name``, ``role``,
    ``jurisdiction_code``, ``utility_kind``)."""
    require_manage(principal, KIND)
    checked = check_member_unit(values)
    problems = problems_of(checked.problems)
    code = checked.values.get("code")
    if code is not None and await _code_taken(session, code):
        problems.append(
            Problem("code", DUPLICATE, f"成员单位编码 {code} 已被使用（含已撤销的单位）")
        )
    place = await _place(session, checked.values, principal=principal, problems=problems)
    raise_if(problems)
    unit = MemberUnit(
        code=code,
        name=checked.values["name"],
        role=checked.values["role"],
        jurisdiction_id=place.id if place else None,
        utility_kind=checked.values.get("utility_kind"),
    )
    session.add(unit)
    await session.flush()
    changed = Changed(unit, created=True)
    for key in ("code", "name", "role", "utility_kind"):
        changed.note(key, None, checked.values.get(key))
    changed.note("jurisdiction_code", None, place.code if place else None)
    return changed


async def update_unit(
    session: AsyncSession, *, principal: Principal, unit_id: int, values: Mapping[str, Any]
) -> Changed[MemberUnit]:
    """Change a unit's name, jurisdiction or utility kind (the keys given; others stay)."""
    require_manage(principal, KIND)
    fixed = sorted(set(values) - UPDATABLE)
    if fixed:
        raise Invalid([Problem(key, IMMUTABLE, "成员单位的编码和角色不能修改") for key in fixed])
    raise_if(problems_of(check_member_unit(values, partial=True).problems))  # input first
    unit = await get_in_scope_or_raise(
        session, model=MemberUnit, record_id=unit_id, principal=principal, field="id", lock=True
    )
    refuse_retired(unit, what=WHAT)
    # The role decides what the jurisdiction and the utility kind must be: check them with it.
    checked = check_member_unit({"role": unit.role, **values}, partial=True)
    problems = problems_of(checked.problems)
    place = None
    if "jurisdiction_code" in checked.values:
        place = await _place(session, checked.values, principal=principal, problems=problems)
    raise_if(problems)
    changed = Changed(unit)
    assign(changed, {k: checked.values[k] for k in ("name", "utility_kind") if k in checked.values})
    if "jurisdiction_code" in checked.values:
        before = await _code_of(session, unit.jurisdiction_id)
        after_id = place.id if place else None
        if after_id != unit.jurisdiction_id:
            unit.jurisdiction_id = after_id
            changed.note("jurisdiction_code", before, place.code if place else None)
    await session.flush()
    return changed


async def retire_unit(
    session: AsyncSession, *, principal: Principal, unit_id: int, reason: str, now: datetime
) -> Changed[MemberUnit]:
    """Retire a unit: its keys stop working; a unit cannot retire itself (it would lock out the
    caller's own credential)."""
    require_manage(principal, KIND)
    check_reason(reason)  # the input first, then the record
    unit = await get_in_scope_or_raise(
        session, model=MemberUnit, record_id=unit_id, principal=principal, field="id", lock=True
    )
    if unit.id == principal.unit_id:
        raise Invalid([Problem("id", "OWN_UNIT", "不能撤销本单位（请由其他住建局账号办理）")])
    changed = Changed(unit)
    retire(changed, reason=reason, now=now, what=WHAT)
    await session.flush()
    return changed


async def _code_taken(session: AsyncSession, code: str) -> bool:
    found = await session.scalar(sa.select(MemberUnit.id).where(MemberUnit.code == code))
    return found is not None


async def _code_of(session: AsyncSession, jurisdiction_id: int | None) -> str | None:
    if jurisdiction_id is None:
        return None
    return await session.scalar(
        sa.select(Jurisdiction.code).where(Jurisdiction.id == jurisdiction_id)
    )


async def _place(
    session: AsyncSession,
    values: Mapping[str, Any],
    *,
    principal: Principal,
    problems: list[Problem],
) -> Jurisdiction | None:
    """The jurisdiction the unit works in: a town for a town's unit, a community for a
    community's, the banner (the default) for every other role."""
    role: UnitRole | None = values.get("role")
    code = values.get("jurisdiction_code")
    if role is None:
        return None
    level = ROLE_LEVEL.get(role, JurisdictionLevel.BANNER)
    if code is None:
        if level is not JurisdictionLevel.BANNER:
            return None  # the domain check has said it is required
        return await session.scalar(
            sa.select(Jurisdiction).where(Jurisdiction.level == JurisdictionLevel.BANNER)
        )
    place = await find_place(session, code=code, levels=[level], principal=principal)
    if place is None:
        where = {
            JurisdictionLevel.TOWN: "镇",
            JurisdictionLevel.COMMUNITY: "社区",
            JurisdictionLevel.BANNER: "旗",
        }[level]
        problems.append(
            Problem("jurisdictionCode", NOT_FOUND, f"没有编码为 {code} 的{where}（或已撤销）")
        )
    return place
