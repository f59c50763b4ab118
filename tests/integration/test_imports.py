"""Imports of compounds and residents on the real store: good files, bad files with every kind
of problem and their reports, re-imports that change nothing, changed rows that update, the two
modes, and jurisdiction."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.config import get_settings
from hub.domain.crypto import blind_index
from hub.errors import Forbidden
from hub.imports.report import RED, report_csv, report_xlsx
from hub.imports.rows import Mode, Outcome
from hub.services import parameters
from hub.services.personal_data import open_resident
from hub.store.models import AuditEntry, Compound, Resident
from tests.fixtures.imports import (
    COMMUNITY_UNIT,
    OTHER_COMMUNITY,
    SEAT_COMMUNITY,
    TOWN_UNIT,
    codes,
    csv_bytes,
    id_number,
    problems,
    run,
    wrong_check_digit,
    xlsx,
)

Maker = async_sessionmaker[AsyncSession]
COMPOUND_HEADER = [
    "小区编码",
    "小区名称",
    "社区编码",
    "地址",
    "户数",
    "建筑面积（㎡）",
    "建成年份",
    "保修期截止日",
]
RESIDENT_HEADER = [
    "小区编码",
    "类别",
    "姓名",
    "身份证号",
    "联系电话",
    "楼栋",
    "房号",
    "建筑面积（㎡）",
]
SEAT_COMPOUND = "150627100001001"  # 民悦A区, in 园林社区
OTHER_COMPOUND = "150627100002001"


def _compounds() -> list[list[object]]:
    return [
        [
            "T-001",
            "测试一号小区",
            SEAT_COMMUNITY,
            "天骄路1号",
            120,
            9800.5,
            2015,
            date(2017, 6, 30),
        ],
        ["T-002", "测试二号小区", SEAT_COMMUNITY, None, 80, None, 2018, None],
    ]


async def _compound(maker: Maker, code: str) -> Compound | None:
    async with maker() as session:
        found: Compound | None = await session.scalar(
            sa.select(Compound).where(Compound.code == code)
        )
        return found


async def _imports(maker: Maker) -> list[AuditEntry]:
    async with maker() as session:
        stmt = sa.select(AuditEntry).where(AuditEntry.action == "importRun").order_by(AuditEntry.id)
        return list((await session.scalars(stmt)).all())


async def test_a_good_compounds_file_is_written_once_and_re_imported_unchanged(
    sessionmaker: Maker,
) -> None:
    """New rows are written with every column; the same file again changes nothing and says
    so; a changed cell makes its row an update. Each commit is one audit entry of counts."""
    data = xlsx(COMPOUND_HEADER, _compounds(), title="小区")
    dry = await run(sessionmaker, "compounds", data)
    assert (dry.counts.new, dry.counts.errors, dry.written) == (2, 0, False)
    assert await _compound(sessionmaker, "T-001") is None  # a dry run writes nothing
    assert await _imports(sessionmaker) == []

    first = await run(sessionmaker, "compounds", data, commit=True)
    assert (first.counts.new, first.written) == (2, True)
    stored = await _compound(sessionmaker, "T-001")
    assert stored is not None
    assert (stored.name, stored.address, stored.households, stored.floor_area) == (
        "测试一号小区",
        "天骄路1号",
        120,
        9800.5,
    )
    assert (stored.built_year, stored.warranty_end) == (2015, date(2017, 6, 30))
    seat = await _compound(sessionmaker, SEAT_COMPOUND)
    assert seat is not None and (stored.community_id, stored.town_id) == (
        seat.community_id,
        seat.town_id,
    )
    second = await _compound(sessionmaker, "T-002")
    assert second is not None and (second.floor_area, second.address) == (0.0, None)

    again = await run(sessionmaker, "compounds", data, commit=True)
    assert (again.counts.unchanged, again.counts.new, again.counts.updated) == (2, 0, 0)
    assert not again.written

    changed = _compounds()
    changed[1][4] = 95
    updated = await run(sessionmaker, "compounds", xlsx(COMPOUND_HEADER, changed), commit=True)
    assert [r.outcome for r in updated.rows] == [Outcome.UNCHANGED, Outcome.UPDATED]
    after = await _compound(sessionmaker, "T-002")
    assert after is not None and after.households == 95

    entries = await _imports(sessionmaker)
    assert [
        (e.outcome, e.detail["new"], e.detail["updated"], e.detail["unchanged"]) for e in entries
    ] == [  # type: ignore[index]
        ("ok", 2, 0, 0),
        ("ok", 0, 0, 2),
        ("ok", 0, 1, 1),
    ]
    assert entries[0].actor_unit == "zjj" and entries[0].subject_type == "Compound"


async def test_a_bad_compounds_file_names_row_column_and_reason(sessionmaker: Maker) -> None:
    """Every kind of problem is found at once, each on its row and column, in Chinese; the
    xlsx report marks the offending cells red with the reason, the csv report adds the column."""
    rows = [
        ["T-101", "", SEAT_COMMUNITY, None, 10, None, 2010, None],  # 2: name missing
        ["T-102", "好名字", SEAT_COMMUNITY, None, "十户", None, 2010, None],  # 3: not an integer
        ["T-103", "好名字二", SEAT_COMMUNITY, None, 10, -5, 1900, "2024-02-30"],  # 4
        ["T-104", "好名字三", "NOPE-1", None, 10, None, 2010, None],  # 5: unknown community
        ["T-101", "好名字四", SEAT_COMMUNITY, None, 10, None, 2010, None],  # 6: duplicate code
        ["T-106", "民悦Ａ区小区", SEAT_COMMUNITY, None, 10, None, 2010, None],  # 7: name taken
        ["T-107", "好名字五", SEAT_COMMUNITY, None, 10, None, 2010, None],  # 8: good
    ]
    data = xlsx(COMPOUND_HEADER, rows, title="小区")
    result = await run(sessionmaker, "compounds", data, commit=True)
    assert not result.written and result.counts.errors == 6 and result.counts.new == 1
    assert codes(result) == {
        (2, "name", "REQUIRED"),
        (3, "households", "NOT_AN_INTEGER"),
        (4, "floor_area", "OUT_OF_RANGE"),
        (4, "built_year", "OUT_OF_RANGE"),
        (4, "warranty_end", "NOT_A_DATE"),
        (5, "community_code", "NOT_FOUND"),
        (6, "code", "DUPLICATE_IN_FILE"),
        (7, "name", "DUPLICATE"),
    }
    said = problems(result)
    assert (2, "小区名称", "必填") in said
    assert (5, "社区编码", "社区编码不存在，或不在本单位辖区内") in said
    assert (6, "小区编码", "与第 2 行重复") in said
    assert await _compound(sessionmaker, "T-107") is None  # all-or-nothing
    (entry,) = await _imports(sessionmaker)
    assert entry.outcome == "invalid" and entry.detail == {  # counts, no values
        "kind": "compounds",
        "mode": "all-or-nothing",
        "format": "xlsx",
        "rows": 7,
        "new": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": 6,
        "written": False,
    }

    book = load_workbook(io.BytesIO(report_xlsx(result)))
    sheet = book["小区"]
    assert [c.value for c in sheet[1]] == [*COMPOUND_HEADER, "导入结果", "错误"]
    households = sheet["E3"]
    assert households.value == "十户" and households.fill.start_color.rgb.endswith(RED)
    assert households.comment is not None and "应为整数" in households.comment.text
    assert sheet["J3"].value == "户数：应为整数" and sheet["I3"].value == "错误"
    assert sheet["I8"].value == "新增" and sheet["J8"].value in (None, "")
    assert sheet["A8"].fill.fill_type is None  # a good row's cells stay as they were

    lines = list(csv.reader(io.StringIO(report_csv(result).decode("utf-8-sig"))))
    assert lines[0][-2:] == ["导入结果", "错误"] and len(lines) == 8
    assert lines[4][-1] == "社区编码：社区编码不存在，或不在本单位辖区内"


async def test_valid_rows_mode_writes_the_good_rows_only(sessionmaker: Maker) -> None:
    """valid-rows writes what passed and reports the rest; all-or-nothing writes nothing."""
    rows = [*_compounds(), ["T-003", "测试三号", SEAT_COMMUNITY, None, "x", None, None, None]]
    data = xlsx(COMPOUND_HEADER, rows)
    refused = await run(sessionmaker, "compounds", data, commit=True)
    assert not refused.written and await _compound(sessionmaker, "T-001") is None
    partial = await run(sessionmaker, "compounds", data, commit=True, mode=Mode.VALID_ROWS)
    assert partial.written and (partial.counts.new, partial.counts.errors) == (2, 1)
    assert await _compound(sessionmaker, "T-001") is not None
    assert await _compound(sessionmaker, "T-003") is None


async def test_a_community_imports_only_into_its_own_compounds(sessionmaker: Maker) -> None:
    """A community cannot add a compound to another community, nor change one of another
    community; a town cannot reach another town; a community may not import communities."""
    rows = [
        ["T-201", "本社区的小区", SEAT_COMMUNITY, None, 1, None, None, None],
        ["T-202", "别的社区的小区", OTHER_COMMUNITY, None, 1, None, None, None],
        [OTHER_COMPOUND, "改别人的小区", SEAT_COMMUNITY, None, 1, None, None, None],
    ]
    result = await run(
        sessionmaker,
        "compounds",
        xlsx(COMPOUND_HEADER, rows),
        unit=COMMUNITY_UNIT,
        commit=True,
        mode=Mode.VALID_ROWS,
    )
    assert codes(result) == {(3, "community_code", "NOT_FOUND"), (4, "code", "TAKEN")}
    assert result.counts.new == 1
    assert await _compound(sessionmaker, "T-202") is None

    far = [["T-301", "远方小区", "150627101001", None, 1, None, None, None]]  # 乌兰木伦镇
    by_town = await run(sessionmaker, "compounds", xlsx(COMPOUND_HEADER, far), unit=TOWN_UNIT)
    assert codes(by_town) == {(2, "community_code", "NOT_FOUND")}

    with pytest.raises(Forbidden):
        await run(
            sessionmaker,
            "communities",
            csv_bytes(["code"], [["x"]]),
            name="c.csv",
            unit=COMMUNITY_UNIT,
            commit=True,
        )
    entries = await _imports(sessionmaker)
    assert entries[-1].outcome == "not_permitted"


def _residents(numbers: list[str]) -> list[list[object]]:
    return [
        [SEAT_COMPOUND, "业主", "王小明", numbers[0], "13912345678", "3号楼", "1-101", 98.5],
        [SEAT_COMPOUND, "occupant", "李四", numbers[1], None, "3号楼", "1-102", None],
        [SEAT_COMPOUND, "业主", "王小明", numbers[0], "13912345678", "5号楼", "2-201", 120],
    ]


async def _stored_residents(maker: Maker, number: str) -> list[Resident]:
    keyring = parameters.pii_keyring(get_settings())
    async with maker() as session:
        stmt = sa.select(Resident).where(Resident.id_number_index == blind_index(keyring, number))
        return list((await session.scalars(stmt.order_by(Resident.id))).all())


async def test_residents_are_sealed_matched_by_home_and_re_imported_unchanged(
    sessionmaker: Maker,
) -> None:
    """Residents are written sealed and blind-indexed; one person in two homes is two residents;
    the same file again is unchanged; a new phone is an update."""
    numbers = [id_number(), id_number()]
    data = xlsx(RESIDENT_HEADER, _residents(numbers), title="住户")
    result = await run(sessionmaker, "residents", data, commit=True)
    assert (result.counts.new, result.counts.errors) == (3, 0), problems(result)
    keyring = parameters.pii_keyring(get_settings())
    homes = await _stored_residents(sessionmaker, numbers[0])
    assert [(r.building, r.room, r.floor_area) for r in homes] == [
        ("3号楼", "1-101", 98.5),
        ("5号楼", "2-201", 120.0),
    ]
    opened = open_resident(keyring, homes[0])
    assert (opened.name, opened.id_number, opened.phone) == ("王小明", numbers[0], "13912345678")
    assert "王小明" not in homes[0].name_encrypted
    (occupant,) = await _stored_residents(sessionmaker, numbers[1])
    assert open_resident(keyring, occupant).phone is None and occupant.kind.value == "OCCUPANT"

    again = await run(sessionmaker, "residents", data, commit=True)
    assert again.counts.unchanged == 3 and not again.written

    changed = _residents(numbers)
    changed[1][4] = "0477-8581234"
    updated = await run(sessionmaker, "residents", xlsx(RESIDENT_HEADER, changed), commit=True)
    assert [r.outcome for r in updated.rows] == [
        Outcome.UNCHANGED,
        Outcome.UPDATED,
        Outcome.UNCHANGED,
    ]
    (occupant,) = await _stored_residents(sessionmaker, numbers[1])
    assert open_resident(keyring, occupant).phone == "0477-8581234"
    assert occupant.id == (await _stored_residents(sessionmaker, numbers[1]))[0].id


async def test_bad_residents_are_reported_without_their_personal_data(sessionmaker: Maker) -> None:
    """ID check digits, phones, kinds, compounds, duplicates: each named by row and column, and
    no message, problem or audit entry repeats a name, an ID number or a phone."""
    good, bad = id_number(), wrong_check_digit(id_number())
    rows = [
        [SEAT_COMPOUND, "业主", "赵错号", bad, None, "1号楼", "101", None],  # 2
        [SEAT_COMPOUND, "租客", "钱某", good, "99887", "1号楼", "99", None],  # 3
        ["NO-SUCH", "业主", "孙某", id_number(), None, "1号楼", "103", None],  # 4
        [
            OTHER_COMPOUND,
            "业主",
            "周某",
            id_number(),
            None,
            "1号楼",
            "104",
            None,
        ],  # 5: other community
        [SEAT_COMPOUND, "业主", "吴某", good, None, "1号楼", "102", None],  # 6
        [SEAT_COMPOUND, "业主", "吴某", good, None, "1号楼", "102", None],  # 7: duplicate of 6
    ]
    data = csv_bytes(RESIDENT_HEADER, rows)
    result = await run(
        sessionmaker, "residents", data, name="住户.csv", unit=COMMUNITY_UNIT, commit=True
    )
    assert codes(result) == {
        (2, "id_number", "ID_NUMBER_CHECK_DIGIT"),
        (3, "kind", "UNKNOWN_VALUE"),
        (3, "phone", "PHONE_FORMAT"),
        (4, "compound_code", "NOT_FOUND"),
        (5, "compound_code", "NOT_FOUND"),
        (7, "id_number", "DUPLICATE_IN_FILE"),
    }
    assert (2, "身份证号", "身份证号校验位错误") in problems(result)
    said = " ".join(m for _, _, m in problems(result))
    for secret in (good, bad, good[:14], "赵错号", "99887"):
        assert secret not in said
    (entry,) = await _imports(sessionmaker)
    assert entry.outcome == "invalid"
    assert all(secret not in str(entry.detail) for secret in (good, bad))
    lines = list(csv.reader(io.StringIO(report_csv(result).decode("utf-8-sig"))))
    assert (
        lines[1][3] == bad and lines[1][-1] == "身份证号：身份证号校验位错误"
    )  # the user's own row
