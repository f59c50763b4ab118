"""``hub migrate``: the database schema to the newest revision."""

from __future__ import annotations

from hub.cli.common import Database, load_settings, run_on_database, say, where


def migrate() -> None:
    """Upgrade the database schema to the newest revision."""
    from hub.services.parameters import pii_keyring
    from hub.store.migrate import upgrade_to_head

    settings = load_settings()

    async def upgrade(database: Database) -> tuple[str | None, str]:
        # The keyring seals the personal data a revision converts (migration 0004).
        return await upgrade_to_head(database.engine, keyring=pii_keyring(settings))

    before, after = run_on_database(settings, upgrade, at_head=False)
    if before == after:
        say(f"hub: {where(settings)} is at revision {after}; nothing to do")
    else:
        say(f"hub: migrated {where(settings)} from {before or '(empty)'} to {after}")
