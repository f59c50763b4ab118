"""``residents``: owners and occupants (业主 / 使用人) of the homes of a compound.

A resident is matched by its home and its person: the compound, the building and room, and the
blind index of the ID number (``hub.services.personal_data``) — the same person in two homes is
two residents, as the store keeps them; the same person twice in one home is a duplicate. The
compound must lie in the importing unit's jurisdiction. Name, ID number and phone are sealed with
the keyring before they are written, and compared opened (in memory only) to tell an unchanged
row from an updated one. Nothing of them appears in a problem's message.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import MasterKind
from hub.domain.crypto import blind_index
from hub.domain.master_data import RESIDENT_KIND_LABELS, Checked, check_resident
from hub.imports.columns import Column, ColumnType, Sheet
from hub.imports.kinds import (
    Context,
    Kind,
    chunks,
    compound_in_scope,
    fetch_in,
    insert_rows,
    not_found,
    settle,
    update_rows,
)
from hub.imports.rows import Outcome, Row
from hub.services.personal_data import open_field, seal_rows
from hub.store.models import Compound, Resident

T = ColumnType
COLUMNS = (
    Column(
        "compound_code",
        "小区编码",
        T.TEXT,
        True,
        "150627100001001",
        "住户所在小区的编码，须在本单位辖区内",
        fold=True,
    ),
    Column(
        "kind",
        "类别",
        T.ENUM,
        True,
        "业主",
        "业主或使用人（owner / occupant）",
        choices=RESIDENT_KIND_LABELS,
    ),
    Column("name", "姓名", T.TEXT, True, "张三", "最多 50 字"),
    Column(
        "id_number",
        "身份证号",
        T.TEXT,
        True,
        "15062719800101123X",
        "18 位公民身份号码，按 GB 11643 校验；请把该列设为文本格式",
        fold=True,
    ),
    Column(
        "phone",
        "联系电话",
        T.TEXT,
        False,
        "13812345678",
        "手机号或带区号的固定电话（0477-8581234）",
        fold=True,
    ),
    Column("building", "楼栋", T.TEXT, True, "3号楼", "最多 20 字"),
    Column("room", "房号", T.TEXT, True, "1-1201", "最多 20 字；同一人同一房屋只登记一次"),
    Column("floor_area", "建筑面积（㎡）", T.DECIMAL, False, "98.5", "平方米，不小于 0；不填为 0"),
)
SEALED = ("name", "id_number", "phone")


@dataclass(slots=True)
class Plan:
    """A row's compound, the blind index of its ID number, and the existing resident (if any)."""

    compound: Compound | None = None
    index: str | None = None
    resident: Any = None  # the stored row's columns (a Row of the select below)


class Residents(Kind):
    """Owners and occupants."""

    name = "residents"
    sheet = Sheet("住户", COLUMNS)
    subject_type = "Resident"
    master = MasterKind.RESIDENT

    def check(self, cells: Mapping[str, object], *, today: date) -> Checked:
        return check_resident(cells)

    def file_keys(self, row: Row) -> Iterator[tuple[str, Hashable]]:
        keys = ("compound_code", "id_number", "building", "room")
        if all(key in row.values for key in keys):
            yield "id_number", tuple(row.values[key] for key in keys)

    async def match(self, session: AsyncSession, *, rows: Sequence[Row], context: Context) -> None:
        principal = context.principal
        found = await fetch_in(
            session,
            sa.select(Compound).where(Compound.retired_at.is_(None), Compound.deleted_at.is_(None)),
            Compound.code,
            (r.values["compound_code"] for r in rows if "compound_code" in r.values),
        )
        compounds = {c.code: c for (c,) in found if compound_in_scope(principal, c)}
        for row in rows:
            plan = row.target = Plan()
            if "compound_code" in row.values:
                plan.compound = compounds.get(row.values["compound_code"])
                if plan.compound is None:
                    not_found(row, "compound_code", "小区编码")
            if "id_number" in row.values:
                plan.index = blind_index(context.keyring, row.values["id_number"])
        stored = await fetch_in(
            session,
            sa.select(
                Resident.id,
                Resident.compound_id,
                Resident.id_number_index,
                Resident.building,
                Resident.room,
                Resident.kind,
                Resident.name_encrypted,
                Resident.phone_encrypted,
                Resident.floor_area,
            ).where(Resident.retired_at.is_(None)),
            Resident.id_number_index,
            (r.target.index for r in rows if r.ok),
        )
        homes: dict[tuple[int, str, str, str], Any] = {}
        for resident in sorted(stored, key=lambda r: r.id):
            homes.setdefault(
                (resident.compound_id, resident.id_number_index, resident.building, resident.room),
                resident,
            )
        for row in rows:
            plan = row.target
            if not row.ok or plan.compound is None:
                continue
            key = (plan.compound.id, plan.index, row.values["building"], row.values["room"])
            plan.resident = homes.get(key)
            settle(row, existing=plan.resident is not None, differs=self._differs(row, context))

    def _differs(self, row: Row, context: Context) -> bool:
        resident = row.target.resident
        if resident is None:
            return True
        if row.values["kind"] != resident.kind:
            return True
        if "floor_area" in context.present and round(row.values["floor_area"] or 0.0, 2) != round(
            resident.floor_area, 2
        ):
            return True
        opened = open_field(
            context.keyring, "residents", "name", resident.id, resident.name_encrypted
        )
        if opened != row.values["name"]:
            return True
        if "phone" in context.present:
            phone = open_field(
                context.keyring, "residents", "phone", resident.id, resident.phone_encrypted
            )
            return bool((phone or None) != row.values["phone"])
        return False

    async def write(self, session: AsyncSession, *, rows: Sequence[Row], context: Context) -> None:
        new = [row for row in rows if row.outcome is Outcome.NEW]
        updated = [row for row in rows if row.outcome is Outcome.UPDATED]
        ids = await _reserve_ids(session, len(new))
        plain: list[dict[str, Any]] = []
        for record_id, row in zip(ids, new, strict=True):
            plain.append(
                {
                    "id": record_id,
                    "compound_id": row.target.compound.id,
                    **{
                        key: row.values[key]
                        for key in ("kind", "name", "id_number", "building", "room")
                    },
                    "phone": row.values.get("phone"),
                    "floor_area": row.values.get("floor_area") or 0.0,
                    "created_at": context.now,
                    "updated_at": context.now,
                }
            )
        await insert_rows(session, Resident, seal_rows(context.keyring, "residents", plain))
        changes: list[dict[str, Any]] = []
        for row in updated:
            resident = row.target.resident
            phone = (
                row.values.get("phone")
                if "phone" in context.present
                else open_field(
                    context.keyring, "residents", "phone", resident.id, resident.phone_encrypted
                )
                or None
            )
            area = (
                row.values.get("floor_area")
                if "floor_area" in context.present
                else resident.floor_area
            )
            changes.append(
                {
                    "id": resident.id,
                    "kind": row.values["kind"],
                    "name": row.values["name"],
                    "id_number": row.values["id_number"],
                    "phone": phone,
                    "floor_area": area or 0.0,
                    "updated_at": context.now,
                }
            )
        sealed = seal_rows(context.keyring, "residents", changes)
        await update_rows(session, Resident, sealed)


async def _reserve_ids(session: AsyncSession, count: int) -> list[int]:
    """Ids for ``count`` new residents: their sealed values are bound to the id, so it must be
    known before the insert. PostgreSQL draws them from the table's sequence; SQLite takes the
    next ones after the largest (the writing transaction holds SQLite's write lock)."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        ids: list[int] = []
        for part in chunks(range(count), 10_000):
            result = await session.execute(
                sa.text(
                    "SELECT nextval(pg_get_serial_sequence('residents', 'id'))"
                    " FROM generate_series(1, :n)"
                ),
                {"n": len(part)},
            )
            ids.extend(result.scalars())
        return ids
    largest = await session.scalar(sa.select(sa.func.max(Resident.id)))
    start = int(largest or 0) + 1
    return list(range(start, start + count))


KIND = Residents()
