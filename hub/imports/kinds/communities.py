"""``communities``: the communities (社区) of a town, matched by their code.

A community lies in a town, which must exist and lie in the importing unit's jurisdiction (a
town imports its own communities, 住建局 any). A community's town is not changed by an import:
its compounds carry the town too, and moving them is a change of its own.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import MasterKind
from hub.domain.enums import JurisdictionLevel
from hub.domain.master_data import Checked, check_community
from hub.imports.columns import Column, ColumnType, Sheet
from hub.imports.kinds import (
    Context,
    Kind,
    fetch_in,
    insert_rows,
    not_found,
    place_in_scope,
    settle,
    update_rows,
)
from hub.imports.rows import Code, Outcome, Row
from hub.store.models import Jurisdiction

T = ColumnType
COLUMNS = (
    Column(
        "code",
        "社区编码",
        T.TEXT,
        True,
        "150627100009",
        "社区的唯一编码（与镇、旗的编码也不能相同）",
        fold=True,
    ),
    Column("name", "社区名称", T.TEXT, True, "民康社区", "最多 100 字"),
    Column(
        "town_code",
        "所属镇编码",
        T.TEXT,
        True,
        "150627100",
        "社区所属镇（或推进办）的编码，须在本单位辖区内",
        fold=True,
    ),
)


class Communities(Kind):
    """Communities of the towns."""

    name = "communities"
    sheet = Sheet("社区", COLUMNS)
    subject_type = "Jurisdiction"
    master = MasterKind.COMMUNITY

    def check(self, cells: Mapping[str, object], *, today: date) -> Checked:
        return check_community(cells)

    def file_keys(self, row: Row) -> Iterator[tuple[str, Hashable]]:
        if "code" in row.values:
            yield "code", row.values["code"]

    async def match(self, session: AsyncSession, *, rows: Sequence[Row], context: Context) -> None:
        codes = {r.values[k] for r in rows for k in ("code", "town_code") if k in r.values}
        found = await fetch_in(session, sa.select(Jurisdiction), Jurisdiction.code, codes)
        places = {p.code: p for (p,) in found}
        for row in rows:
            town = places.get(row.values.get("town_code", ""))
            if "town_code" in row.values and (
                town is None
                or town.level is not JurisdictionLevel.TOWN
                or town.retired_at is not None
                or not place_in_scope(context.principal, town)
            ):
                not_found(row, "town_code", "镇编码")
                town = None
            community = places.get(row.values.get("code", ""))
            if community is not None:
                if community.level is not JurisdictionLevel.COMMUNITY:
                    row.refuse("code", Code.TAKEN, "该编码已是一个镇或旗的编码")
                elif community.retired_at is not None:
                    row.refuse("code", Code.RETIRED, "该社区已撤销，不能通过导入修改")
                elif not place_in_scope(context.principal, community):
                    row.refuse("code", Code.TAKEN, "社区编码已被本单位辖区以外的社区使用")
                elif town is not None and community.parent_id != town.id:
                    row.refuse("town_code", Code.IMMUTABLE, "不能通过导入更改社区所属的镇")
            row.target = (community, town)
            differs = community is None or community.name != row.values.get("name")
            settle(row, existing=community is not None, differs=differs)

    async def write(self, session: AsyncSession, *, rows: Sequence[Row], context: Context) -> None:
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for row in rows:
            community, town = row.target
            if row.outcome is Outcome.NEW:
                inserts.append(
                    {
                        "code": row.values["code"],
                        "name": row.values["name"],
                        "level": JurisdictionLevel.COMMUNITY,
                        "town_kind": None,
                        "parent_id": town.id,
                        "generated": False,
                        "created_at": context.now,
                        "updated_at": context.now,
                    }
                )
            elif row.outcome is Outcome.UPDATED:
                updates.append(
                    {"id": community.id, "name": row.values["name"], "updated_at": context.now}
                )
        await insert_rows(session, Jurisdiction, inserts)
        await update_rows(session, Jurisdiction, updates)


KIND = Communities()
