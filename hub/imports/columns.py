"""The columns of an import KIND: what the template shows, what the reader accepts, what the notes
sheet and docs/imports.md explain.

A column has a **field key** (``community_code``: what programs and a CSV header may use), a
Chinese **label** (社区编码: what the template's header row shows and staff write), a type, whether
it is required, an example and an explanation. A header cell names a column by either.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class ColumnType(enum.StrEnum):
    """How a column's cells are read."""

    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    ENUM = "enum"
    BOOL = "bool"


TYPE_LABELS: dict[ColumnType, str] = {
    ColumnType.TEXT: "文字",
    ColumnType.INT: "整数",
    ColumnType.DECIMAL: "数字",
    ColumnType.DATE: "日期",
    ColumnType.ENUM: "下拉选项",
    ColumnType.BOOL: "是/否",
}


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a KIND's sheet."""

    key: str
    label: str
    type: ColumnType
    required: bool
    example: str
    explanation: str
    choices: Mapping[Any, str] = field(default_factory=dict)
    """An ENUM column's members and their Chinese labels (the drop-down offers the labels)."""
    fold: bool = False
    """A code or an identifier: full-width digits and letters are folded (NFKC) when read."""

    @property
    def options(self) -> list[str]:
        """What a drop-down offers: an enumeration's labels, 是/否 for a yes/no column."""
        if self.type is ColumnType.ENUM:
            return list(self.choices.values())
        if self.type is ColumnType.BOOL:
            return ["是", "否"]
        return []


@dataclass(frozen=True, slots=True)
class Sheet:
    """The columns of a KIND and the name of the data sheet its template holds."""

    title: str
    """The KIND in Chinese, and the name of the template's data sheet (小区, 住户 …)."""
    columns: Sequence[Column]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def label(self, key: str) -> str:
        """The Chinese label of a field key (the key itself if it is no column's)."""
        return next((c.label for c in self.columns if c.key == key), key)

    def lookup(self) -> dict[str, Column]:
        """Every spelling of a header cell that names a column → the column."""
        names: dict[str, Column] = {}
        for column in self.columns:
            for name in (column.key, column.label, _BRACKETED.sub("", column.label)):
                names[header_name(name)] = column
        return names


_BRACKETED = re.compile(r"[(（][^)）]*[)）]")
_MARKS = re.compile(r"[\s*＊]|[(（]必填[)）]")


def header_name(text: str) -> str:
    """A header cell as it is compared: full-width folded, lower case, without spaces, a
    required mark (*, （必填）) or a unit in brackets written differently (㎡ / m2)."""
    return _MARKS.sub("", unicodedata.normalize("NFKC", text)).lower()
