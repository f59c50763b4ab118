"""One import of a spreadsheet: read, check every row, match with the store, write, audit.

    result = await run_import(sessionmaker, kind=get_kind("residents"), source=source,
                              actor=actor, keyring=keyring, today=today, now=now,
                              max_bytes=settings.import_max_bytes, commit=True)

The same for the CLI (``hub import run``) and, later, GraphQL. Without ``commit`` it is a dry
run: every check is made, the store is read, nothing is written (no audit entry either: nothing
changed). With ``commit`` the rows are matched again and written in one transaction, so what the
dry run said is what the commit does unless the store changed in between:

- ``all-or-nothing`` (the default): one row with a problem and nothing is written;
- ``valid-rows``: the rows without a problem are written, the others reported.

Each committed import — written, refused for a bad row, or refused for want of permission — is
one audit entry with its counts (never a value of a row). Problems name the row, the column and
the reason; an error of the whole file (``ImportRefused``) is raised before anything is written.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.domain.crypto import Keyring
from hub.errors import Forbidden
from hub.imports.kinds import Context, Kind
from hub.imports.reading import Source, Table, read_table
from hub.imports.rows import Code, ImportRefused, Mode, Outcome, Row
from hub.services import work
from hub.services.audit import record
from hub.store.session import for_writing

__all__ = ["ACTION", "Counts", "ImportResult", "Mode", "Progress", "Stage", "run_import"]

ACTION = "importRun"
"""The audit log's action of an import."""


class Stage(enum.StrEnum):
    """The steps of an import, as a progress bar shows them."""

    READING = "reading"
    CHECKING = "checking"
    MATCHING = "matching"
    WRITING = "writing"


class Progress(Protocol):
    """Told how far a stage has come (``total`` None: not known yet)."""

    def __call__(self, stage: Stage, done: int, total: int | None) -> None: ...


@dataclass(frozen=True, slots=True)
class Counts:
    """Rows by outcome."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0

    @property
    def rows(self) -> int:
        return self.new + self.updated + self.unchanged + self.errors

    @classmethod
    def of(cls, rows: list[Row]) -> Counts:
        tally = {outcome: 0 for outcome in Outcome}
        for row in rows:
            tally[row.outcome or Outcome.ERROR] += 1
        return cls(
            new=tally[Outcome.NEW],
            updated=tally[Outcome.UPDATED],
            unchanged=tally[Outcome.UNCHANGED],
            errors=tally[Outcome.ERROR],
        )


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import found and did."""

    kind: Kind
    table: Table
    mode: Mode
    commit: bool
    written: bool
    """Whether rows were written (False in a dry run, or when all-or-nothing refused)."""
    counts: Counts

    @property
    def rows(self) -> list[Row]:
        return self.table.rows

    def problems(self) -> Iterator[tuple[int, str, str]]:
        """(row number, column label, reason) of every problem, row by row."""
        for row in self.table.rows:
            for problem in row.problems:
                label = self.kind.sheet.label(problem.field) if problem.field else ""
                yield row.number, label, problem.message


class _Abandon(Exception):
    """Leave the transaction without writing (all-or-nothing, a row has a problem)."""


async def run_import(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    kind: Kind,
    source: Source,
    actor: work.Actor,
    keyring: Keyring,
    today: date,
    now: datetime,
    max_bytes: int,
    commit: bool = False,
    mode: Mode = Mode.ALL_OR_NOTHING,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ``source`` as rows of ``kind`` (see the module)."""
    tell = progress or _silent
    if not kind.allowed(actor.principal):
        error = Forbidden(
            f"本单位（角色 {actor.principal.role.value}）无权导入{kind.sheet.title}", field="kind"
        )
        if commit:
            refusal = work.Refusal.of(work.Outcome.NOT_PERMITTED, error)
            await work.refuse(
                sessionmaker,
                actor,
                ACTION,
                refusal,
                subject_type=kind.subject_type,
                detail={"kind": kind.name},
            )
        raise error
    table = await asyncio.to_thread(
        read_table,
        source,
        kind.sheet,
        max_bytes=max_bytes,
        progress=lambda done: tell(Stage.READING, done, None),
    )
    await asyncio.to_thread(_check_rows, kind, table, today, tell)
    context = Context(
        principal=actor.principal,
        keyring=keyring,
        today=today,
        now=now,
        present=frozenset(table.columns),
    )
    if not commit:
        async with sessionmaker() as session:
            await _match(session, kind, table, context, tell)
            await session.rollback()
        return ImportResult(kind, table, mode, False, False, Counts.of(table.rows))

    written = False
    try:
        async with for_writing(sessionmaker)() as session, session.begin():
            await _match(session, kind, table, context, tell)
            counts = Counts.of(table.rows)
            if counts.errors and mode is Mode.ALL_OR_NOTHING:
                raise _Abandon
            writable = [r for r in table.rows if r.outcome in (Outcome.NEW, Outcome.UPDATED)]
            tell(Stage.WRITING, 0, len(writable))
            await kind.write(session, rows=writable, context=context)
            tell(Stage.WRITING, len(writable), len(writable))
            written = bool(writable)
            event = actor.event(
                ACTION,
                work.Outcome.OK,
                subject_type=kind.subject_type,
                detail=_detail(kind, table, mode, counts, written=written),
            )
            record(session, principal=actor.principal, event=event, at=actor.at)
    except IntegrityError:
        # Another change of the same records committed between this import's match and its
        # write (the checks above leave the constraints nothing else to refuse).
        raise ImportRefused(
            "写入时与同时进行的另一项修改冲突，未写入任何数据：请重新导入（先做一次试运行）"
        ) from None
    except _Abandon:
        counts = Counts.of(table.rows)
        event = actor.event(
            ACTION,
            work.Outcome.INVALID,
            subject_type=kind.subject_type,
            detail=_detail(kind, table, mode, counts, written=False),
        )
        await work.write_entry(sessionmaker, actor, event)
    return ImportResult(kind, table, mode, True, written, counts)


def _silent(stage: Stage, done: int, total: int | None) -> None:
    pass


def _check_rows(kind: Kind, table: Table, today: date, tell: Progress) -> None:
    """Each row's own fields (a cell refused when read is not checked again), then what must
    be unique within the file."""
    total = len(table.rows)
    for done, row in enumerate(table.rows, start=1):
        refused = {problem.field for problem in row.problems}
        checked = kind.check(row.cells, today=today)
        for problem in checked.problems:
            if problem.field not in refused:
                row.add(problem)
        row.values = checked.values
        if done % 1000 == 0:
            tell(Stage.CHECKING, done, total)
    tell(Stage.CHECKING, total, total)
    first: dict[tuple[str, Hashable], int] = {}
    for row in table.rows:
        for field, key in kind.file_keys(row):
            seen = first.setdefault((field, key), row.number)
            if seen != row.number:
                row.refuse(field, Code.DUPLICATE_IN_FILE, f"与第 {seen} 行重复")


async def _match(
    session: AsyncSession, kind: Kind, table: Table, context: Context, tell: Progress
) -> None:
    tell(Stage.MATCHING, 0, len(table.rows))
    for row in table.rows:
        row.outcome = None
    await kind.match(session, rows=table.rows, context=context)
    for row in table.rows:
        if row.problems:
            row.outcome = Outcome.ERROR
    tell(Stage.MATCHING, len(table.rows), len(table.rows))


def _detail(
    kind: Kind, table: Table, mode: Mode, counts: Counts, *, written: bool
) -> dict[str, Any]:
    """The audit entry's detail: counts only, never a value of a row (nor the file's name,
    which staff may have named after a person)."""
    return {
        "kind": kind.name,
        "mode": mode.value,
        "format": table.format,
        "rows": counts.rows,
        "new": counts.new,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "errors": counts.errors,
        "written": written,
    }
