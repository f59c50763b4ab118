"""A cell as staff's spreadsheets hold it → the value the record's checks receive.

What Excel and CSV exports do to data is undone here, once for every KIND: surrounding spaces
trimmed, a leading apostrophe (Excel's "keep as text" mark, written out literally by some CSV
exports) dropped, full-width digits and letters folded in codes and identifiers, an Excel date
serial number in a date column turned into its date. What cannot be undone is refused with a
reason: a formula without a cached result, an Excel error value (#N/A …), an ID number Excel has
already turned into a floating-point number (its last digits are lost).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from hub.imports.columns import Column, ColumnType
from hub.imports.rows import Code, RowProblem


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula cell whose workbook holds no computed result (saved by a program, not Excel)."""


FORMULA = Formula()

_APOSTROPHES = ("'", "’", "‘", "＇", "`")
_EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)
_SERIAL_DIGITS = re.compile(r"\d{1,7}(\.\d+)?")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01; Excel's leap-year bug below 61
_LAST_SERIAL = 2_958_465  # 9999-12-31
_EXACT_DIGITS = 15  # an IEEE double holds 15 significant decimal digits exactly


class CellRefused(Exception):
    """A cell that cannot be read as its column's type."""

    def __init__(self, problem: RowProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _refuse(column: Column, code: Code, message: str) -> CellRefused:
    return CellRefused(RowProblem(column.key, code.value, message))


def read_cell(column: Column, raw: object) -> object:
    """The value of ``raw`` for the column's checks (None when the cell is empty), or
    ``CellRefused``."""
    if raw is None:
        return None
    if isinstance(raw, Formula):
        raise _refuse(
            column,
            Code.FORMULA_WITHOUT_VALUE,
            "单元格是公式，但文件中没有它的计算结果：请用 Excel 打开、保存后重试，或直接填写数值",
        )
    if isinstance(raw, str):
        return _text(column, raw)
    if column.type is ColumnType.DATE:
        return _date(column, raw)
    if isinstance(raw, datetime | date | time | timedelta):
        if column.type is ColumnType.TEXT:
            raise _refuse(
                column,
                Code.EXCEL_DATE,
                "Excel 把这一格当成了日期：请把该列设为“文本”格式后重新填写",
            )
        return raw
    if isinstance(raw, float) and column.type is ColumnType.TEXT and not raw.is_integer():
        return str(raw)
    if isinstance(raw, float) and column.type is ColumnType.TEXT:
        if abs(raw) >= 10**_EXACT_DIGITS:
            raise _refuse(
                column,
                Code.EXCEL_NUMBER,
                "Excel 把这一格存成了数字，末尾几位已经丢失：请把该列设为“文本”格式后重新填写",
            )
        return str(int(raw))
    if isinstance(raw, int) and not isinstance(raw, bool) and column.type is ColumnType.TEXT:
        return str(raw)
    return raw


def _text(column: Column, raw: str) -> object:
    text = raw.strip()
    if text.upper() in _EXCEL_ERRORS:
        raise _refuse(column, Code.EXCEL_ERROR, "单元格的值是 Excel 的错误值（如 #N/A）")
    if text.startswith(_APOSTROPHES):
        text = text[1:].strip()
    if column.fold:
        text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None
    if column.type is ColumnType.DATE and _SERIAL_DIGITS.fullmatch(text):
        return _date(column, float(text))
    return text


def _date(column: Column, raw: object) -> object:
    """A date cell: a date, or an Excel serial number (a cell Excel shows as a number)."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if not 1 <= raw <= _LAST_SERIAL:
            return raw  # not a serial: the date check refuses it
        whole = int(raw)
        # Excel counts 1900-02-29, which did not exist: serials from 61 on are one day late.
        return _EXCEL_EPOCH + timedelta(days=whole if whole >= 61 else whole + 1)
    return raw
