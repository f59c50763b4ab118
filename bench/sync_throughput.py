"""M3 of DESIGN.md: sync rows/s end to end (sandbox → store) against a bulk-load floor, and a
re-sync of unchanged data that must write 0 rows.

For each database (PostgreSQL by default, SQLite on request), in one run:

1. a fresh scratch database is migrated and loaded with the local demo data (``upstream=False``:
   places, units and committees, no upstream records);
2. the ordos sandbox, with ``extra_records`` so that its credit_records stream carries
   ``--records`` records, is served by uvicorn over HTTP on a loopback port from a child process
   (this script with ``--serve-sandbox``), so that the upstream's serving is not charged to the
   hub's process;
3. ``SyncManager.run("ordos")`` is timed: the whole source, every stream, with the connector's own
   page size (its ``StreamSpec``; nothing of the connector is changed). httpx's own transport is
   wrapped only to time the exchanges, and a ``before/after_cursor_execute`` listener times the
   statements (asyncpg's ``copy_records_to_table``, by which the engine sends new rows that
   nothing refers to, is timed and counted apart, as "COPY table"). The engine fetches and
   parses the next pages while it writes the current one, so HTTP and SQL time overlap:
   ``rest_seconds`` (wall − HTTP − SQL) can be negative, and the hub's CPU seconds say more.
   Before the timed runs the objects made so far are frozen out of the garbage collector's
   generations, as ``hub serve`` does once started (``--no-gc-freeze``: as ``hub sync`` leaves
   them);
4. ``run("ordos", full=True)`` is timed again on the unchanged upstream while the listener counts
   INSERT/UPDATE/DELETE statements per table and the rows the driver says they wrote: the data
   tables must get none; the engine's bookkeeping (sync_runs, sync_stream_states, sync_leases)
   and its queues (sync_quarantine, sync_reconciliation) are counted apart;
5. the floor: the credit records the sync stored are read back and bulk-loaded into the same
   table of a second database — on PostgreSQL a copy of the synced one (``CREATE DATABASE …
   TEMPLATE``) with the table TRUNCATEd, loaded with asyncpg ``copy_records_to_table``; on SQLite
   a backup of the file with the table emptied, loaded with one ``executemany`` INSERT (SQLite has
   no COPY). The load is repeated ``--floor-repeats`` times and the median taken.

The ratio is the sync's rows written per second (all streams) over the floor's rows per second;
the target on PostgreSQL is ≥ 0.2. The planner's statistics are left to the server (whose
``autovacuum`` setting is reported) unless ``--analyze-every`` stands in for autovacuum. One JSON
document goes to stdout and to ``--json-out`` (bench/results/sync_throughput.json by default);
progress goes to stderr. bench/results/sync_throughput.md gives the reading.

    .venv/bin/python bench/sync_throughput.py [--database postgresql|sqlite|both]
        [--records 100000] [--postgres-url URL] [--analyze-every SECONDS] [--no-gc-freeze]
        [--json-out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import re
import resource
import signal
import socket
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import benchkit
import httpx
import sqlalchemy as sa
import uvicorn
from benchkit import emit, postgres_database, say, scratch_database
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.ordos.client import STREAMS
from connectors.ordos.sandbox import create_app as create_ordos_sandbox
from connectors.sandbox_kit import sandbox_of
from hub.config import Settings, SourceSettings, get_settings
from hub.demo.dataset import DEFAULT_TODAY
from hub.demo.load import load_demo_data
from hub.demo.world import demo_world
from hub.store.migrate import upgrade_to_head
from hub.store.session import create_engine, create_sessionmaker
from hub.sync.manager import SyncManager
from hub.sync.reports import Progress
from hub.sync.sinks import SINKS

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
RESULTS = Path(__file__).resolve().parent / "results" / "sync_throughput.json"
TARGET_RATIO = 0.2  # DESIGN.md, M3
SOURCE = "ordos"
CREDENTIALS = {"client_id": "hub-demo", "client_secret": "demo-secret-ordos"}
STREAM = "credit_records"
TABLE = "enterprise_credit_records"
# The tables the source writes (ANALYZEd by --analyze-every): its entities and inspection items.
TABLES = sorted(
    {"assessment_items", *(SINKS[e].model.__tablename__ for s in STREAMS for e in s.entities)}
)
DATABASE_PREFIX = "bench_sync"  # scratch databases of this script: bench_sync_<random>
BOOKKEEPING = frozenset({"sync_runs", "sync_stream_states", "sync_leases"})
QUEUES = frozenset({"sync_quarantine", "sync_reconciliation"})
_WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_READ = re.compile(r'\bFROM\s+"?(\w+)"?', re.IGNORECASE)


@dataclass
class Clock:
    """The real time plus an offset the benchmark moves forward (before the re-sync)."""

    offset: timedelta = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


# --- the upstream ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Upstream:
    """A served sandbox: its base URL, its records per stream and the serving process."""

    url: str
    counts: dict[str, int]
    pid: int


def serve_sandbox(records: int) -> None:
    """The child process: build the sandbox, print its port and counts, serve until SIGTERM."""
    world = demo_world(today=DEFAULT_TODAY)
    base = len(sandbox_of(create_ordos_sandbox(world=world)).stores[STREAM])
    app = create_ordos_sandbox(
        world=world, extra_records=max(0, records - base), extra_stream=STREAM
    )
    counts = {name: len(store) for name, store in sandbox_of(app).stores.items()}
    # IPPROTO_TCP explicitly: asyncio turns Nagle's algorithm off only on sockets whose proto
    # says TCP, and with it on, a keep-alive response (headers and body written apart) waits
    # for the client's delayed ACK — 40 ms a page on Linux.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    print(json.dumps({"port": sock.getsockname()[1], "counts": counts}), flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))


@contextlib.asynccontextmanager
async def sandbox(records: int) -> AsyncIterator[Upstream]:
    """The ordos sandbox with ``records`` credit records, served by a child process."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve-sandbox", "--records", str(records),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        line = await asyncio.wait_for(child.stdout.readline(), timeout=300)
        if not line:
            raise RuntimeError(f"the sandbox process exited with status {await child.wait()}")
        ready = json.loads(line)
        yield Upstream(f"http://127.0.0.1:{ready['port']}", ready["counts"], child.pid)
    finally:
        if child.returncode is None:
            child.terminate()
            try:
                await asyncio.wait_for(child.wait(), timeout=15)
            except TimeoutError:
                child.kill()
                await child.wait()


# --- databases ------------------------------------------------------------------------------


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: str) -> str:
    return str(make_url(url).database)


async def server_facts(engine: AsyncEngine) -> dict[str, str]:
    """The server's version and the settings that shape the figures (autovacuum keeps the
    planner's statistics up to date while a table grows)."""
    if engine.dialect.name == "sqlite":
        return {"version": f"SQLite {sqlite3.sqlite_version}"}
    names = ["autovacuum", "autovacuum_naptime", "shared_buffers", "synchronous_commit", "fsync"]
    async with engine.connect() as connection:
        version = (await connection.execute(sa.text("SELECT version()"))).scalar_one()
        rows = await connection.execute(
            sa.text("SELECT name, setting, unit FROM pg_settings WHERE name = ANY(:names)"),
            {"names": names},
        )
        return {"version": version, **{n: f"{s}{u or ''}" for n, s, u in rows}}


@contextlib.asynccontextmanager
async def planner_statistics(url: str, every: float) -> AsyncIterator[list[int]]:
    """With ``every`` > 0 on PostgreSQL, ANALYZE the source's tables that often meanwhile, as
    autovacuum would; yields a list whose one item is, afterwards, how many times it did."""
    done = [0]
    if every <= 0 or not url.startswith("postgresql"):
        yield done
        return
    connection = await asyncpg.connect(_asyncpg_dsn(url))

    async def analyze() -> None:
        while True:
            await asyncio.sleep(every)
            await connection.execute(f"ANALYZE {', '.join(TABLES)}")
            done[0] += 1

    task = asyncio.create_task(analyze())
    try:
        yield done
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await connection.close()


# --- measuring ------------------------------------------------------------------------------


@dataclass
class StatementLog:
    """Statements an engine runs while ``active``, by kind ("UPDATE sync_runs", "SELECT
    enterprises"): how many, the rows they wrote (the driver's row count) and the seconds from
    sending to the result (the database's time and the round trip)."""

    active: bool = False
    count: Counter[str] = field(default_factory=Counter)
    rows: Counter[str] = field(default_factory=Counter)
    seconds: Counter[str] = field(default_factory=Counter)

    def listen(self, engine: AsyncEngine) -> None:
        sa.event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        sa.event.listen(engine.sync_engine, "after_cursor_execute", self._after)

    @contextlib.contextmanager
    def copies(self) -> Iterator[None]:
        """Count and time asyncpg's ``copy_records_to_table`` too (the engine's COPY of new rows
        goes to the driver's connection, past SQLAlchemy's statement events), as "COPY table"
        with the rows the server says it copied."""
        original = asyncpg.Connection.copy_records_to_table
        log = self

        async def timed(connection: Any, table_name: str, **kwargs: Any) -> str:
            started = time.perf_counter()
            status: str = await original(connection, table_name, **kwargs)
            if log.active:
                key = f"COPY {table_name}"
                log.count[key] += 1
                log.rows[key] += int(status.split()[-1])
                log.seconds[key] += time.perf_counter() - started
            return status

        asyncpg.Connection.copy_records_to_table = timed  # type: ignore[method-assign]
        try:
            yield
        finally:
            asyncpg.Connection.copy_records_to_table = original  # type: ignore[method-assign]

    def clear(self) -> None:
        self.count.clear()
        self.rows.clear()
        self.seconds.clear()

    def _before(self, _c: Any, _cur: Any, _stmt: str, _params: Any, ctx: Any, _many: bool) -> None:
        ctx._bench_started = time.perf_counter()

    def _after(
        self, _c: Any, cursor: Any, statement: str, params: Any, ctx: Any, many: bool
    ) -> None:
        if not self.active:
            return
        write = _WRITE.match(statement)
        if write is not None:
            key = f"{write.group(1).split()[0].upper()} {write.group(2)}"
            rowcount = getattr(cursor, "rowcount", -1)
            self.rows[key] += rowcount if rowcount >= 0 else (len(params) if many else 1)
        else:
            read = _READ.search(statement)
            key = statement.split(None, 1)[0].upper() + (f" {read.group(1)}" if read else "")
        self.count[key] += 1
        self.seconds[key] += time.perf_counter() - ctx._bench_started

    def table(self) -> dict[str, dict[str, Any]]:
        """Per kind of statement, the most expensive first."""
        return {
            key: {
                "statements": self.count[key],
                "seconds": round(self.seconds[key], 3),
                **({"rows_written": self.rows[key]} if key in self.rows else {}),
            }
            for key in sorted(self.count, key=lambda k: -self.seconds[k])
        }

    def writes(self) -> dict[str, Any]:
        """Write statements on the data tables, on the run's bookkeeping and on the queues."""
        groups: dict[str, dict[str, dict[str, int]]] = {"data": {}, "bookkeeping": {}, "queue": {}}
        for key in sorted(self.rows):
            table = key.split(" ", 1)[1]
            group = (
                "bookkeeping" if table in BOOKKEEPING else "queue" if table in QUEUES else "data"
            )
            groups[group][key] = {"statements": self.count[key], "rows": self.rows[key]}
        return {
            "data_table_writes": groups["data"],
            "data_table_write_statements": sum(v["statements"] for v in groups["data"].values()),
            "data_table_rows_written": sum(v["rows"] for v in groups["data"].values()),
            "bookkeeping_writes": groups["bookkeeping"],
            "queue_writes": groups["queue"],
            "queue_rows_written": sum(v["rows"] for v in groups["queue"].values()),
        }


class TimedTransport(httpx.AsyncBaseTransport):
    """httpx's own HTTP transport, timing each exchange from the request to the whole body."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.seconds = 0.0
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        response = await self._inner.handle_async_request(request)
        body = await response.aread()
        await response.aclose()
        self.seconds += time.perf_counter() - started
        self.requests += 1
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=body,
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._inner.aclose()


def cpu_seconds(pid: int | None = None) -> float | None:
    """CPU seconds (user + system) of this process, or of another one (Linux only)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class StreamClock:
    """The engine's progress callback: when each stream's last page was applied."""

    started: float = field(default_factory=time.perf_counter)
    last: dict[str, float] = field(default_factory=dict)
    next_report: int = 10_000

    def __call__(self, progress: Progress) -> None:
        self.last[progress.stream] = now = time.perf_counter()
        if progress.stream == STREAM and progress.fetched >= self.next_report:
            self.next_report += 10_000
            rate = progress.fetched / (now - self.started)
            say(f"    {progress.fetched:,}/{progress.total or 0:,} {STREAM} ({rate:,.0f}/s)")

    def seconds(self) -> dict[str, float]:
        """Seconds per stream, from the end of the previous one (streams run in order)."""
        out, previous = {}, self.started
        for spec in STREAMS:
            if spec.name in self.last:
                out[spec.name] = round(self.last[spec.name] - previous, 3)
                previous = self.last[spec.name]
        return out


@dataclass
class Probes:
    """What is measured around each timed run."""

    log: StatementLog
    transport: TimedTransport
    sandbox_pid: int


async def timed_run(manager: SyncManager, probes: Probes, *, full: bool) -> dict[str, Any]:
    """Run the source once: the report's figures and where the time went."""
    probes.log.clear()
    http_before, requests_before = probes.transport.seconds, probes.transport.requests
    sandbox_before, hub_before = cpu_seconds(probes.sandbox_pid), cpu_seconds()
    streams = StreamClock()
    probes.log.active = True
    try:
        with probes.log.copies():
            report = await manager.run(SOURCE, full=full, trigger="bench", progress=streams)
    finally:
        probes.log.active = False
    seconds = time.perf_counter() - streams.started
    sandbox_after, hub_after = cpu_seconds(probes.sandbox_pid), cpu_seconds()
    http = probes.transport.seconds - http_before
    sql = sum(probes.log.seconds.values())
    written = sum(report.total(n) for n in ("inserted", "updated", "deleted"))
    counts = ("fetched", "inserted", "updated", "unchanged", "deleted", "quarantined")
    return {
        "status": report.status.value,
        "error": report.error,
        **{name: report.total(name) for name in (*counts, "reconciliation", "retries")},
        "rows_written": written,
        "seconds": round(seconds, 3),
        "records_fetched_per_s": round(report.total("fetched") / seconds, 1),
        "rows_written_per_s": round(written / seconds, 1),
        "streams": {
            s.stream: {"fetched": s.fetched, **{n: getattr(s.outcome, n) for n in counts[1:]}}
            for s in report.streams
        },
        "stream_seconds": streams.seconds(),
        "time": {
            "http_seconds": round(http, 3),
            "http_requests": probes.transport.requests - requests_before,
            "sql_seconds": round(sql, 3),
            "sql_statements": sum(probes.log.count.values()),
            "rest_seconds": round(seconds - http - sql, 3),
            "hub_process_cpu_seconds": round((hub_after or 0) - (hub_before or 0), 3),
            "sandbox_process_cpu_seconds": (
                round(sandbox_after - sandbox_before, 3)
                if sandbox_after is not None and sandbox_before is not None
                else None
            ),
        },
        "statements": probes.log.table(),
        **probes.log.writes(),
    }


# --- the floor ------------------------------------------------------------------------------


async def read_back(url: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The credit records the sync stored (every column but the generated id), in id order."""
    query = f"SELECT * FROM {TABLE} WHERE source = {{}} ORDER BY id"
    if url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(_sqlite_path(url))) as db:
            cursor = db.execute(query.format("?"), (SOURCE,))
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    else:
        connection = await asyncpg.connect(_asyncpg_dsn(url))
        try:
            rows = [dict(r) for r in await connection.fetch(query.format("$1"), SOURCE)]
        finally:
            await connection.close()
    columns = [c for c in rows[0] if c != "id"]
    return columns, [tuple(row[c] for c in columns) for row in rows]


async def floor_postgres(
    sync_db: str, postgres_url: str, columns: list[str], rows: list[tuple[Any, ...]], repeats: int
) -> list[float]:
    """Seconds of each ``copy_records_to_table`` of the rows into a TRUNCATEd copy of the table
    (same indexes, constraints and referenced enterprises as the sync had)."""
    async with postgres_database(postgres_url, prefix=DATABASE_PREFIX, template=sync_db) as url:
        connection = await asyncpg.connect(_asyncpg_dsn(url))
        try:
            timings = []
            for _ in range(repeats):
                await connection.execute(f"TRUNCATE {TABLE}")
                started = time.perf_counter()
                await connection.copy_records_to_table(TABLE, records=rows, columns=columns)
                timings.append(time.perf_counter() - started)
            copied = await connection.fetchval(f"SELECT count(*) FROM {TABLE}")
        finally:
            await connection.close()
    if copied != len(rows):
        raise RuntimeError(f"the floor copied {copied} rows, not {len(rows)}")
    return timings


def floor_sqlite(
    sync_path: str, columns: list[str], rows: list[tuple[Any, ...]], repeats: int
) -> list[float]:
    """Seconds of each ``executemany`` of one INSERT of the rows into an emptied copy of the
    table, in one transaction, with the hub's pragmas."""
    marks = ", ".join("?" * len(columns))
    insert = f"INSERT INTO {TABLE} ({', '.join(columns)}) VALUES ({marks})"
    with (
        tempfile.TemporaryDirectory(prefix="hub-bench-floor-") as folder,
        contextlib.closing(sqlite3.connect(sync_path)) as source,
        contextlib.closing(sqlite3.connect(Path(folder) / "floor.db")) as db,
    ):
        source.backup(db)
        db.isolation_level = None  # explicit BEGIN/COMMIT, as the hub's engine does
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
            db.execute(f"PRAGMA {pragma}")
        timings = []
        for _ in range(repeats):
            db.execute(f"DELETE FROM {TABLE}")
            started = time.perf_counter()
            db.execute("BEGIN IMMEDIATE")
            db.executemany(insert, rows)
            db.execute("COMMIT")
            timings.append(time.perf_counter() - started)
    return timings


# --- one backend ----------------------------------------------------------------------------


async def run_one(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    """The sync, the re-sync and the floor on fresh databases of one backend."""
    async with (
        scratch_database(backend, args.postgres_url, name=DATABASE_PREFIX) as url,
        sandbox(args.records) as upstream,
    ):
        total = sum(upstream.counts.values())
        say(f"{backend}: sandbox at {upstream.url}, {total:,} records {upstream.counts}")
        engine = create_engine(url)
        probes = Probes(StatementLog(), TimedTransport(), upstream.pid)
        manager: SyncManager | None = None
        try:
            await upgrade_to_head(engine)
            sessionmaker = create_sessionmaker(engine)
            async with sessionmaker() as session, session.begin():
                await load_demo_data(session, settings=get_settings(), upstream=False)
            if backend == "postgresql":
                # What autovacuum does to freshly loaded tables, done before the timing.
                async with engine.connect() as connection:
                    await connection.execution_options(isolation_level="AUTOCOMMIT")
                    await connection.execute(sa.text("VACUUM ANALYZE"))
            server = await server_facts(engine)
            source = SourceSettings(kind=SOURCE, base_url=upstream.url, credentials=CREDENTIALS)
            settings = Settings(  # type: ignore[call-arg]
                database_url=url, sources={SOURCE: source}, _env_file=None
            )
            clock = Clock()
            manager = SyncManager(
                settings, sessionmaker, transports={SOURCE: probes.transport}, clock=clock
            )
            page_sizes = {s.name: s.page_size for s in manager.connector(SOURCE).streams}
            probes.log.listen(engine)
            frozen = 0
            if args.gc_freeze:
                # As `hub serve` does once started (hub/app.py, lifespan): what exists by now
                # lives as long as the process, and full collections no longer walk it.
                gc.collect()
                gc.freeze()
                frozen = gc.get_freeze_count()

            say(f"  sync of {SOURCE} (page size {page_sizes[STREAM]})")
            async with planner_statistics(url, args.analyze_every) as analyzed:
                sync = await timed_run(manager, probes, full=False)
            sync["analyze_runs"] = analyzed[0]
            say(
                f"  sync: {sync['fetched']:,} fetched, {sync['rows_written']:,} written in "
                f"{sync['seconds']:.1f} s ({sync['rows_written_per_s']:,.0f} rows/s), "
                f"{sync['status']}; {sync['time']}"
            )

            say("  re-sync of the unchanged upstream (full=True)")
            clock.advance(seconds=1)
            async with planner_statistics(url, args.analyze_every) as analyzed:
                resync = await timed_run(manager, probes, full=True)
            resync["analyze_runs"] = analyzed[0]
            resync["meets_target"] = (
                resync["rows_written"] == 0
                and resync["data_table_write_statements"] == 0
                and resync["queue_rows_written"] == 0
            )
            say(
                f"  re-sync: {resync['fetched']:,} fetched, {resync['rows_written']} rows "
                f"written, {resync['data_table_write_statements']} data-table write statements, "
                f"{resync['seconds']:.1f} s; {resync['time']}"
            )
        finally:
            gc.unfreeze()
            if manager is not None:
                await manager.aclose()
            await engine.dispose()

        columns, rows = await read_back(url)
        say(f"  floor: {len(rows):,} {TABLE} rows, {args.floor_repeats} loads")
        if backend == "postgresql":
            sync_db = str(make_url(url).database)
            timings = await floor_postgres(
                sync_db, args.postgres_url, columns, rows, args.floor_repeats
            )
            method = "asyncpg copy_records_to_table into a TRUNCATEd copy of the synced database"
        else:
            timings = floor_sqlite(_sqlite_path(url), columns, rows, args.floor_repeats)
            method = "sqlite3 executemany of one INSERT, one transaction (SQLite has no COPY)"
    floor_seconds = statistics.median(timings)
    floor = {
        "method": method,
        "table": TABLE,
        "rows": len(rows),
        "seconds": round(floor_seconds, 3),
        "seconds_each": [round(t, 3) for t in timings],
        "rows_per_s": round(len(rows) / floor_seconds, 1),
    }
    ratio = sync["rows_written_per_s"] / floor["rows_per_s"]
    stream_seconds = sync["stream_seconds"].get(STREAM)
    stream_rate = sync["streams"][STREAM]["inserted"] / stream_seconds if stream_seconds else 0.0
    say(f"  floor: {floor['rows_per_s']:,.0f} rows/s; ratio {ratio:.4f}")
    return {
        "database": backend,
        "server": server,
        "records": args.records,
        "upstream_records": upstream.counts,
        "page_size": page_sizes[STREAM],
        "page_sizes": page_sizes,
        "analyze_every_seconds": args.analyze_every if backend == "postgresql" else None,
        "gc_frozen_objects": frozen,
        "sync": sync,
        "floor": floor,
        "ratio": round(ratio, 4),
        "ratio_credit_records_stream_only": round(stream_rate / floor["rows_per_s"], 4),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio >= TARGET_RATIO,
        "resync": resync,
    }


def environment() -> dict[str, Any]:
    """Where and with what the figures were taken."""
    packages = ("sqlalchemy", "asyncpg", "aiosqlite", "httpx", "uvicorn", "starlette",
                "pydantic", "tenacity")  # fmt: skip
    return {
        **benchkit.environment(packages, watched=("hub", "connectors")),
        # Other work on the machine takes CPU from the sandbox, the hub and the database alike.
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", choices=("postgresql", "sqlite", "both"), default="postgresql"
    )
    parser.add_argument(
        "--records", type=int, default=100_000, help=f"records of the {STREAM} stream"
    )
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="admin database")
    parser.add_argument(
        "--analyze-every",
        type=float,
        default=0.0,
        help="PostgreSQL: ANALYZE the source's tables every this many seconds during the timed "
        "runs, as autovacuum would on a server where it is on (default 0: leave the planner's "
        "statistics to the server)",
    )
    parser.add_argument("--floor-repeats", type=int, default=3, help="bulk loads (median taken)")
    parser.add_argument(
        "--no-gc-freeze",
        dest="gc_freeze",
        action="store_false",
        help="leave the objects made before the timed runs in the garbage collector's "
        "generations (by default they are frozen, as hub serve freezes its start-up objects; "
        "hub sync does not)",
    )
    parser.add_argument(
        "--json-out",
        type=Path,
        default=RESULTS,
        help="write the JSON document here too (default bench/results/sync_throughput.json)",
    )
    parser.add_argument("--serve-sandbox", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.records < 1 or args.floor_repeats < 1 or args.analyze_every < 0:
        parser.error("--records and --floor-repeats must be positive, --analyze-every not negative")
    return args


async def main(args: argparse.Namespace) -> int:
    # SIGTERM, like Ctrl-C, cancels the run, so that the scratch databases and the sandbox's
    # process are removed on the way out.
    main_task = asyncio.current_task()
    assert main_task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    backends = ["postgresql", "sqlite"] if args.database == "both" else [args.database]
    result: dict[str, Any] = {
        "benchmark": "sync_throughput",
        "environment": environment(),
        "options": {
            "databases": backends,
            "records": args.records,
            "source": SOURCE,
            "stream": STREAM,
            "floor_repeats": args.floor_repeats,
            "analyze_every_seconds": args.analyze_every,
            "gc_freeze": args.gc_freeze,
            "transport": "HTTP/1.1 over loopback TCP, uvicorn serving the sandbox in a child",
        },
        "runs": [],
    }
    started = time.perf_counter()
    for backend in backends:
        result["runs"].append(await run_one(backend, args))
    result["elapsed_seconds"] = round(time.perf_counter() - started, 1)
    result["environment"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    emit(result, args.json_out)
    say(f"done in {result['elapsed_seconds']} s")
    return 0


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.serve_sandbox:
        serve_sandbox(arguments.records)
        sys.exit(0)
    try:
        sys.exit(asyncio.run(main(arguments)))
    except (KeyboardInterrupt, asyncio.CancelledError):
        say("interrupted; the scratch databases were dropped")
        sys.exit(130)
