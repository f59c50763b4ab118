"""Migration 0004 seals the personal data already in the store, and its downgrade opens it."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.config import Settings
from hub.demo import build_dataset
from hub.domain.crypto import FieldRef, Keyring, blind_index, decrypt
from hub.services.parameters import pii_keyring
from hub.store.migrate import alembic_config, current_revision
from hub.store.session import create_engine
from tests.conftest import DEMO_TODAY, ScratchDatabases

# What the demo data needs of the store to hold residents and committee members, parents first.
TABLES = (
    "jurisdictions",
    "compounds",
    "residents",
    "owners_committees",
    "committee_terms",
    "committee_members",
)


async def migrate(engine: AsyncEngine, action: str, revision: str, *, keyring: Keyring) -> None:
    def run(connection: Connection) -> None:
        config = alembic_config(keyring=keyring)
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def test_upgrade_seals_plaintext_rows_and_downgrade_opens_them(
    scratch: ScratchDatabases,
) -> None:
    """Rows written in plain by revision 0003 are sealed by 0004 (each value opens to the old
    one, ID numbers get their blind index, the plain columns and their index are gone), and a
    downgrade gives the plain rows back."""
    data = build_dataset(today=DEMO_TODAY.date())
    keyring = pii_keyring(Settings())
    engine = create_engine(await scratch.create())
    try:
        await migrate(engine, "upgrade", "0003", keyring=keyring)
        async with engine.begin() as connection:
            tables = {
                name: await connection.run_sync(
                    lambda c, name=name: sa.Table(name, sa.MetaData(), autoload_with=c)
                )
                for name in TABLES
            }
            for name in TABLES:
                rows = getattr(data, name)
                for start in range(0, len(rows), 2_000):
                    await connection.execute(tables[name].insert(), rows[start : start + 2_000])

        await migrate(engine, "upgrade", "0004", keyring=keyring)
        assert await current_revision(engine) == "0004"

        def inspect(connection: Connection) -> tuple[set[str], set[str], set[str]]:
            inspector = sa.inspect(connection)
            residents = {c["name"] for c in inspector.get_columns("residents")}
            members = {c["name"] for c in inspector.get_columns("committee_members")}
            indexes = {i["name"] for i in inspector.get_indexes("residents")}
            return residents, members, indexes

        async with engine.connect() as connection:
            residents_columns, members_columns, indexes = await connection.run_sync(inspect)
            assert {"name", "id_number", "phone"}.isdisjoint(residents_columns)
            assert {"name", "phone"}.isdisjoint(members_columns)
            assert "ix_residents_id_number_index" in indexes
            assert "ix_residents_id_number" not in indexes

            sealed = {
                row.id: row
                for row in await connection.execute(
                    sa.text(
                        "SELECT id, name_encrypted, id_number_encrypted, id_number_index, "
                        "phone_encrypted FROM residents"
                    )
                )
            }
            assert len(sealed) == len(data.residents)
            for plain in data.residents:
                row = sealed[plain["id"]]
                assert plain["name"] not in row.name_encrypted
                assert row.name_encrypted.startswith(f"v1:{keyring.active}:")
                for field in ("name", "id_number", "phone"):
                    token = getattr(row, f"{field}_encrypted")
                    ref = FieldRef("residents", field, plain["id"])
                    assert decrypt(keyring, token, ref) == plain[field]
                assert row.id_number_index == blind_index(keyring, plain["id_number"])

            members = {
                row.id: row
                for row in await connection.execute(
                    sa.text("SELECT id, name_encrypted, phone_encrypted FROM committee_members")
                )
            }
            assert len(members) == len(data.committee_members)
            for plain in data.committee_members[:500]:
                row = members[plain["id"]]
                ref = FieldRef("committee_members", "name", plain["id"])
                assert decrypt(keyring, row.name_encrypted, ref) == plain["name"]
                ref = FieldRef("committee_members", "phone", plain["id"])
                assert decrypt(keyring, row.phone_encrypted, ref) == plain["phone"]

        await migrate(engine, "downgrade", "0003", keyring=keyring)
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.text("SELECT id, name, id_number, phone FROM residents ORDER BY id")
            )
            assert [tuple(r) for r in rows] == [
                (p["id"], p["name"], p["id_number"], p["phone"]) for p in data.residents
            ]
    finally:
        await engine.dispose()
