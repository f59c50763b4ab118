"""``hub sync``: sync from the upstream platforms now, with a progress bar and a summary."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Annotated

import typer

from hub.cli.common import Database, load_settings, progress_bar, run_on_database

if TYPE_CHECKING:
    from hub.sync.reports import RunReport

COLUMNS = (
    ("fetched", "fetched"),
    ("inserted", "inserted"),
    ("updated", "updated"),
    ("unchanged", "unchanged"),
    ("quarantined", "quarantined"),
    ("deleted", "deleted"),
    ("reconcile", "reconciliation"),
    ("retries", "retries"),
    ("429s", "rate_limited"),
)
"""The summary's count columns: heading, and the name of the count in the run's report."""


def sync(
    source: Annotated[
        str | None,
        typer.Argument(help="Source to sync (ordos, tender, utility:…); all if omitted."),
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Pull everything and mark what is gone as deleted.")
    ] = False,
) -> None:
    """Sync from the upstream platforms now, with a progress bar and a summary."""
    from rich.console import Console
    from rich.progress import TaskID
    from rich.table import Table

    from hub.errors import SyncBusy
    from hub.services.findings import evaluate_findings
    from hub.store.migrate import ensure_at_head
    from hub.sync.manager import SyncManager
    from hub.sync.reports import Progress as SyncProgress

    settings = load_settings()
    console = Console(stderr=True)

    async def run(database: Database) -> list[RunReport]:
        # The findings follow the synced data (``run_after_sync`` below).
        manager = SyncManager(settings, database.sessionmaker, after_sync=evaluate_findings)
        names = [source] if source else sorted(manager.sources)
        for name in names:
            manager.source(name)
        reports = []
        try:
            await ensure_at_head(database.engine)
            with progress_bar(console) as bar:
                tasks: dict[str, TaskID] = {}
                for name in names:

                    def show(event: SyncProgress, name: str = name) -> None:
                        key = f"{name} · {event.stream}"
                        if key not in tasks:
                            tasks[key] = bar.add_task(key, total=event.total)
                        bar.update(tasks[key], completed=event.fetched, total=event.total)

                    try:
                        reports.append(
                            await manager.run(name, full=full, trigger="cli", progress=show)
                        )
                    except SyncBusy as exc:
                        console.print(f"[yellow]{exc.message}[/yellow]")
            if reports:
                await manager.run_after_sync()  # the findings follow the synced data
        finally:
            await manager.aclose()
        return reports

    # As `hub serve` does: the start-up objects (modules, mappers, schema) out of the collector's
    # way, so that a long sync does not walk them again and again.
    gc.collect()
    gc.freeze()
    # The manager validates the source names before the store is checked for its revision.
    reports = run_on_database(settings, run, at_head=False)
    table = Table(title="sync summary")
    for column in ("source", "status", *(heading for heading, _ in COLUMNS)):
        table.add_column(column, justify="left" if column in {"source", "status"} else "right")
    for report in reports:
        table.add_row(
            report.source,
            report.status.value,
            *(str(report.total(count)) for _, count in COLUMNS),
        )
    console.print(table)
    for report in reports:
        if report.error:
            console.print(f"[red]{report.source}: {report.error}[/red]")
    if any(r.status.value == "FAILED" for r in reports):
        raise typer.Exit(1)
