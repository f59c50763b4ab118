"""`hub backup` and `hub restore` on the run's database: a round trip gives back every row of every
table, a store holding data is replaced only with --force, the backup's revision is checked, and
the PostgreSQL programs get the password from the environment only."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from hub.config import get_settings
from hub.demo.load import load_demo_data
from hub.domain.enums import JurisdictionLevel
from hub.services import identity
from hub.store import backup as backups
from hub.store.base import Base
from hub.store.migrate import alembic_config, ensure_at_head, head_revision, upgrade_to_head
from hub.store.models import Jurisdiction
from hub.store.session import create_engine, create_sessionmaker
from tests.conftest import DEMO_TODAY, ScratchDatabases, backend_name

ROOT = Path(__file__).resolve().parents[2]
TABLES = [table.name for table in Base.metadata.sorted_tables] + ["alembic_version"]


def run_hub(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUB_DATABASE_URL": database_url, "HUB_ENV": "development"}
    return subprocess.run(
        [sys.executable, "-m", "hub.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


async def contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the hub (and the revision), in primary-key order."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            out = {}
            for name in TABLES:
                order = "version_num" if name == "alembic_version" else "id"
                result = await connection.execute(sa.text(f"SELECT * FROM {name} ORDER BY {order}"))
                out[name] = [tuple(row) for row in result]
            return out
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
async def source(scratch: ScratchDatabases) -> AsyncIterator[str]:
    """A migrated store with the whole demo data set (every table holds rows) and its keys."""
    url = await scratch.create()
    engine = create_engine(url)
    await upgrade_to_head(engine)
    async with create_sessionmaker(engine)() as session, session.begin():
        await load_demo_data(session, settings=get_settings(), today=DEMO_TODAY.date())
    async with create_sessionmaker(engine)() as session, session.begin():
        await identity.create_demo_clients(session)
    await engine.dispose()
    yield url


async def test_a_round_trip_gives_back_every_row_of_every_table(
    source: str, scratch: ScratchDatabases, tmp_path: Path
) -> None:
    """`hub backup -o FILE` then `hub restore FILE` into a fresh database: the same rows in
    every table, at the head revision, and new rows get fresh ids (sequences came along)."""
    file = tmp_path / "hub.backup"
    done = await asyncio.to_thread(run_hub, "backup", "-o", str(file), database_url=source)
    assert done.returncode == 0, done.stderr
    assert f"revision {head_revision()}" in done.stderr
    assert await asyncio.to_thread(file.is_file)
    assert not await asyncio.to_thread(lambda: list(tmp_path.glob("*.partial*")))

    target = await scratch.create()
    done = await asyncio.to_thread(run_hub, "restore", str(file), database_url=target)
    assert done.returncode == 0, done.stderr
    original, restored = await contents(source), await contents(target)
    assert {name: len(rows) for name, rows in restored.items()} == {
        name: len(rows) for name, rows in original.items()
    }
    for name in TABLES:
        assert restored[name] == original[name], name
    empty = [name for name, rows in original.items() if not rows]
    assert len(empty) < len(TABLES) / 4, empty  # the comparison is of real data

    engine = create_engine(target)
    try:
        await ensure_at_head(engine)
        async with create_sessionmaker(engine)() as session:
            largest = await session.scalar(sa.select(sa.func.max(Jurisdiction.id)))
            place = Jurisdiction(code="150627999", name="测试镇", level=JurisdictionLevel.TOWN)
            session.add(place)
            await session.flush()
            assert largest is not None and place.id > largest
            await session.rollback()
    finally:
        await engine.dispose()


async def test_restore_replaces_a_store_holding_data_only_with_force(
    source: str, scratch: ScratchDatabases, tmp_path: Path
) -> None:
    """Into a store that holds data: refused without --force (nothing changed), replaced with it;
    into a migrated, empty store (after `hub migrate`): restored without --force."""
    file = tmp_path / "hub.backup"
    engine = create_engine(source)
    await backups.backup(engine, file)
    await engine.dispose()

    target = await scratch.create()
    engine = create_engine(target)
    await upgrade_to_head(engine)
    await engine.dispose()
    first = await asyncio.to_thread(run_hub, "restore", str(file), database_url=target)
    assert first.returncode == 0, first.stderr

    engine = create_engine(target)
    async with create_sessionmaker(engine)() as session, session.begin():
        await session.execute(sa.text("DELETE FROM audit_log"))
    await engine.dispose()
    changed = await contents(target)
    refused = await asyncio.to_thread(run_hub, "restore", str(file), database_url=target)
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert await contents(target) == changed

    forced = await asyncio.to_thread(run_hub, "restore", "--force", str(file), database_url=target)
    assert forced.returncode == 0, forced.stderr
    assert await contents(target) == await contents(source)


async def test_a_backup_of_an_older_revision_restores_and_then_migrates(
    scratch: ScratchDatabases, tmp_path: Path
) -> None:
    """A backup taken before the newest migration: restored, the command says to run
    `hub migrate`, and the migration then brings it to head."""
    script = ScriptDirectory.from_config(alembic_config())
    (head,) = script.get_heads()
    previous = script.get_revision(head).down_revision
    assert isinstance(previous, str)
    url = await scratch.create()
    engine = create_engine(url)

    def upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, previous)

    async with engine.begin() as connection:
        await connection.run_sync(upgrade)
    file = tmp_path / "old.backup"
    info = await backups.backup(engine, file)
    await engine.dispose()
    assert info.revision == previous

    target = await scratch.create()
    done = await asyncio.to_thread(run_hub, "restore", str(file), database_url=target)
    assert done.returncode == 0, done.stderr
    assert "hub migrate" in done.stderr and previous in done.stderr
    engine = create_engine(target)
    try:
        assert await upgrade_to_head(engine) == (previous, head_revision())
    finally:
        await engine.dispose()


async def test_a_backup_newer_than_the_code_is_refused(
    scratch: ScratchDatabases, tmp_path: Path
) -> None:
    """A backup whose revision the code does not know: refused with a clear message, the store
    left as it was."""
    url = await scratch.create()
    engine = create_engine(url)
    await upgrade_to_head(engine)
    async with engine.begin() as connection:
        await connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    file = tmp_path / "future.backup"
    await backups.backup(engine, file)
    await engine.dispose()

    target = await scratch.create()
    done = await asyncio.to_thread(run_hub, "restore", str(file), database_url=target)
    assert done.returncode == 2
    assert "9999_future" in done.stderr and "newer than this hub's code" in done.stderr
    engine = create_engine(target)
    try:
        assert await backups.count_rows(engine) == {}
    finally:
        await engine.dispose()


async def test_a_file_that_is_no_backup_or_of_the_other_database_is_refused(
    scratch: ScratchDatabases, tmp_path: Path
) -> None:
    """A text file, a missing file, and a backup of the other kind of database: each a clear
    message, exit 2."""
    url = await scratch.create()
    text = tmp_path / "notes.txt"
    text.write_text("not a backup")
    other = tmp_path / "other.backup"
    if backend_name() == "sqlite":
        other.write_bytes(backups.PG_DUMP_MAGIC + b"\x01\x0e\x00")
    else:
        sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    for file, said in (
        (text, "not a backup of the hub"),
        (tmp_path / "missing.backup", "no backup file"),
        (other, "restore it into a store of the same kind"),
    ):
        done = await asyncio.to_thread(run_hub, "restore", str(file), database_url=url)
        assert done.returncode == 2 and said in done.stderr, done.stderr
        assert "Traceback" not in done.stderr


async def test_an_existing_backup_file_is_kept_unless_forced(source: str, tmp_path: Path) -> None:
    """`hub backup -o FILE` does not overwrite a file (an older backup) without --force."""
    file = tmp_path / "kept.backup"
    file.write_bytes(b"an older backup")
    done = await asyncio.to_thread(run_hub, "backup", "-o", str(file), database_url=source)
    assert done.returncode == 2 and "--force" in done.stderr
    assert file.read_bytes() == b"an older backup"
    done = await asyncio.to_thread(
        run_hub, "backup", "--force", "-o", str(file), database_url=source
    )
    assert done.returncode == 0, done.stderr
    assert backups.backup_revision(file) == head_revision()


PG_URL = "postgresql+asyncpg://hub:s3cret-Pass@db.example:6543/hub"


async def test_missing_postgresql_programs_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without pg_dump or pg_restore on PATH: an error naming the program, before any
    connection is tried."""
    monkeypatch.setenv("PATH", str(tmp_path))
    engine = create_engine(PG_URL)
    with pytest.raises(backups.BackupError, match="pg_dump was not found on PATH"):
        await backups.backup(engine, tmp_path / "x.backup")
    dump = tmp_path / "x.dump"
    dump.write_bytes(backups.PG_DUMP_MAGIC + b"\x01\x0e\x00")
    with pytest.raises(backups.BackupError, match="pg_restore was not found on PATH"):
        await backups.restore(engine, dump)
    await engine.dispose()


async def test_pg_dump_gets_the_password_from_the_environment_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The password is in PGPASSWORD, never in pg_dump's arguments, and not in the message of a
    failed dump (a stand-in pg_dump records what it got and fails, naming the password)."""
    record = tmp_path / "record"
    fake = tmp_path / "pg_dump"
    fake.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > {record}\n'
        f'echo "PGPASSWORD=$PGPASSWORD PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER '
        f'PGDATABASE=$PGDATABASE" >> {record}\n'
        'echo "FATAL: password $PGPASSWORD refused" >&2\n'
        "exit 1\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    engine = create_engine(PG_URL)
    with pytest.raises(backups.BackupError) as raised:
        await backups.backup(engine, tmp_path / "x.backup")
    await engine.dispose()
    lines = record.read_text().splitlines()
    arguments, environment = lines[:-1], lines[-1]
    assert not any("s3cret" in argument for argument in arguments)
    assert environment == (
        "PGPASSWORD=s3cret-Pass PGHOST=db.example PGPORT=6543 PGUSER=hub PGDATABASE=hub"
    )
    assert "s3cret" not in str(raised.value) and "pg_dump failed" in str(raised.value)
    assert not await asyncio.to_thread(lambda: list(tmp_path.glob("x.backup*")))
