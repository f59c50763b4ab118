"""What the benchmark scripts share: progress lines, scratch databases, and the record of the
environment the figures were taken in. Imported by the scripts of this folder (run as
``.venv/bin/python bench/<script>.py``, which puts this folder on the import path)."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

import hub


def say(message: str) -> None:
    """A progress line on stderr (stdout carries the JSON)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def emit(result: dict[str, Any], json_out: Path | None) -> None:
    """The result as JSON on stdout, and into ``json_out`` when given (bench/results/…)."""
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(text + "\n", encoding="utf-8")
    print(text)


@contextlib.asynccontextmanager
async def postgres_database(
    postgres_url: str, *, prefix: str = "bench", template: str | None = None
) -> AsyncIterator[str]:
    """The URL of a fresh database next to ``postgres_url`` (a copy of ``template`` if given),
    dropped whatever happens."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(postgres_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        copy = f' TEMPLATE "{template}"' if template else ""
        async with admin.connect() as connection:
            await connection.execute(sa.text(f'CREATE DATABASE "{name}"{copy}'))
        try:
            yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as connection:
                await connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            say(f"  dropped scratch database {name}")
    finally:
        await admin.dispose()


@contextlib.asynccontextmanager
async def scratch_database(
    backend: str, postgres_url: str, *, name: str = "bench"
) -> AsyncIterator[str]:
    """The URL of a fresh empty database of the backend (SQLite: ``<name>.db`` in a temporary
    folder; PostgreSQL: a database ``<name>_<random>``), removed afterwards whatever happens."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="hub-bench-") as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / f'{name}.db'}"
        return
    async with postgres_database(postgres_url, prefix=name) as url:
        yield url


def environment(packages: Sequence[str], watched: Sequence[str] = ("hub",)) -> dict[str, Any]:
    """Where and with what the figures were taken: Python, machine, the packages' versions, the
    commit, and whether the ``watched`` folders had uncommitted changes."""
    root = Path(hub.__file__).resolve().parent.parent

    def git(*argv: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *argv], cwd=root, capture_output=True, text=True, check=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    versions = {}
    for package in packages:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    dirty = git("status", "--porcelain", "--", *watched)
    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "packages": versions,
        "git_commit": git("rev-parse", "HEAD"),
        "hub_tree_modified": bool(dirty) if dirty is not None else None,
        "hub_path": str(root),
    }
