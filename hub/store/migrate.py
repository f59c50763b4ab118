"""Schema migrations: upgrade to head, and tell whether a database is at head.

The app refuses to serve from a database that is behind (``ensure_at_head``), because code and
schema that disagree corrupt data quietly.

The chain may branch (two features developed side by side each add a revision on the same
parent) until a merge revision joins the branches: "head" is then the set of the branches' heads,
written ``0005a+0005b``, and upgrading goes to all of them.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.domain.crypto import Keyring
from hub.errors import DatabaseBehind

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str = "", *, keyring: Keyring | None = None) -> Config:
    """An Alembic configuration pointing at our migrations (no alembic.ini needed); the
    ``keyring`` of personal data goes to the revisions that convert it (0004)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    if keyring is not None:
        config.attributes["pii_keyring"] = keyring
    return config


def head_revision() -> str:
    """The newest revision of the migration chain (of each branch, joined by ``+``)."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert heads, "the migration chain is empty"
    return "+".join(sorted(heads))


def _current_revision(connection: Connection) -> str | None:
    heads = MigrationContext.configure(connection).get_current_heads()
    return "+".join(sorted(heads)) or None


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current_revision)


async def upgrade_to_head(
    engine: AsyncEngine, *, keyring: Keyring | None = None
) -> tuple[str | None, str]:
    """Migrate the database to head; returns (revision before, revision after).

    ``keyring`` (``hub.services.parameters.pii_keyring`` of the settings) seals the personal data
    a revision converts; a store without any needs none.
    """

    def _upgrade(connection: Connection) -> str | None:
        before = _current_revision(connection)
        config = alembic_config(keyring=keyring)
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
        return before

    async with engine.begin() as connection:
        before = await connection.run_sync(_upgrade)
    return before, head_revision()


async def ensure_at_head(engine: AsyncEngine) -> None:
    """Raise ``DatabaseBehind`` unless the database is at the head revision."""
    current, head = await current_revision(engine), head_revision()
    if current != head:
        raise DatabaseBehind(
            f"the database is at revision {current or '(none)'}, the code needs {head}: "
            "run `hub migrate`",
            current=current,
            head=head,
        )
