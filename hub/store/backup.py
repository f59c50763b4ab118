"""Backups of the store and their restore, on both databases (``hub backup``, ``hub restore``).

- SQLite: a copy made with SQLite's online backup API (``sqlite3.Connection.backup``), which is
  consistent while the hub keeps serving; the backup is itself a SQLite database, and a restore
  copies it back page by page the same way.
- PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists
  --single-transaction`` (a failed restore leaves the store as it was). The programs are found on
  ``PATH`` and get the connection from the URL through the ``PG*`` environment variables; the
  password goes in ``PGPASSWORD``, never on a command line, and no message repeats it.

A backup is written under a temporary name and renamed once complete, so a failed one leaves no
half file behind. A restore reads the backup's migration revision first: one newer than the code
(or unknown to it) is refused, an older one is restored and must then be migrated (``hub
migrate``, which ``hub serve`` insists on). A store that holds data is overwritten only when the
caller says so (``force``).

The personal data in a backup stays sealed with the keys of ``HUB_PII_KEYS``: without those keys
a backup's names and ID numbers cannot be read (docs/operations.md, "Backups").
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.store import models  # noqa: F401  (registers the tables in the metadata)
from hub.store.base import Base
from hub.store.migrate import alembic_config, head_revision

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
SQLITE, POSTGRESQL = "sqlite", "postgresql"


class BackupError(Exception):
    """A backup or a restore that cannot be made; the message says why and what to do (it never
    holds a credential)."""


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """A backup written: of which database, at which revision, where and how large."""

    kind: str
    revision: str
    path: Path
    size: int


@dataclass(frozen=True, slots=True)
class RestoreInfo:
    """A restore done: the backup's revision, the code's head, and the rows now in the store."""

    kind: str
    revision: str
    head: str
    rows: dict[str, int]

    @property
    def behind(self) -> bool:
        """Whether the store is now older than the code (``hub migrate`` before serving)."""
        return self.revision != self.head


def kind_of(engine: AsyncEngine) -> str:
    """``sqlite`` or ``postgresql``: the database an engine works on."""
    name = engine.url.get_backend_name()
    if name not in (SQLITE, POSTGRESQL):
        raise BackupError(f"backups of {name} databases are not supported")
    return name


# Backup ---------------------------------------------------------------------------------------


async def backup(engine: AsyncEngine, target: Path, *, overwrite: bool = False) -> BackupInfo:
    """Write a backup of the engine's database to ``target`` (refused if it exists, unless
    ``overwrite``)."""
    kind = kind_of(engine)
    return await asyncio.to_thread(_backup, kind, engine.url, target, overwrite=overwrite)


def _backup(kind: str, url: URL, target: Path, *, overwrite: bool) -> BackupInfo:
    program = _program("pg_dump") if kind == POSTGRESQL else ""
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists: choose another file, or pass --force to replace it")
    if not target.parent.is_dir():
        raise BackupError(f"no folder {target.parent} to write the backup into")
    partial = target.with_name(target.name + ".partial")
    try:
        if kind == SQLITE:
            _sqlite_copy(_sqlite_file(url, must_exist=True), partial)
        else:
            command = [program, "--format=custom", "--no-owner", "--no-acl", f"--file={partial}"]
            _run(command, url=url)
        revision = backup_revision(partial, kind=kind)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(kind=kind, revision=revision, path=target, size=target.stat().st_size)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a SQLite database with the online backup API (consistent under concurrent writes)."""
    origin = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(target)
        try:
            origin.backup(copy)
            # One self-contained file: the copy leaves WAL mode (the store's engine turns it on
            # again for the restored database), so no -wal or -shm file belongs to it.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not copy {source}: {exc}") from exc
    finally:
        origin.close()


# Reading a backup -----------------------------------------------------------------------------


def kind_of_backup(path: Path) -> str:
    """``sqlite`` or ``postgresql``: what kind of backup a file is (by its first bytes)."""
    try:
        with path.open("rb") as file:
            start = file.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"no backup file {path}") from None
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from None
    if start.startswith(SQLITE_MAGIC):
        return SQLITE
    if start.startswith(PG_DUMP_MAGIC):
        return POSTGRESQL
    raise BackupError(
        f"{path} is not a backup of the hub (neither a SQLite database nor a pg_dump custom-format "
        "archive)"
    )


def backup_revision(path: Path, *, kind: str | None = None) -> str:
    """The migration revision a backup was taken at (``a+b`` for several heads)."""
    kind = kind or kind_of_backup(path)
    if kind == SQLITE:
        versions = _sqlite_versions(path)
    else:
        dump = _run(
            [
                _program("pg_restore"),
                "--data-only",
                "--table=alembic_version",
                "--file=-",
                str(path),
            ],
            url=None,
        )
        versions = _copied_rows(dump, table="alembic_version")
    if not versions:
        raise BackupError(f"{path} holds no migration revision: it is not a backup of the hub")
    return "+".join(sorted(versions))


def _sqlite_versions(path: Path) -> list[str]:
    try:
        connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            check = connection.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise BackupError(f"{path} is damaged (SQLite's quick_check: {check})")
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path} is not a readable backup of the hub ({exc})") from exc
    return [str(version) for (version,) in rows]


def _copied_rows(dump: str, *, table: str) -> list[str]:
    """The first column of the rows of ``table`` in a plain-text dump's COPY block."""
    rows: list[str] = []
    copying = False
    for line in dump.splitlines():
        if copying:
            if line == "\\.":
                break
            rows.append(line.split("\t", 1)[0])
        elif re.match(rf"COPY (\S+\.)?\"?{table}\"? ", line):
            copying = True
    return rows


def check_revision(revision: str) -> None:
    """Refuse a backup whose revision the code does not know (it is newer than the code)."""
    script = ScriptDirectory.from_config(alembic_config())
    known = {script_revision.revision for script_revision in script.walk_revisions()}
    unknown = sorted(set(revision.split("+")) - known)
    if unknown:
        raise BackupError(
            f"the backup is at revision {revision}, newer than this hub's code (its newest is "
            f"{head_revision()}; {', '.join(unknown)} is unknown to it): restore it with the hub "
            "version that wrote it, or a newer one"
        )


# Restore --------------------------------------------------------------------------------------


async def restore(engine: AsyncEngine, source: Path, *, force: bool = False) -> RestoreInfo:
    """Replace the engine's database with the backup in ``source``.

    Refused when the backup is of the other kind of database, newer than the code, or when the
    store holds data and ``force`` is not given.
    """
    kind = kind_of(engine)
    backup_kind = kind_of_backup(source)
    if backup_kind != kind:
        raise BackupError(
            f"{source} is a backup of a {backup_kind} store, and this store is {kind}: "
            "restore it into a store of the same kind"
        )
    program = _program("pg_restore") if kind == POSTGRESQL else ""
    revision = await asyncio.to_thread(backup_revision, source, kind=kind)
    check_revision(revision)
    held = {table: n for table, n in (await count_rows(engine)).items() if n}
    if held and not force:
        raise BackupError(
            f"the store holds data ({sum(held.values()):,} rows in {len(held)} tables): pass "
            "--force to replace it with the backup, or restore into an empty database"
        )
    await engine.dispose()  # no pooled connection of ours in the way of the copy
    if kind == SQLITE:
        target = _sqlite_file(engine.url, must_exist=False)
        await asyncio.to_thread(_sqlite_restore, source, target)
    else:
        await _refuse_extra_tables(engine, source, program)
        await engine.dispose()
        await asyncio.to_thread(
            _run,
            [
                program,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={engine.url.database}",
                str(source),
            ],
            url=engine.url,
        )
    await engine.dispose()
    return RestoreInfo(
        kind=kind, revision=revision, head=head_revision(), rows=await count_rows(engine)
    )


def _sqlite_restore(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    backup_file = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        store = sqlite3.connect(target)
        try:
            backup_file.backup(store)
        finally:
            store.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not restore into {target}: {exc}") from exc
    finally:
        backup_file.close()


async def _refuse_extra_tables(engine: AsyncEngine, source: Path, program: str) -> None:
    """pg_restore --clean replaces only what the dump holds: a table of the store that the backup
    lacks (a newer schema's) would stay and break the next migration, so refuse that store."""
    listing = await asyncio.to_thread(_run, [program, "--list", str(source)], url=None)
    in_backup = {
        match.group(1)
        for match in re.finditer(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, flags=re.MULTILINE)
    }
    async with engine.connect() as connection:
        present = await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names())
    extra = sorted(set(present) - in_backup)
    if extra:
        raise BackupError(
            f"the store has tables the backup lacks ({', '.join(extra)}): restore into an empty "
            "database (create it, point HUB_DATABASE_URL at it, `hub restore`, then `hub migrate`)"
        )


async def count_rows(engine: AsyncEngine) -> dict[str, int]:
    """Rows of each of the hub's tables that exist in the store (none when it is not migrated)."""
    async with engine.connect() as connection:
        present = set(await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names()))
        counts = {}
        for table in Base.metadata.sorted_tables:
            if table.name in present:
                count = await connection.scalar(sa.select(sa.func.count()).select_from(table))
                counts[table.name] = int(count or 0)
    return counts


# Programs and files ---------------------------------------------------------------------------


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH: backups of a PostgreSQL store need the PostgreSQL "
            "client programs pg_dump and pg_restore, of the server's major version or newer "
            "(Debian: apt install postgresql-client)"
        )
    return found


def _sqlite_file(url: URL, *, must_exist: bool) -> Path:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("the store is an in-memory SQLite database: there is nothing to back up")
    path = Path(database)
    if must_exist and not path.is_file():
        raise BackupError(f"no SQLite database at {path}")
    return path


def _pg_environment(url: URL | None) -> dict[str, str]:
    """The environment of a PostgreSQL program: the connection of ``url`` in ``PG*`` variables
    (the password in ``PGPASSWORD``, never on a command line); the caller's own ``PG*`` settings
    where the URL says nothing."""
    env = dict(os.environ)
    if url is None:
        return env
    host = url.host or url.query.get("host")
    given = {
        "PGHOST": host if isinstance(host, str) else None,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password if isinstance(url.password, str) else None,
        "PGDATABASE": url.database,
    }
    ssl = url.query.get("sslmode") or url.query.get("ssl")
    if isinstance(ssl, str):
        given["PGSSLMODE"] = ssl
    env.update({name: value for name, value in given.items() if value})
    return env


def _run(command: list[str], *, url: URL | None) -> str:
    """Run a PostgreSQL program; its stdout, or ``BackupError`` with the end of its stderr."""
    env = _pg_environment(url)
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError(f"{Path(command[0]).name} could not be started: {exc.strerror}") from None
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()[-5:]
        message = " / ".join(said) or "no message"
        password = env.get("PGPASSWORD")
        if password:
            message = message.replace(password, "***")
        raise BackupError(f"{Path(command[0]).name} failed (exit {done.returncode}): {message}")
    return done.stdout
