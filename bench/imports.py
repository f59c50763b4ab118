"""Imports of residents: a dry run and a commit of 20,000 rows (issue 14's target on PostgreSQL:
dry run ≤ 10 s, commit ≤ 30 s), and the re-import of the same file, which must write nothing.

For each database (PostgreSQL by default, SQLite on request), in one run:

1. a fresh scratch database is migrated and loaded with the demo data (scale 1);
2. a residents workbook (.xlsx, as staff would send it; ``--format csv`` for a CSV) of
   ``--rows`` rows is written to a temporary folder: valid GB 11643 ID numbers, names and
   mobiles as the demo draws them, spread over the store's compounds, each in a home of its own;
3. ``hub.imports.run.run_import`` is timed as 住建局 (the whole banner): reading the file alone,
   the dry run, the commit, and the commit of the same file again (every row unchanged: the
   store's row count must not move).

One JSON document goes to stdout and to ``--json-out`` if given; progress goes to stderr.

    .venv/bin/python bench/imports.py [--database postgresql|sqlite|both] [--rows 20000]
        [--format xlsx|csv] [--postgres-url URL] [--json-out FILE]

The PostgreSQL URL names an admin database next to which the scratch one is created
(``HUB_BENCH_POSTGRES_URL`` when set).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import benchkit
import sqlalchemy as sa
from benchkit import emit, say, scratch_database
from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncSession

from hub.config import get_settings
from hub.demo import identities
from hub.demo.dataset import DEFAULT_TODAY
from hub.demo.load import load_demo_data
from hub.domain.access import Principal, Role
from hub.imports.reading import Source, read_table
from hub.imports.registry import get_kind
from hub.imports.rows import Mode
from hub.imports.run import ImportResult, run_import
from hub.services import identity, parameters, work
from hub.store.base import utcnow
from hub.store.migrate import upgrade_to_head
from hub.store.models import Compound, MemberUnit, Resident
from hub.store.session import create_engine, create_sessionmaker

DEFAULT_POSTGRES_URL = os.environ.get(
    "HUB_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
HEADER = ["小区编码", "类别", "姓名", "身份证号", "联系电话", "楼栋", "房号", "建筑面积（㎡）"]


def write_file(folder: Path, compounds: Sequence[str], *, rows: int, format: str) -> Path:
    """A residents file of ``rows`` rows over ``compounds``."""
    rng = random.Random(14)
    lines = []
    for n in range(rows):
        lines.append(
            [
                compounds[n % len(compounds)],
                "业主" if rng.random() < 0.85 else "使用人",
                identities.person_name(rng),
                identities.resident_id(rng),
                identities.mobile(rng) if rng.random() < 0.9 else None,
                f"B{n // 200 + 1}号楼",
                f"{n % 200 + 1:04d}",
                round(rng.uniform(60, 160), 2),
            ]
        )
    path = folder / f"住户.{format}"
    if format == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            writer.writerows(["" if c is None else c for c in line] for line in lines)
        return path
    book = Workbook(write_only=True)
    sheet = book.create_sheet("住户")
    sheet.append(HEADER)
    for line in lines:
        sheet.append(line)
    book.save(path)
    return path


async def run_one(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    settings = get_settings()
    keyring = parameters.pii_keyring(settings)
    async with scratch_database(backend, args.postgres_url, name="bench_imports") as url:
        engine = create_engine(url)
        try:
            say(f"{backend}: migrating and loading the demo data")
            await upgrade_to_head(engine)
            async with AsyncSession(engine) as session, session.begin():
                await load_demo_data(session, settings=settings, today=DEFAULT_TODAY)
            maker = create_sessionmaker(engine)
            async with maker() as session:
                compounds = list(
                    (await session.scalars(sa.select(Compound.code).order_by(Compound.id))).all()
                )
                unit = await session.scalar(sa.select(MemberUnit).where(MemberUnit.code == "zjj"))
                assert unit is not None
                principal: Principal = await identity.get_principal(
                    session, unit=unit, role=Role.COMPETENT_DEPARTMENT, client="bench"
                )

            async def count() -> int:
                async with maker() as session:
                    return int(
                        await session.scalar(sa.select(sa.func.count()).select_from(Resident)) or 0
                    )

            with tempfile.TemporaryDirectory(prefix="hub-bench-imports-") as folder:
                path = write_file(Path(folder), compounds, rows=args.rows, format=args.format)
                kind = get_kind("residents")
                source = Source.of_path(path)
                started = time.perf_counter()
                table = read_table(source, kind.sheet, max_bytes=settings.import_max_bytes)
                read_seconds = time.perf_counter() - started
                assert len(table.rows) == args.rows

                async def once(commit: bool) -> tuple[float, ImportResult]:
                    started = time.perf_counter()
                    result = await run_import(
                        maker,
                        kind=kind,
                        source=source,
                        actor=work.Actor(principal, operation="bench"),
                        keyring=keyring,
                        today=DEFAULT_TODAY,
                        now=utcnow(),
                        max_bytes=settings.import_max_bytes,
                        commit=commit,
                        mode=Mode.ALL_OR_NOTHING,
                    )
                    return time.perf_counter() - started, result

                before = await count()
                say(f"{backend}: dry run of {args.rows:,} rows")
                dry_seconds, dry = await once(False)
                say(f"{backend}: commit")
                commit_seconds, committed = await once(True)
                after = await count()
                say(f"{backend}: re-import of the same file")
                again_seconds, again = await once(True)
                unchanged_after = await count()
                size = path.stat().st_size
        finally:
            await engine.dispose()

    def figures(seconds: float, result: ImportResult) -> dict[str, Any]:
        c = result.counts
        return {
            "seconds": round(seconds, 3),
            "rows_per_second": round(args.rows / seconds),
            "new": c.new,
            "updated": c.updated,
            "unchanged": c.unchanged,
            "errors": c.errors,
            "written": result.written,
        }

    return {
        "database": backend,
        "rows": args.rows,
        "format": args.format,
        "file_bytes": size,
        "read_seconds": round(read_seconds, 3),
        "dry_run": figures(dry_seconds, dry),
        "commit": figures(commit_seconds, committed),
        "re_import": figures(again_seconds, again),
        "residents_before": before,
        "residents_after_commit": after,
        "residents_after_re_import": unchanged_after,
        "targets": {
            "dry_run_seconds": 10,
            "commit_seconds": 30,
            "met": dry_seconds <= 10 and commit_seconds <= 30,
        },
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", choices=("postgresql", "sqlite", "both"), default="postgresql"
    )
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="admin database")
    parser.add_argument("--json-out", type=Path, default=None)
    return parser.parse_args(argv)


async def main(args: argparse.Namespace) -> int:
    backends = ("postgresql", "sqlite") if args.database == "both" else (args.database,)
    runs = [await run_one(backend, args) for backend in backends]
    emit(
        {
            "benchmark": "imports",
            "runs": runs,
            "load_average": os.getloadavg(),
            "environment": benchkit.environment(["sqlalchemy", "asyncpg", "aiosqlite", "openpyxl"]),
        },
        args.json_out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
