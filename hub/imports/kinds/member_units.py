"""``member-units``: the member units of the joint conference (R1) and the utilities, matched by
their code. Only 住建局 manages them (``MASTER_DATA``).

A town's or community's unit sits in a jurisdiction of that level (``ROLE_LEVEL``); any other
unit in the banner, or in none. A unit's role is never changed (its API keys carry the role they
were issued with, and histories name the unit by its code): a row giving another role is
refused, as ``memberUnitUpdate`` refuses it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import MasterKind
from hub.domain.enums import JurisdictionLevel
from hub.domain.master_data import (
    ROLE_LEVEL,
    UNIT_ROLE_LABELS,
    UTILITY_KIND_LABELS,
    Checked,
    ProblemCode,
    check_member_unit,
)
from hub.imports.columns import Column, ColumnType, Sheet
from hub.imports.kinds import (
    Context,
    Kind,
    changed,
    fetch_in,
    insert_rows,
    not_found,
    settle,
    update_rows,
)
from hub.imports.rows import Code, Outcome, Row
from hub.store.models import Jurisdiction, MemberUnit

T = ColumnType
COLUMNS = (
    Column(
        "code",
        "单位编码",
        T.TEXT,
        True,
        "community-150627100009",
        "单位的唯一编码（API 密钥按它签发）",
        fold=True,
    ),
    Column("name", "单位名称", T.TEXT, True, "阿勒腾席热镇民康社区", "最多 100 字"),
    Column(
        "role", "角色", T.ENUM, True, "社区", "决定单位能看到和办理什么", choices=UNIT_ROLE_LABELS
    ),
    Column(
        "jurisdiction_code",
        "所属辖区编码",
        T.TEXT,
        False,
        "150627100009",
        "镇、社区单位必填（镇或社区的编码）；其他单位填旗的编码或不填",
        fold=True,
    ),
    Column(
        "utility_kind", "专营类别", T.ENUM, False, "", "仅专营单位填写", choices=UTILITY_KIND_LABELS
    ),
)
WRITTEN = ("name", "role", "jurisdiction_id", "utility_kind")


class MemberUnits(Kind):
    """Member units of the joint conference."""

    name = "member-units"
    sheet = Sheet("成员单位", COLUMNS)
    subject_type = "MemberUnit"
    master = MasterKind.MEMBER_UNIT

    def check(self, cells: Mapping[str, object], *, today: date) -> Checked:
        return check_member_unit(cells)

    def file_keys(self, row: Row) -> Iterator[tuple[str, Hashable]]:
        if "code" in row.values:
            yield "code", row.values["code"]

    async def match(self, session: AsyncSession, *, rows: Sequence[Row], context: Context) -> None:
        found = await fetch_in(
            session,
            sa.select(Jurisdiction).where(Jurisdiction.retired_at.is_(None)),
            Jurisdiction.code,
            (r.values["jurisdiction_code"] for r in rows if r.values.get("jurisdiction_code")),
        )
        places = {p.code: p for (p,) in found}
        units = await fetch_in(
            session,
            sa.select(MemberUnit),
            MemberUnit.code,
            (r.values["code"] for r in rows if "code" in r.values),
        )
        existing = {u.code: u for (u,) in units}
        for row in rows:
            place = None
            if row.values.get("jurisdiction_code"):
                place = places.get(row.values["jurisdiction_code"])
                if place is None:
                    not_found(row, "jurisdiction_code", "辖区编码")
                elif "role" in row.values:
                    level = ROLE_LEVEL.get(row.values["role"], JurisdictionLevel.BANNER)
                    if place.level is not level:
                        row.refuse(
                            "jurisdiction_code", ProblemCode.INCONSISTENT, _LEVEL_WORDS[level]
                        )
            unit = existing.get(row.values.get("code", ""))
            if unit is not None and unit.retired_at is not None:
                row.refuse("code", Code.RETIRED, "该单位已撤销，不能通过导入修改")
            elif unit is not None and row.values.get("role", unit.role) is not unit.role:
                row.refuse(
                    "role", Code.IMMUTABLE, "单位的角色不能更改（其 API 密钥带有签发时的角色）"
                )
            after = {
                "name": row.values.get("name"),
                "role": row.values.get("role"),
                "jurisdiction_id": None if place is None else place.id,
                "utility_kind": row.values.get("utility_kind"),
            }
            if "jurisdiction_code" not in context.present and unit is not None:
                after["jurisdiction_id"] = unit.jurisdiction_id
            if "utility_kind" not in context.present and unit is not None:
                after["utility_kind"] = unit.utility_kind
            row.target = (unit, after)
            before = {} if unit is None else {k: getattr(unit, k) for k in WRITTEN}
            settle(row, existing=unit is not None, differs=changed(before, after, WRITTEN))

    async def write(self, session: AsyncSession, *, rows: Sequence[Row], context: Context) -> None:
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for row in rows:
            unit, after = row.target
            if row.outcome is Outcome.NEW:
                inserts.append(
                    {
                        "code": row.values["code"],
                        **after,
                        "created_at": context.now,
                        "updated_at": context.now,
                    }
                )
            elif row.outcome is Outcome.UPDATED:
                updates.append({"id": unit.id, **after, "updated_at": context.now})
        await insert_rows(session, MemberUnit, inserts)
        await update_rows(session, MemberUnit, updates)


_LEVEL_WORDS = {
    JurisdictionLevel.TOWN: "镇单位的所属辖区须是一个镇（或推进办）",
    JurisdictionLevel.COMMUNITY: "社区单位的所属辖区须是一个社区",
    JurisdictionLevel.BANNER: "该角色的单位隶属于旗：所属辖区须是旗的编码，或不填",
}


KIND = MemberUnits()
