"""What the commands of ``hub`` share: messages on stderr, the settings, and the one way a
command works on the database (``run_on_database``, ``in_transaction``).

Batch commands build their own engine from ``HUB_DATABASE_URL`` without the serving process's
statement bound (``hub.store.session.engine_from_settings`` is for ``hub serve``): a long
migration, load or rotation is not a request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

import typer

from hub.config import Settings, get_settings
from hub.errors import HubError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

T = TypeVar("T")


def say(message: str) -> None:
    """Tell the user what is happening (stderr; stdout is for results other programs read)."""
    typer.echo(message, err=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print the error in red on stderr; the caller raises the returned exit with ``code``."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def load_settings() -> Settings:
    """The process's settings, every domain parameter built once (exit 2 if one is wrong)."""
    from hub.services.parameters import check_parameters

    try:
        settings = get_settings()
        check_parameters(settings)
    except ValueError as exc:
        raise fail(f"invalid settings: {exc}", 2) from None
    return settings


def where(settings: Settings) -> str:
    """The database, as the messages name it: its SQLite file or its PostgreSQL host."""
    path = settings.sqlite_path()
    return f"SQLite file {path}" if path else settings.database_url.split("@")[-1]


def stamp(value: datetime | None, *, settings: Settings) -> str:
    """A moment as a minute of banner time, or a dash."""
    return (
        value.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M") if value else "—"
    )


@dataclass(frozen=True, slots=True)
class Database:
    """The engine of one command and its sessions."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]


def run_on_database(
    settings: Settings,
    work: Callable[[Database], Awaitable[T]],
    *,
    at_head: bool = True,
    errors: tuple[type[Exception], ...] = (),
) -> T:
    """Run ``work`` on a new engine of the settings' database, then dispose of the engine.

    With ``at_head`` the database must be at the newest revision first (``hub migrate``). A
    ``HubError``, or one of ``errors``, ends the command with its message and exit code 2.
    """
    from hub.store.migrate import ensure_at_head
    from hub.store.session import create_engine, create_sessionmaker

    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            if at_head:
                await ensure_at_head(engine)
            return await work(Database(engine, create_sessionmaker(engine)))
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except HubError as exc:
        raise fail(exc.message, 2) from None
    except errors as exc:
        raise fail(str(exc), 2) from None


def in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work(session)`` in one writing transaction on a migrated database; a HubError
    ends the command (exit 2)."""
    from hub.store.session import for_writing

    async def transaction(database: Database) -> T:
        async with for_writing(database.sessionmaker)() as session, session.begin():
            return await work(session)

    return run_on_database(settings, transaction)


def progress_bar(console: Console) -> Progress:
    """The progress bar of long commands: description, bar, done of total, time elapsed."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
