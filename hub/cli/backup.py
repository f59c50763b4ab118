"""``hub backup`` and ``hub restore``: a backup of the store into a file, and back.

SQLite through its online backup API, PostgreSQL through pg_dump / pg_restore
(``hub.store.backup``). A backup holds the personal data sealed: keep the keys of
``HUB_PII_KEYS`` (and ``HUB_PII_INDEX_KEY``) too, apart from the backups (docs/operations.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hub.cli.common import Database, load_settings, run_on_database, say, where

if TYPE_CHECKING:
    from hub.store.backup import BackupInfo, RestoreInfo


def backup(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The backup file to write.", dir_okay=False)
    ],
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Back up the store (SQLite: online backup API; PostgreSQL: pg_dump custom format) into a
    file; the hub may keep serving meanwhile. Keep HUB_PII_KEYS too, apart from the backups:
    without them the personal data in a backup cannot be read."""
    from hub.store import backup as backups

    settings = load_settings()

    async def work(database: Database) -> BackupInfo:
        return await backups.backup(database.engine, output, overwrite=force)

    info = run_on_database(settings, work, at_head=False, errors=(backups.BackupError,))
    say(
        f"hub: backed up {where(settings)} (revision {info.revision}) to {info.path} "
        f"({info.size:,} bytes)"
    )


def restore(
    file: Annotated[Path, typer.Argument(help="A backup written by `hub backup`.", dir_okay=False)],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the data the store holds with the backup.")
    ] = False,
) -> None:
    """Restore a backup of `hub backup` into the store; a store that holds data is replaced only
    with --force. A backup newer than this hub's code is refused; an older one is restored and
    then needs `hub migrate`. Stop the hub's processes first."""
    from hub.store import backup as backups

    settings = load_settings()

    async def work(database: Database) -> RestoreInfo:
        return await backups.restore(database.engine, file, force=force)

    info = run_on_database(settings, work, at_head=False, errors=(backups.BackupError,))
    rows = sum(info.rows.values())
    say(
        f"hub: restored {file} into {where(settings)}: revision {info.revision}, "
        f"{rows:,} rows in {sum(1 for n in info.rows.values() if n)} tables"
    )
    if info.behind:
        say(
            f"hub: the backup is older than this hub's code ({info.revision}, the code needs "
            f"{info.head}): run `hub migrate` before `hub serve`"
        )
