"""``hub import``: master data from the spreadsheets staff keep (templates, dry runs, commits).

    hub import template compounds -o 小区.xlsx
    hub import run compounds 小区.xlsx --unit community-150627100001          # a dry run
    hub import run compounds 小区.xlsx --unit community-150627100001 --commit --report 结果.xlsx

Exit status: 0 when no row has an error, 1 when some have (the summary and ``--report`` say
which), 2 when the file or the command cannot be used at all (nothing is read or written then).
What is printed names rows, columns and reasons, never a value of a row.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from hub.cli.common import Database, fail, load_settings, progress_bar, run_on_database, say
from hub.imports.rows import Mode

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID
    from sqlalchemy.ext.asyncio import AsyncSession

    from hub.domain.access import Principal
    from hub.imports.run import ImportResult, Stage

app = typer.Typer(
    help="Import master data from spreadsheets (.xlsx, .csv): templates, dry runs, commits.",
    no_args_is_help=True,
)

SHOWN_PROBLEMS = 50
"""Problems printed; the report (``--report``) holds all of them."""


@app.command("template")
def template(
    kind: Annotated[str, typer.Argument(help="What to import: compounds, residents …")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The .xlsx file to write.")],
) -> None:
    """Write the .xlsx template of a KIND: a sheet with the Chinese column labels and drop-downs,
    and a notes sheet explaining each column with its field key and an example."""
    from hub.imports.registry import get_kind
    from hub.imports.rows import ImportRefused
    from hub.imports.template import write_template

    try:
        found = get_kind(kind)
    except ImportRefused as exc:
        raise fail(exc.message, 2) from None
    try:
        write_template(found, output)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}", 2) from None
    say(f"hub: template of {found.name} ({found.sheet.title}) written to {output}")


@app.command("run")
def run(
    kind: Annotated[str, typer.Argument(help="What to import: compounds, residents …")],
    file: Annotated[Path, typer.Argument(help="The .xlsx or .csv file.")],
    commit: Annotated[
        bool, typer.Option("--commit", help="Write the rows (without it: a dry run).")
    ] = False,
    mode: Annotated[
        Mode,
        typer.Option(
            help="all-or-nothing: one bad row and nothing is written; valid-rows: write the "
            "rows without errors."
        ),
    ] = Mode.ALL_OR_NOTHING,
    report: Annotated[
        Path | None,
        typer.Option(help="Write the rows back with their errors (.xlsx, or .csv)."),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option(help="Code of the importing member unit (default: 住建局)."),
    ] = None,
) -> None:
    """Check a spreadsheet of a KIND and, with --commit, write it; exit 0 only when no row has
    an error."""
    from rich.console import Console

    from hub.imports.reading import Source
    from hub.imports.registry import get_kind
    from hub.imports.report import write_report
    from hub.imports.rows import ImportRefused
    from hub.imports.run import run_import
    from hub.services import parameters, work
    from hub.store.base import utcnow

    settings = load_settings()
    try:
        found = get_kind(kind)
    except ImportRefused as exc:
        raise fail(exc.message, 2) from None
    keyring = parameters.pii_keyring(settings)
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    console = Console(stderr=True)

    async def go(database: Database) -> ImportResult:
        principal = await _principal(database, unit)
        actor = work.Actor(principal, operation="hub import run")
        with _Bar(console) as bar:
            return await run_import(
                database.sessionmaker,
                kind=found,
                source=Source.of_path(file),
                actor=actor,
                keyring=keyring,
                today=today,
                now=utcnow(),
                max_bytes=settings.import_max_bytes,
                commit=commit,
                mode=mode,
                progress=bar,
            )

    result = run_on_database(settings, go)
    _print_summary(Console(), result)
    if report is not None:
        try:
            write_report(result, report)
        except OSError as exc:
            raise fail(f"cannot write the report {report}: {exc.strerror or exc}", 2) from None
        say(f"hub: report written to {report}")
    say(_conclusion(result))
    if result.counts.errors:
        raise typer.Exit(1)


async def _principal(database: Database, code: str | None) -> Principal:
    """The importing unit's principal: the unit of ``code``, or 住建局's."""
    import sqlalchemy as sa

    from hub.domain.access import Role
    from hub.domain.enums import UnitRole
    from hub.services import identity
    from hub.store.models import MemberUnit

    session: AsyncSession
    async with database.sessionmaker() as session:
        stmt = sa.select(MemberUnit).where(MemberUnit.retired_at.is_(None))
        if code is None:
            stmt = stmt.where(MemberUnit.role == UnitRole.COMPETENT_DEPARTMENT)
        else:
            stmt = stmt.where(MemberUnit.code == code)
        found = (await session.scalars(stmt.order_by(MemberUnit.id).limit(1))).first()
        if found is None and code is None:
            raise fail(
                "the store has no member unit of 住建局 to import as: run `hub init`, or name "
                "the importing unit with --unit CODE",
                2,
            )
        if found is None:
            raise fail(f"no member unit has the code {code!r} (or it was retired)", 2)
        return await identity.get_principal(
            session, unit=found, role=Role(found.role.value), client="cli"
        )


class _Bar:
    """A progress bar of the import's stages on stderr (when stderr is a terminal)."""

    def __init__(self, console: Console) -> None:
        self.progress = progress_bar(console) if console.is_terminal else None
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> _Bar:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def __call__(self, stage: Stage, done: int, total: int | None) -> None:
        if self.progress is None:
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage.value, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)


def _print_summary(console: Console, result: ImportResult) -> None:
    from rich.table import Table

    counts = result.counts
    table = Table(title=f"{result.kind.name} ({result.kind.sheet.title})")
    for heading in ("rows", "new", "updated", "unchanged", "errors"):
        table.add_column(heading, justify="right")
    numbers = [str(n) for n in (counts.rows, counts.new, counts.updated, counts.unchanged)]
    table.add_row(*numbers, f"[red]{counts.errors}[/red]" if counts.errors else "0")
    console.print(table)
    for notice in result.table.notices:
        console.print(f"[yellow]注意：{notice}[/yellow]")
    problems = list(result.problems())
    for number, label, message in problems[:SHOWN_PROBLEMS]:
        where = f"第 {number} 行" + (f" {label}" if label else "")
        console.print(f"{where}：{message}", highlight=False, markup=False)
    if len(problems) > SHOWN_PROBLEMS:
        console.print(
            f"… {len(problems) - SHOWN_PROBLEMS} more problems (all in the report: --report FILE)"
        )


def _conclusion(result: ImportResult) -> str:
    counts = result.counts
    changes = counts.new + counts.updated
    if not counts.rows:
        return "hub: the file holds no data rows below its header: nothing to import"
    if not result.commit:
        if counts.errors:
            return (
                f"hub: dry run, nothing written: {counts.errors} of {counts.rows} rows have errors"
            )
        if not changes:
            return f"hub: dry run: all {counts.rows} rows are unchanged, nothing to import"
        return f"hub: dry run, nothing written: run again with --commit to write {changes} rows"
    if counts.errors and result.mode is Mode.ALL_OR_NOTHING:
        return (
            f"hub: nothing written: {counts.errors} of {counts.rows} rows have errors "
            "(all-or-nothing; correct them, or use --mode valid-rows to write the others)"
        )
    if not changes:
        return f"hub: nothing changed: all {counts.unchanged} valid rows are unchanged"
    skipped = f", {counts.errors} rows with errors skipped" if counts.errors else ""
    return f"hub: committed: {counts.new} new, {counts.updated} updated{skipped}"
