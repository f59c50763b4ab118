"""The bad input of an import: each gets a clear message or is read correctly — never a
traceback, never half a file. Files are built in the test (openpyxl, csv, raw bytes)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.config import Settings
from hub.imports.reading import Source, Table, read_table
from hub.imports.registry import KNOWN_KINDS, available_kinds, get_kind
from hub.imports.rows import FileRefused, KindNotAvailable, UnknownKind
from hub.store.models import AuditEntry
from tests.fixtures.imports import (
    MAX_BYTES,
    SEAT_COMMUNITY,
    codes,
    csv_bytes,
    excel_workbook,
    id_number,
    run,
    with_cached_values,
    xlsx,
)

COMPOUNDS = get_kind("compounds")
RESIDENTS = get_kind("residents")
HEADER = ["小区编码", "小区名称", "社区编码", "保修期截止日"]


def _read(data: bytes, *, name: str = "f.xlsx", kind: str = "compounds") -> Table:
    return read_table(Source(name=name, data=data), get_kind(kind).sheet, max_bytes=MAX_BYTES)


def _refused(data: bytes, *, name: str = "f.xlsx", kind: str = "compounds") -> str:
    with pytest.raises(FileRefused) as caught:
        _read(data, name=name, kind=kind)
    return caught.value.message


def test_unknown_and_unavailable_kinds_are_refused_by_name() -> None:
    """An unknown KIND lists the contract's; a KIND not built yet says so and lists what is."""
    with pytest.raises(UnknownKind) as unknown:
        get_kind("houses")
    assert "未知的导入类型" in unknown.value.message and "residents" in unknown.value.message
    with pytest.raises(KindNotAvailable) as later:
        get_kind("enterprises")
    assert "尚未开放" in later.value.message and "compounds" in later.value.message
    assert {"member-units", "communities", "compounds", "residents"} <= set(available_kinds())
    assert set(available_kinds()) <= set(KNOWN_KINDS)


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"this is not a workbook at all", "f.xlsx", "不是有效的 .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "f.xlsx", "旧版 .xls"),
        (b"PK\x03\x04" + b"\0" * 50, "f.xlsx", "已损坏"),
        (b"a,b\n", "f.xls", "另存为 .xlsx"),
        (b"a,b\n", "f.pdf", "只能导入 .xlsx 或 .csv"),
        (b"", "f.csv", "文件是空的"),
    ],
)
def test_a_file_that_is_no_spreadsheet_is_refused_clearly(
    data: bytes, name: str, says: str
) -> None:
    """Random bytes, an old .xls, a broken zip, a wrong type, an empty file: one message."""
    assert says in _refused(data, name=name)


def test_a_truncated_or_foreign_zip_is_refused() -> None:
    """Half a workbook, or a zip that holds no workbook, is refused, not read in part."""
    whole = xlsx(HEADER, [["C1", "名", SEAT_COMMUNITY, None]])
    assert "损坏" in _refused(whole[: len(whole) // 2])
    foreign = io.BytesIO()
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "不是 Excel 工作簿" in _refused(foreign.getvalue())


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """A 100 MB file is refused from its size alone (the file is sparse: nothing is read)."""
    big = tmp_path / "big.xlsx"
    with big.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)
    with pytest.raises(FileRefused) as caught:
        read_table(Source.of_path(big), COMPOUNDS.sheet, max_bytes=Settings().import_max_bytes)
    assert "文件太大：100.0 MB，上限为 20.0 MB" in caught.value.message


def test_the_wrong_sheet_or_no_header_is_named() -> None:
    """Several sheets and none named after the KIND: the sheets are listed; a sheet without the
    KIND's header says which columns it expected."""
    data = xlsx(HEADER, [], title="Sheet1", others=["Sheet2"])
    message = _refused(data)
    assert "找不到名为“小区”的工作表" in message and "“Sheet1”、“Sheet2”" in message
    other = xlsx(["姓名", "年龄"], [["张三", 3]], title="小区")
    assert "找不到小区表的表头" in _refused(other)
    wrong_kind = _refused(xlsx(HEADER, []), kind="residents")  # a compounds sheet
    assert "未知的列：“小区名称”（B 列）" in wrong_kind and "是否选错了导入类型" in wrong_kind


def test_missing_unknown_and_repeated_columns_are_named() -> None:
    """A required column missing, a column nobody knows, a column twice: each named."""
    assert "缺少必填的列：社区编码" in _refused(xlsx(["小区编码", "小区名称"], []))
    unknown = _refused(xlsx([*HEADER, "备 注"], []))
    assert "未知的列：“备 注”（E 列）" in unknown and "小区编码" in unknown
    twice = _refused(xlsx([*HEADER, "code"], []))
    assert "“小区编码”列出现了两次（A 列和 E 列）" in twice


def test_headers_by_label_or_field_key_with_marks_and_a_title_row() -> None:
    """A header cell may be the label or the field key, with * or （必填）; a title row above the
    header is allowed, and empty rows are skipped with the row numbers kept."""
    data = xlsx(
        ["code", "小区名称*", "社区编码（必填）", "建筑面积(m2)"],
        [
            ["C1", "名", SEAT_COMMUNITY, 1],
            [None, None, None, None],
            ["C2", "名二", SEAT_COMMUNITY, 2],
        ],
        above=[["园林社区小区信息表"]],
    )
    table = _read(data)
    assert table.header_number == 2
    assert set(table.columns) == {"code", "name", "community_code", "floor_area"}
    assert [row.number for row in table.rows] == [3, 5]


def test_dates_as_excel_serial_numbers_and_as_dates() -> None:
    """A date cell, a serial number (a cell Excel shows as a number) and text all read as dates."""
    data = xlsx(
        HEADER,
        [
            ["C1", "a", SEAT_COMMUNITY, 45000],
            ["C2", "b", SEAT_COMMUNITY, datetime(2024, 5, 1)],
            ["C3", "c", SEAT_COMMUNITY, "2024/5/2"],
        ],
    )
    table = _read(data)
    assert [row.cells["warranty_end"] for row in table.rows] == [
        date(2023, 3, 15),
        date(2024, 5, 1),
        "2024/5/2",
    ]
    csv_table = _read(csv_bytes(HEADER, [["C1", "a", SEAT_COMMUNITY, "45000"]]), name="f.csv")
    assert csv_table.rows[0].cells["warranty_end"] == date(2023, 3, 15)


def test_formulas_read_their_cached_value_or_are_refused() -> None:
    """A formula with a cached result is read as its result; one without (a file saved by a
    program, never opened in Excel) is refused on its cell with a reason."""
    book = Workbook()
    sheet = book.active
    sheet.append(["小区编码", "小区名称", "社区编码", "户数"])
    sheet.append(["C1", "a", SEAT_COMMUNITY, "=40+2"])
    sheet.append(["C2", "b", SEAT_COMMUNITY, "=SUM(1,2)"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = with_cached_values(buffer.getvalue(), {"40+2": "42"})
    table = _read(data)
    assert table.rows[0].cells["households"] == 42
    (problem,) = table.rows[1].problems
    assert (problem.field, problem.code) == ("households", "FORMULA_WITHOUT_VALUE")
    assert "公式" in problem.message


def test_full_width_digits_apostrophes_and_spaces_are_undone() -> None:
    """Full-width digits in ID numbers and codes are folded, a leading apostrophe and spaces
    are dropped (in CSV, where they are written out)."""
    number = id_number()
    full_width = number.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    rows = [
        [
            "１５０６２７１０００01001",
            "业主",
            " 张三 ",
            full_width,
            "'13812345678",
            "3号楼",
            "'0101",
            None,
        ]
    ]
    header = ["小区编码", "类别", "姓名", "身份证号", "联系电话", "楼栋", "房号", "建筑面积（㎡）"]
    table = _read(csv_bytes(header, rows), name="f.csv", kind="residents")
    cells = table.rows[0].cells
    assert cells["compound_code"] == "150627100001001"
    assert cells["id_number"] == number
    assert (cells["name"], cells["phone"], cells["room"]) == ("张三", "13812345678", "0101")
    checked = RESIDENTS.check(cells, today=date(2026, 1, 1))
    assert checked.ok, checked.problems


def test_an_id_number_excel_turned_into_a_number_is_refused() -> None:
    """An ID number stored as a number has lost its last digits: refused with the fix."""
    number = float(id_number()[:17] + "0")  # what Excel keeps of 18 digits: 1.50627…E+17
    header = ["小区编码", "类别", "姓名", "身份证号", "楼栋", "房号"]
    table = _read(xlsx(header, [["C", "业主", "张三", number, "1", "1"]]), kind="residents")
    (problem,) = table.rows[0].problems
    assert (problem.field, problem.code) == ("id_number", "EXCEL_NUMBER")
    assert "文本" in problem.message


def test_csv_with_a_bom_in_gbk_or_undecodable() -> None:
    """UTF-8 with a BOM reads as UTF-8 (the BOM is not part of the first header); GBK reads
    with a notice; bytes of no known encoding are refused."""
    rows = [["C1", "民康小区", SEAT_COMMUNITY, None]]
    with_bom = b"\xef\xbb\xbf" + csv_bytes(HEADER, rows)
    table = _read(with_bom, name="f.csv")
    assert "code" in table.columns and table.rows[0].cells["name"] == "民康小区"
    assert not table.notices
    gbk = _read(csv_bytes(HEADER, rows, encoding="gbk"), name="f.csv")
    assert gbk.rows[0].cells["name"] == "民康小区" and "GBK" in gbk.notices[0]
    assert "编码" in _refused(b"\xff\xfe\xfa" * 10 + b"\n\x81", name="f.csv")


async def test_a_refused_file_is_an_error_of_the_file_and_writes_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Through the whole import: a refused file raises before any row is checked and leaves no
    audit entry of a write; a CSV of the same KIND with a serial date imports."""
    with pytest.raises(FileRefused):
        await run(sessionmaker, "compounds", xlsx(["小区编码"], [["C1"]]), commit=True)
    async with sessionmaker() as session:
        assert (
            await session.scalar(
                sa.select(sa.func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "importRun")
            )
            == 0
        )
    data = csv_bytes(HEADER, [["C9", "名九", SEAT_COMMUNITY, "45000"]])
    result = await run(sessionmaker, "compounds", data, name="f.csv", commit=True)
    assert codes(result) == set() and result.counts.new == 1


def test_a_workbook_as_excel_writes_it() -> None:
    """Shared strings (in runs, phonetic guides left out), date styles built-in and custom, the
    1904 calendar, cached formula results of every type, booleans, error values, cells skipped
    within a row and rows skipped within the sheet."""
    strings = ["小区编码", "小区名称", "社区编码", "保修期截止日", "户数", "民康小区"]
    sheet = (
        '<row r="1">'
        + "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in enumerate("ABCDE"))
        + "</row>"
        '<row r="3"><c r="A3" t="str"><f>"C"&amp;1</f><v>C1</v></c><c r="B3" t="s"><v>5</v></c>'
        f'<c r="C3"><v>{SEAT_COMMUNITY}</v></c><c r="D3" s="1"><v>43538</v></c>'
        '<c r="E3"><f>40+2</f><v>42</v></c></row>'
        '<row r="4"><c r="A4" t="inlineStr"><is><t>C2</t></is></c><c r="B4" t="s"><v>5</v></c>'
        f'<c r="C4"><v>{SEAT_COMMUNITY}</v></c><c r="D4" s="2"><v>43539</v></c>'
        '<c r="E4" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
        '<row r="5"><c r="A5" t="s"><v>5</v></c><c r="C5" t="b"><v>1</v></c>'
        '<c r="D5" t="d"><v>2024-05-01T00:00:00</v></c><c r="E5"><f>SUM(A1:A2)</f></c></row>'
    )
    table = _read(excel_workbook(sheet, strings=strings, date1904=True))
    assert table.sheet == "小区" and table.columns["households"] == 4
    first, second, third = table.rows
    assert [r.number for r in table.rows] == [3, 4, 5]
    assert first.cells == {
        "code": "C1",
        "name": "民康小区",
        "community_code": SEAT_COMMUNITY,
        "warranty_end": date(2023, 3, 15),
        "households": 42,
    }  # 43538 on the 1904 calendar
    assert second.cells["warranty_end"] == date(2023, 3, 16)
    assert [(p.field, p.code) for p in second.problems] == [("households", "EXCEL_ERROR")]
    assert third.cells["warranty_end"] == date(2024, 5, 1) and third.cells["name"] is None
    assert [(p.field, p.code) for p in third.problems] == [("households", "FORMULA_WITHOUT_VALUE")]
