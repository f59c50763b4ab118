"""What an import knows of each row of the file, and the errors that stop a whole file.

    ImportRefused (BadUserInput)      the file cannot be imported at all; nothing is written
    ├── UnknownKind                   no KIND of that name
    ├── KindNotAvailable              a KIND of the contract this hub cannot import yet
    └── FileRefused                   too large, not a spreadsheet, corrupt, wrong sheet,
                                      a missing or unknown column …

A problem of one row is a ``RowProblem`` instead: the row's number in the spreadsheet, the
column (its field key; the report and the messages show its Chinese label), a stable code and
the reason in Chinese — never the cell's value, which may be personal data.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from hub.domain.master_data import FieldProblem
from hub.errors import BadUserInput


class ImportRefused(BadUserInput):
    """The file cannot be imported; the message says why in Chinese."""


class UnknownKind(ImportRefused):
    """No KIND of that name."""


class KindNotAvailable(ImportRefused):
    """A KIND of the contract that this hub does not import yet."""


class FileRefused(ImportRefused):
    """The file is refused before any row is checked."""


class Mode(enum.StrEnum):
    """What a commit does when some rows have problems."""

    ALL_OR_NOTHING = "all-or-nothing"  # one row with a problem and nothing is written
    VALID_ROWS = "valid-rows"  # the rows without a problem are written


class Outcome(enum.StrEnum):
    """What the import does (or, in a dry run, would do) with a row."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    ERROR = "error"


OUTCOME_LABELS = {
    Outcome.NEW: "新增",
    Outcome.UPDATED: "更新",
    Outcome.UNCHANGED: "未变",
    Outcome.ERROR: "错误",
}


class Code(enum.StrEnum):
    """Codes of the problems an import finds beyond one field's own rules
    (``hub.domain.master_data.ProblemCode``)."""

    DUPLICATE_IN_FILE = "DUPLICATE_IN_FILE"
    DUPLICATE = "DUPLICATE"  # another record in the store holds the value
    NOT_FOUND = "NOT_FOUND"  # a reference that names nothing the importing unit may reach
    TAKEN = "TAKEN"  # the code belongs to a record outside the importing unit's jurisdiction
    RETIRED = "RETIRED"
    IMMUTABLE = "IMMUTABLE"
    FORMULA_WITHOUT_VALUE = "FORMULA_WITHOUT_VALUE"
    EXCEL_ERROR = "EXCEL_ERROR"
    EXCEL_NUMBER = "EXCEL_NUMBER"
    EXCEL_DATE = "EXCEL_DATE"


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One problem of a row: the column's field key (None: the row as a whole), a code, the
    reason in Chinese."""

    field: str | None
    code: str
    message: str


@dataclass(slots=True)
class Row:
    """One data row of the file, as read and as checked."""

    number: int
    """The row's number in the spreadsheet (the header is row 1 in a template)."""
    raw: tuple[object, ...]
    """The user's cells as read, every column of the sheet, for the report."""
    cells: dict[str, object]
    """Field key → the cell's value, trimmed and normalised (not yet checked)."""
    values: dict[str, Any] = field(default_factory=dict)
    """Field key → the canonical value (what passed its checks)."""
    problems: list[RowProblem] = field(default_factory=list)
    outcome: Outcome | None = None
    target: Any = None
    """The KIND's plan for the row: the existing record, the resolved references …"""

    def refuse(self, field: str | None, code: str, message: str) -> None:
        self.problems.append(RowProblem(field, str(code), message))

    def add(self, problem: FieldProblem) -> None:
        self.problems.append(RowProblem(problem.field, problem.code.value, problem.message))

    @property
    def ok(self) -> bool:
        return not self.problems

    def __repr__(self) -> str:  # the cells may hold personal data: never in a log
        return f"Row({self.number}, outcome={self.outcome}, problems={len(self.problems)})"
