"""Reading a spreadsheet of one KIND: an .xlsx workbook or a .csv file → the header and the rows.

Nothing is read into memory before the file's size is checked against the limit
(``HUB_IMPORT_MAX_BYTES``); an .xlsx is also refused when its unpacked size is out of proportion
(a "zip bomb"). Workbooks are read by ``hub.imports.xlsx``, cached results of formulas
included; a CSV may be UTF-8 with or without a BOM, or GBK (GB 18030) as Excel on a Chinese
Windows writes it, which is read with a notice. The header row names each column by its Chinese
label or its field key; it is the first row (within the first ten) that names known columns, so
a title row above it is allowed. Empty rows are skipped; each row keeps its number in the sheet.

Every way a file can be wrong ends in ``FileRefused`` with a Chinese message, never a traceback.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from hub.imports.cells import CellRefused, read_cell
from hub.imports.columns import Column, Sheet, header_name
from hub.imports.rows import FileRefused, Row
from hub.imports.xlsx import Workbook

NOTES_SHEET = "说明"
"""The template's sheet that explains the columns (never data)."""
RESULT_LABEL = "导入结果"
ERROR_LABEL = "错误"
REPORT_LABELS = frozenset({header_name(RESULT_LABEL), header_name(ERROR_LABEL)})
"""The columns a report adds: a corrected report can be imported again as it is."""

HEADER_SEARCH_ROWS = 10
UNPACKED_RATIO = 20
"""An .xlsx may unpack to at most this many times the size limit."""

Progress = Callable[[int], None]
"""Told the number of rows read so far."""


@dataclass(frozen=True, slots=True)
class Source:
    """A file to import: a path, or the bytes of an upload with the name it was sent under."""

    name: str
    path: Path | None = None
    data: bytes | None = None

    @classmethod
    def of_path(cls, path: Path) -> Source:
        return cls(name=path.name, path=path)

    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        try:
            return self.path.stat().st_size
        except OSError as exc:
            raise FileRefused(f"无法读取文件：{exc.strerror or exc}") from None

    def open(self) -> IO[bytes]:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        try:
            return self.path.open("rb")
        except OSError as exc:
            raise FileRefused(f"无法读取文件：{exc.strerror or exc}") from None

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()


@dataclass(slots=True)
class Table:
    """What was read: the header, where each column is, and the data rows."""

    format: str  # "xlsx" or "csv"
    sheet: str | None
    header: tuple[object, ...]
    header_number: int
    columns: dict[str, int]  # field key → position in the row
    rows: list[Row] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def read_table(
    source: Source, sheet: Sheet, *, max_bytes: int, progress: Progress | None = None
) -> Table:
    """The header and rows of ``source`` as a sheet of this KIND, or ``FileRefused``."""
    size = source.size()
    if size > max_bytes:
        raise FileRefused(
            f"文件太大：{size / 1_048_576:.1f} MB，上限为 {max_bytes / 1_048_576:.1f} MB"
            "（设置 HUB_IMPORT_MAX_BYTES）：请分成几个文件导入"
        )
    if size == 0:
        raise FileRefused("文件是空的")
    if source.suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(source, sheet, max_bytes=max_bytes, progress=progress)
    if source.suffix in (".csv", ".txt"):
        return _read_csv(source, sheet, progress=progress)
    if source.suffix in (".xls", ".et", ".wps", ".ods"):
        raise FileRefused(f"不支持 {source.suffix} 文件：请在 Excel 中另存为 .xlsx 或 .csv 后重试")
    raise FileRefused("只能导入 .xlsx 或 .csv 文件")


# Workbooks --------------------------------------------------------------------------------------


def _read_xlsx(source: Source, sheet: Sheet, *, max_bytes: int, progress: Progress | None) -> Table:
    with source.open() as handle:
        head = handle.read(8)
        handle.seek(0)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise FileRefused("这是旧版 .xls 格式的文件：请在 Excel 中另存为 .xlsx 后重试")
        if not head.startswith(b"PK"):
            raise FileRefused("文件不是有效的 .xlsx 工作簿（可能已损坏，或只是改了扩展名）")
        _inspect_zip(handle, max_bytes=max_bytes)
        try:
            book = Workbook(handle)
        except (zipfile.BadZipFile, KeyError, ValueError, ElementTree.ParseError, EOFError):
            raise FileRefused("无法读取工作簿：文件已损坏或不是 Excel 工作簿") from None
        try:
            name = _pick_sheet(list(book.sheets), sheet)
            rows = book.rows(name)
            return _table("xlsx", name, rows, sheet, progress=progress, sheets=list(book.sheets))
        except (
            zipfile.BadZipFile,
            KeyError,
            ValueError,
            IndexError,
            ElementTree.ParseError,
            EOFError,
            OverflowError,
        ):
            raise FileRefused("读取工作簿时出错：文件已损坏") from None
        finally:
            book.close()


def _inspect_zip(handle: IO[bytes], *, max_bytes: int) -> None:
    """Refuse a corrupt archive, one that is no workbook, or one that unpacks too large."""
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > max_bytes * UNPACKED_RATIO:
                raise FileRefused("工作簿解压后过大，拒绝读取")
            if "xl/workbook.xml" not in {member.filename for member in members}:
                raise FileRefused("文件不是 Excel 工作簿（缺少 xl/workbook.xml）")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        raise FileRefused("无法读取工作簿：文件已损坏或不完整") from None
    finally:
        handle.seek(0)


def _pick_sheet(names: list[str], sheet: Sheet) -> str:
    """The sheet named after the KIND (小区 …), else the only sheet that is not the notes."""
    for name in names:
        if name.strip() == sheet.title:
            return name
    data = [name for name in names if name.strip() != NOTES_SHEET]
    if len(data) == 1:
        return data[0]
    listed = "、".join(f"“{name}”" for name in names)
    raise FileRefused(
        f"找不到名为“{sheet.title}”的工作表：工作簿中有 {listed}；请把{sheet.title}数据放在"
        f"名为“{sheet.title}”的工作表中（模板即是如此）"
    )


# CSV --------------------------------------------------------------------------------------------


def _read_csv(source: Source, sheet: Sheet, *, progress: Progress | None) -> Table:
    with source.open() as handle:
        data = handle.read()
    notices: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="strict") if _utf8(data[3:]) else None
    else:
        text = data.decode("utf-8") if _utf8(data) else None
    if text is None:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise FileRefused(
                "无法识别文件的编码（既不是 UTF-8 也不是 GBK）：请在 Excel 中另存为“CSV UTF-8”"
            ) from None
        notices.append("文件不是 UTF-8 编码，已按 GBK（GB 18030）读取；如有乱码请另存为 CSV UTF-8")
    if "\x00" in text:
        raise FileRefused("文件含有空字符，不是文本格式的 CSV（是否把 .xlsx 改成了 .csv？）")
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        rows = (
            tuple(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        )
        table = _table("csv", None, rows, sheet, progress=progress, sheets=[])
    except csv.Error:
        raise FileRefused("CSV 文件格式错误（引号未闭合或字段过长）") from None
    table.notices.extend(notices)
    return table


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# Header and rows --------------------------------------------------------------------------------


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _table(
    format: str,
    sheet_name: str | None,
    rows: Iterator[tuple[Any, ...]],
    sheet: Sheet,
    *,
    progress: Progress | None,
    sheets: list[str],
) -> Table:
    names = sheet.lookup()
    header: tuple[object, ...] | None = None
    header_number = 0
    for number, cells in enumerate(rows, start=1):
        if any(isinstance(c, str) and header_name(c) in names for c in cells):
            header, header_number = cells, number
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        where = f"工作表“{sheet_name}”" if sheet_name else "文件"
        expected = "、".join(c.label for c in sheet.columns[:4])
        also = f"；工作簿中的工作表：{'、'.join(sheets)}" if len(sheets) > 1 else ""
        raise FileRefused(
            f"{where}的前 {HEADER_SEARCH_ROWS} 行中找不到{sheet.title}表的表头"
            f"（应有 {expected} 等列）：是否选错了工作表或导入类型{also}"
        )
    table = Table(format, sheet_name, header, header_number, _columns(header, sheet))
    ordered = sorted(table.columns.items(), key=lambda item: item[1])
    columns: list[tuple[Column, int]] = [(sheet.column(key), at) for key, at in ordered]
    width = len(header)
    for number, cells in enumerate(rows, start=header_number + 1):
        if all(_blank(c) for c in cells):
            continue
        raw = tuple(cells[:width]) + (None,) * (width - len(cells))
        row = Row(number=number, raw=raw, cells={})
        for column, at in columns:
            try:
                row.cells[column.key] = read_cell(column, raw[at])
            except CellRefused as exc:
                row.problems.append(exc.problem)
        table.rows.append(row)
        if progress is not None and len(table.rows) % 1000 == 0:
            progress(len(table.rows))
    if progress is not None:
        progress(len(table.rows))
    return table


def _columns(header: tuple[object, ...], sheet: Sheet) -> dict[str, int]:
    names = sheet.lookup()
    found: dict[str, int] = {}
    unknown: list[str] = []
    for at, cell in enumerate(header):
        if _blank(cell):
            continue
        text = str(cell).strip()
        name = header_name(text)
        if name in REPORT_LABELS:
            continue
        column = names.get(name)
        if column is None:
            unknown.append(f"“{text[:40]}”（{_letter(at)} 列）")
        elif column.key in found:
            raise FileRefused(
                f"“{column.label}”列出现了两次"
                f"（{_letter(found[column.key])} 列和 {_letter(at)} 列）"
            )
        else:
            found[column.key] = at
    if unknown:
        known = "、".join(c.label for c in sheet.columns)
        hint = "是否选错了导入类型或工作表？" if len(unknown) >= len(found) else ""
        raise FileRefused(f"未知的列：{'、'.join(unknown)}；{sheet.title}表的列为：{known}{hint}")
    missing = [c.label for c in sheet.columns if c.required and c.key not in found]
    if missing:
        raise FileRefused(f"缺少必填的列：{'、'.join(missing)}")
    return found


def _letter(at: int) -> str:
    """The spreadsheet letter of a 0-based column position (0 → A, 26 → AA)."""
    letters = ""
    at += 1
    while at:
        at, rest = divmod(at - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
