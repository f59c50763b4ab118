"""A streaming reader of the cells of one worksheet of an .xlsx workbook: values only, fast.

openpyxl's read-only mode builds an object per cell (about 2.5 ms a row of eight cells on the
benchmark's machine: 50 s for 20,000 rows under load); this reader parses the sheet's XML with
the standard library's expat-based ``iterparse`` and turns each cell into a plain value, about
ten times faster, which is what an import needs (openpyxl still writes the templates and
reports). It reads what Excel, WPS and openpyxl write:

- shared strings (``t="s"``), inline strings, formula string results, booleans, error values
  (``#N/A`` …), ISO dates (``t="d"``) and numbers; a number whose style is a date format (the
  built-in ones, the Chinese locale's 27–36 and 50–58, and custom formats) becomes a datetime
  on the workbook's calendar (1900, or 1904 when ``date1904`` is set);
- a formula cell gives its cached result, or ``FORMULA`` when the file holds none;
- rows keep their numbers (a gap yields empty rows), cells their columns (``r="C5"``).

Anything malformed raises ``ValueError``, ``KeyError`` or ``xml.etree.ElementTree.ParseError``;
the caller turns them into one message.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from typing import IO
from xml.etree import ElementTree

from openpyxl.styles.numbers import is_date_format  # type: ignore[import-untyped]
from openpyxl.utils.datetime import (  # type: ignore[import-untyped]
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
)

from hub.imports.cells import FORMULA

_DATE_FORMAT_IDS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})
"""Built-in number formats that are dates or times (27–36 and 50–58: the CJK locales')."""
_CELL_REF = re.compile(r"([A-Z]+)(\d*)")


def _local(tag: str) -> str:
    """A tag without its namespace (transitional and strict OOXML use different ones)."""
    return tag.rsplit("}", 1)[-1]


def _children(element: ElementTree.Element, name: str) -> Iterator[ElementTree.Element]:
    return (child for child in element if _local(child.tag) == name)


def _attribute(element: ElementTree.Element, name: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


class Workbook:
    """The sheets of a workbook, and what reading their cells needs (strings, styles, calendar)."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.archive = zipfile.ZipFile(handle)
        book = ElementTree.fromstring(self.archive.read("xl/workbook.xml"))
        targets = self._relationships("xl/_rels/workbook.xml.rels", base="xl")
        self.sheets: dict[str, str] = {}
        self.date1904 = False
        for element in book.iter():
            name = _local(element.tag)
            if name == "workbookPr":
                self.date1904 = element.get("date1904", "0").lower() in ("1", "true")
            elif name == "sheet":
                rid = _attribute(element, "id")
                if rid in targets and element.get("name") is not None:
                    self.sheets[element.get("name", "")] = targets[rid]
        names = set(self.archive.namelist())
        self.strings = self._strings() if "xl/sharedStrings.xml" in names else []
        self.date_styles = self._date_styles() if "xl/styles.xml" in names else frozenset()

    def close(self) -> None:
        self.archive.close()

    def _relationships(self, path: str, *, base: str) -> dict[str, str]:
        found: dict[str, str] = {}
        for element in ElementTree.fromstring(self.archive.read(path)).iter():
            if _local(element.tag) == "Relationship":
                target = element.get("Target", "")
                resolved = (
                    target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
                )
                found[element.get("Id", "")] = posixpath.normpath(resolved)
        return found

    def _strings(self) -> list[str]:
        strings: list[str] = []
        with self.archive.open("xl/sharedStrings.xml") as member:
            for _, element in ElementTree.iterparse(member):
                if _local(element.tag) == "si":
                    strings.append(_text_of(element))
                    element.clear()
        return strings

    def _date_styles(self) -> frozenset[int]:
        styles = ElementTree.fromstring(self.archive.read("xl/styles.xml"))
        codes: dict[int, str] = {}
        dates: set[int] = set()
        for element in styles:
            if _local(element.tag) == "numFmts":
                for fmt in _children(element, "numFmt"):
                    codes[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
        for element in styles:
            if _local(element.tag) == "cellXfs":
                for index, xf in enumerate(_children(element, "xf")):
                    number_format = int(xf.get("numFmtId", "0"))
                    code = codes.get(number_format)
                    if (code is not None and is_date_format(code)) or (
                        code is None and number_format in _DATE_FORMAT_IDS
                    ):
                        dates.add(index)
        return frozenset(dates)

    def rows(self, sheet: str) -> Iterator[tuple[object, ...]]:
        """The rows of the sheet, numbered from 1 (a missing row is an empty tuple)."""
        epoch = CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900
        number = 0
        with self.archive.open(self.sheets[sheet]) as member:
            for _, element in ElementTree.iterparse(member):
                tag = element.tag
                if tag != "row" and not tag.endswith("}row"):
                    continue
                at = int(element.get("r") or number + 1)
                while number + 1 < at:
                    number += 1
                    yield ()
                number = at
                yield self._row(element, epoch)
                element.clear()

    def _row(self, row: ElementTree.Element, epoch: datetime) -> tuple[object, ...]:
        cells: list[object] = []
        for cell in row:
            if cell.tag != "c" and not cell.tag.endswith("}c"):
                continue
            ref = _CELL_REF.match(cell.get("r", ""))
            column = _column(ref.group(1)) if ref else len(cells)
            if column < len(cells):
                raise ValueError("cells out of order")
            cells.extend([None] * (column - len(cells)))
            cells.append(self._value(cell, epoch))
        return tuple(cells)

    def _value(self, cell: ElementTree.Element, epoch: datetime) -> object:
        kind = cell.get("t", "n")
        value = formula = inline = None
        for child in cell:
            tag = child.tag
            if tag == "v" or tag.endswith("}v"):
                value = child.text
            elif tag == "f" or tag.endswith("}f"):
                formula = child
            elif tag == "is" or tag.endswith("}is"):
                inline = child
        if kind == "inlineStr":
            return None if inline is None else _text_of(inline)
        if value is None or (value == "" and kind != "str"):
            return FORMULA if formula is not None else None
        if kind == "s":
            return self.strings[int(value)]
        if kind in ("str", "e"):
            return value
        if kind == "b":
            return value.strip() in ("1", "true")
        if kind == "d":
            return datetime.fromisoformat(value)
        number: int | float = float(value) if any(c in value for c in ".eE") else int(value)
        style = cell.get("s")
        if style is not None and int(style) in self.date_styles:
            return from_excel(number, epoch)
        return number


def _column(letters: str) -> int:
    """The 0-based position of a column's letters (A → 0, AA → 26)."""
    position = 0
    for letter in letters:
        position = position * 26 + ord(letter) - 64
    return position - 1


def _text_of(element: ElementTree.Element) -> str:
    """The text of a string item: its ``t``, or its runs' ``t``s (phonetic guides left out)."""
    parts: list[str] = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in _children(child, "t"))
    return "".join(parts)
