"""The backups of docker/compose.yaml, for real: docker/backup.sh dumps a hub database of a
private PostgreSQL cluster, deletes dumps past their keeping time, and the dump restores, as
docker/README.md's restore test does, into a database the hub accepts with the same rows.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from hub.config import get_settings
from hub.demo.load import load_demo_data
from hub.store.migrate import current_revision, head_revision, upgrade_to_head
from hub.store.session import create_engine, create_sessionmaker
from tests.conftest import DEMO_TODAY, backend_name
from tests.private_postgres import BIN, PrivatePostgres, private_postgres

REPO = Path(__file__).resolve().parents[2]
COUNTED = ("member_units", "jurisdictions", "compounds", "ledger_items", "audit_log")


async def create_database(server: PrivatePostgres, name: str) -> str:
    admin = create_engine(server.url())
    async with admin.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return server.url(name)


async def counts(url: str) -> tuple[str | None, dict[str, int]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = {
                table: int(await connection.scalar(sa.text(f"SELECT count(*) FROM {table}")) or 0)
                for table in COUNTED
            }
        return await current_revision(engine), rows
    finally:
        await engine.dispose()


@pytest.mark.skipif(
    backend_name() != "postgresql",
    reason="runs in the PostgreSQL run of the suite (on a private cluster, not the shared one)",
)
async def test_backup_script_dumps_prunes_and_the_dump_restores(tmp_path: Path) -> None:
    """One round of docker/backup.sh writes a complete custom-format dump and deletes a dump
    older than BACKUP_KEEP_DAYS; pg_restore of the dump gives a database at the head revision
    with the same rows."""
    backups = tmp_path / "backups"
    backups.mkdir()
    old = backups / "hub-20200101T000000Z.dump"
    old.write_bytes(b"old")
    month_ago = time.time() - 30 * 86400
    os.utime(old, (month_ago, month_ago))
    password = tmp_path / "password"
    password.write_text("unused-with-trust-auth")

    with private_postgres() as server:
        url = await create_database(server, "hub")
        engine = create_engine(url)
        await upgrade_to_head(engine)
        async with create_sessionmaker(engine)() as session, session.begin():
            await load_demo_data(
                session, settings=get_settings(), today=DEMO_TODAY.date(), upstream=False
            )
        await engine.dispose()
        original = await counts(url)

        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PG")},
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "PGHOST": "127.0.0.1",
            "PGPORT": str(server.port),
            "PGUSER": "postgres",
            "PGDATABASE": "hub",
            "PGPASSWORD_FILE": str(password),
            "BACKUP_DIR": str(backups),
            "BACKUP_KEEP_DAYS": "14",
            "BACKUP_ONCE": "1",
        }
        done = await asyncio.to_thread(
            subprocess.run,
            ["sh", str(REPO / "docker" / "backup.sh")],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        (dump,) = backups.iterdir()  # the old one was pruned, no .partial left
        assert dump.name.startswith("hub-") and dump.suffix == ".dump"

        restored = await create_database(server, "hub_restore")
        await asyncio.to_thread(
            subprocess.run,
            [str(BIN / "pg_restore"), "--no-owner", "-d", "hub_restore", str(dump)],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        revision, rows = await counts(restored)
    assert revision == head_revision() == original[0]
    assert rows == original[1] and rows["compounds"] > 0
