"""``hub keys``: the keys of the personal data encrypted at rest (``HUB_PII_KEYS``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from hub.cli.common import Database, fail, load_settings, progress_bar, run_on_database, say

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

app = typer.Typer(
    help="Keys of the personal data encrypted at rest (HUB_PII_KEYS).", no_args_is_help=True
)


@app.command("rotate")
def rotate(
    batch_size: Annotated[
        int, typer.Option(min=1, max=10_000, help="Rows re-sealed per transaction.")
    ] = 500,
) -> None:
    """Re-seal every personal-data value with the active key (HUB_PII_ACTIVE_KEY).

    Add the new key to HUB_PII_KEYS, make it active, run this, then remove the old key. Values
    already under the active key are left alone, so the command is idempotent, and each batch
    commits on its own, so an interrupted run resumes where it stopped. Blind indexes of ID
    numbers are not recomputed: their key (HUB_PII_INDEX_KEY) is separate and unchanged.
    """
    from rich.console import Console
    from rich.table import Table

    from hub.domain.crypto import PersonalDataError
    from hub.services import personal_data
    from hub.services.parameters import pii_keyring
    from hub.store.session import for_writing

    settings = load_settings()
    keyring = pii_keyring(settings)
    console = Console(stderr=True)
    tables = list(personal_data.SEALED_FIELDS)

    async def count(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, int]:
        async with sessionmaker() as session:
            return {
                table: await personal_data.count_to_rotate(session, keyring=keyring, table=table)
                for table in tables
            }

    async def run(database: Database) -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
        sessionmaker = database.sessionmaker
        todo = await count(sessionmaker)
        done: dict[str, tuple[int, int]] = {}
        with progress_bar(console) as bar:
            for table in tables:
                task = bar.add_task(table, total=todo[table])
                after, rows, values = 0, 0, 0
                while True:
                    async with for_writing(sessionmaker)() as session, session.begin():
                        batch = await personal_data.rotate_batch(
                            session, keyring=keyring, table=table, after_id=after, limit=batch_size
                        )
                    if batch.last_id is None:
                        break
                    after, rows, values = batch.last_id, rows + batch.rows, values + batch.values
                    bar.update(task, advance=batch.rows)
                done[table] = (rows, values)
        return done, await count(sessionmaker)

    done, left = run_on_database(settings, run, errors=(PersonalDataError,))
    table = Table(title=f"re-sealed with key {keyring.active!r}")
    for column in ("table", "rows re-sealed", "values re-sealed", "rows left"):
        table.add_column(column, justify="left" if column == "table" else "right")
    for name, (rows, values) in done.items():
        table.add_row(name, f"{rows:,}", f"{values:,}", f"{left[name]:,}")
    console.print(table)
    if any(left.values()):
        # Rows changed by someone else during the run are skipped; a second run takes them.
        raise fail("some rows changed during the run and were skipped: run it again", 1)
    others = sorted(keyring.key_ids - {keyring.active})
    unused = f"; {', '.join(others)} may now be removed from HUB_PII_KEYS" if others else ""
    say(f"hub: every personal-data value is sealed with key {keyring.active!r}{unused}")
