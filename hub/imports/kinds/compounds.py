"""``compounds``: residential compounds (住宅小区), matched by their code.

A compound lies in a community, which must exist and lie in the importing unit's jurisdiction
(a community imports its own compounds, a town those of its communities). A compound's name is
unique within its town (by its normalised name: 民悦A区 and 民悦Ａ区小区 are one), in the file as
in the store. The town is the community's.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import MasterKind
from hub.domain.enums import JurisdictionLevel
from hub.domain.master_data import FIRST_BUILT_YEAR, Checked, check_compound
from hub.domain.names import normalize_compound_name
from hub.imports.columns import Column, ColumnType, Sheet
from hub.imports.kinds import (
    Context,
    Kind,
    changed,
    compound_in_scope,
    fetch_in,
    insert_rows,
    not_found,
    place_in_scope,
    settle,
    update_rows,
)
from hub.imports.rows import Code, Outcome, Row
from hub.store.models import Compound, Jurisdiction

T = ColumnType
COLUMNS = (
    Column(
        "code",
        "小区编码",
        T.TEXT,
        True,
        "150627100001001",
        "小区的唯一编码：再次导入时按它找到同一小区",
        fold=True,
    ),
    Column(
        "name", "小区名称", T.TEXT, True, "民康小区", "同一镇内不能重名（全角半角、“小区”后缀不计）"
    ),
    Column(
        "community_code",
        "社区编码",
        T.TEXT,
        True,
        "150627100001",
        "小区所在社区的编码，须在本单位辖区内",
        fold=True,
    ),
    Column("address", "地址", T.TEXT, False, "阿勒腾席热镇天骄路18号", "最多 200 字"),
    Column("households", "户数", T.INT, False, "420", "整数，不小于 0；不填为 0"),
    Column(
        "floor_area", "建筑面积（㎡）", T.DECIMAL, False, "41000.5", "平方米，不小于 0；不填为 0"
    ),
    Column("built_year", "建成年份", T.INT, False, "2012", f"{FIRST_BUILT_YEAR} 年至今年"),
    Column(
        "warranty_end",
        "保修期截止日",
        T.DATE,
        False,
        "2016-06-30",
        "日期，如 2016-06-30（交付后两年）",
    ),
)
PLAIN = ("name", "address", "households", "floor_area", "built_year", "warranty_end")
DEFAULTS: dict[str, Any] = {"households": 0, "floor_area": 0.0}


@dataclass(slots=True)
class Plan:
    """A row's compound (None: a new one), its community, and the columns to write."""

    compound: Compound | None
    community: Jurisdiction | None
    after: dict[str, Any] = field(default_factory=dict)


class Compounds(Kind):
    """Residential compounds."""

    name = "compounds"
    sheet = Sheet("小区", COLUMNS)
    subject_type = "Compound"
    master = MasterKind.COMPOUND

    def check(self, cells: Mapping[str, object], *, today: date) -> Checked:
        return check_compound(cells, today=today)

    def file_keys(self, row: Row) -> Iterator[tuple[str, Hashable]]:
        if "code" in row.values:
            yield "code", row.values["code"]

    async def match(self, session: AsyncSession, *, rows: Sequence[Row], context: Context) -> None:
        principal = context.principal
        places = await fetch_in(
            session,
            sa.select(Jurisdiction).where(Jurisdiction.level == JurisdictionLevel.COMMUNITY),
            Jurisdiction.code,
            (r.values["community_code"] for r in rows if "community_code" in r.values),
        )
        communities = {p.code: p for (p,) in places if p.retired_at is None}
        found = await fetch_in(
            session,
            sa.select(Compound),
            Compound.code,
            (r.values["code"] for r in rows if "code" in r.values),
        )
        existing = {c.code: c for (c,) in found}
        for row in rows:
            community = communities.get(row.values.get("community_code", ""))
            if "community_code" in row.values and (
                community is None or not place_in_scope(principal, community)
            ):
                not_found(row, "community_code", "社区编码")
                community = None
            compound = existing.get(row.values.get("code", ""))
            if compound is not None:
                if compound.retired_at is not None or compound.deleted_at is not None:
                    row.refuse(
                        "code", Code.RETIRED, "该小区已撤销（或已在上游平台删除），不能通过导入修改"
                    )
                elif not compound_in_scope(principal, compound):
                    row.refuse("code", Code.TAKEN, "小区编码已被本单位辖区以外的小区使用")
            row.target = Plan(compound, community)
        await _check_names(session, rows)
        for row in rows:
            plan: Plan = row.target
            if plan.community is None:
                continue
            plan.after = after = {
                **{k: row.values.get(k) for k in PLAIN if k in context.present},
                "community_id": plan.community.id,
            }
            for key, value in DEFAULTS.items():
                if key in after and after[key] is None:
                    after[key] = value
            compound = plan.compound
            before = {} if compound is None else {k: getattr(compound, k) for k in after}
            settle(row, existing=compound is not None, differs=changed(before, after, after))

    async def write(self, session: AsyncSession, *, rows: Sequence[Row], context: Context) -> None:
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for row in rows:
            plan: Plan = row.target
            assert plan.community is not None  # a row without its community has a problem
            values = {
                **plan.after,
                "normalized_name": normalize_compound_name(row.values["name"]),
                "town_id": plan.community.parent_id,
                "updated_at": context.now,
            }
            if row.outcome is Outcome.NEW:
                inserts.append(
                    {
                        **{k: DEFAULTS.get(k) for k in PLAIN},
                        **values,
                        "code": row.values["code"],
                        "generated": False,
                        "created_at": context.now,
                    }
                )
            elif row.outcome is Outcome.UPDATED and plan.compound is not None:
                updates.append({"id": plan.compound.id, **values})
        await insert_rows(session, Compound, inserts)
        await update_rows(session, Compound, updates)


async def _check_names(session: AsyncSession, rows: Sequence[Row]) -> None:
    """A compound's name is unique within its town: in the file and against the store."""
    keyed: dict[tuple[int | None, str], Row] = {}
    for row in rows:
        plan: Plan = row.target
        if plan.community is None or "name" not in row.values:
            continue
        key = (plan.community.parent_id, normalize_compound_name(row.values["name"]))
        first = keyed.get(key)
        if first is not None:
            row.refuse(
                "name",
                Code.DUPLICATE_IN_FILE,
                f"与第 {first.number} 行的小区同名（同一镇内小区不能重名）",
            )
        else:
            keyed[key] = row
    holders = await fetch_in(
        session,
        sa.select(Compound.id, Compound.town_id, Compound.normalized_name),
        Compound.normalized_name,
        (name for _, name in keyed),
    )
    taken = {(town_id, name): compound_id for compound_id, town_id, name in holders}
    for key, row in keyed.items():
        holder = taken.get(key)
        compound = row.target.compound
        if holder is not None and (compound is None or holder != compound.id):
            row.refuse("name", Code.DUPLICATE, "本镇已有同名小区")


KIND = Compounds()
