"""The report of an import: the user's own rows written back, each with its outcome and its
problems, so that staff correct the file where it is wrong and import it again.

An .xlsx report marks each offending cell red with the reason as the cell's comment; a .csv
report is the same rows plus the two columns. The two added columns (导入结果, 错误) are ignored
when the report is imported again. The report holds what the user's file held — personal data
included — and nothing more: it is the user's file, not a log.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from hub.imports.cells import Formula
from hub.imports.reading import ERROR_LABEL, RESULT_LABEL
from hub.imports.rows import OUTCOME_LABELS, Outcome, Row
from hub.imports.run import ImportResult

RED = "FFC7CE"
"""The fill of an offending cell (Excel's "bad" style)."""


def row_errors(result: ImportResult, row: Row) -> str:
    """The row's problems as one text: 身份证号：身份证号校验位错误；小区编码：…"""
    sheet = result.kind.sheet
    return "；".join(
        f"{sheet.label(p.field)}：{p.message}" if p.field else p.message for p in row.problems
    )


def _outcome(row: Row) -> str:
    return OUTCOME_LABELS[row.outcome or Outcome.ERROR]


def _lines(result: ImportResult) -> Iterator[tuple[Row, list[object]]]:
    for row in result.rows:
        cells = ["" if isinstance(c, Formula) else c for c in row.raw]
        yield row, [*cells, _outcome(row), row_errors(result, row)]


def _header(result: ImportResult) -> list[object]:
    return [*result.table.header, RESULT_LABEL, ERROR_LABEL]


def report_csv(result: ImportResult) -> bytes:
    """The report as CSV (UTF-8 with a BOM, which Excel needs to open it right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["" if c is None else c for c in _header(result)])
    for _, line in _lines(result):
        writer.writerow(["" if c is None else _text(c) for c in line])
    return buffer.getvalue().encode("utf-8-sig")


def _text(value: object) -> object:
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def report_xlsx(result: ImportResult) -> bytes:
    """The report as a workbook: the sheet as read, offending cells red with their reason."""
    from openpyxl import Workbook  # type: ignore[import-untyped]  # no type hints shipped
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.comments import Comment  # type: ignore[import-untyped]
    from openpyxl.styles import Font, PatternFill  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    sheet = book.create_sheet(result.table.sheet or result.kind.sheet.title)
    bold = Font(bold=True)
    fill = PatternFill(start_color=RED, end_color=RED, fill_type="solid")
    blank_rows = result.table.header_number - 1
    for _ in range(blank_rows):  # keep the rows' numbers: row 12 of the report is row 12
        sheet.append([])
    header = []
    for value in _header(result):
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    columns = result.table.columns
    error_at = len(result.table.header) + 1
    written = result.table.header_number
    for row, line in _lines(result):
        while written + 1 < row.number:  # the empty rows the reader skipped
            sheet.append([])
            written += 1
        messages: dict[int, list[str]] = {}
        for problem in row.problems:
            at = columns.get(problem.field) if problem.field else None
            messages.setdefault(error_at if at is None else at, []).append(problem.message)
        cells = []
        for at, value in enumerate(line):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime | date):
                cell.number_format = "yyyy-mm-dd"
            if at in messages and at != error_at:
                cell.fill = fill
                cell.comment = Comment("；".join(messages[at]), "hub")
            elif at == error_at and row.problems:
                cell.fill = fill
            cells.append(cell)
        sheet.append(cells)
        written += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_report(result: ImportResult, path: Path) -> None:
    """Write the report to ``path``: .csv as CSV, anything else as .xlsx."""
    data = report_csv(result) if path.suffix.lower() == ".csv" else report_xlsx(result)
    path.write_bytes(data)
