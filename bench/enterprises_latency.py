"""M1 and M2 of DESIGN.md: latency of a nested ``enterprises(first: 100)`` against a hand-written
floor, and SQL statements per request at first = 1, 10 and 100.

For each database (SQLite, PostgreSQL) and demo scale, a fresh database is migrated and loaded
with the demo data. Then:

- M2: the nested query runs through ``httpx.ASGITransport`` on ``create_app(settings,
  engine=engine)`` while a ``before_cursor_execute`` listener on that engine counts SELECTs.
- M1: the same app, plus a bare Starlette route answering the same JSON from one hand-written SQL
  statement per relation, is served by uvicorn on a free loopback port of this process; an
  ``httpx.AsyncClient`` sends warm-up requests, then times N requests to each, in alternating
  blocks of 10. The floor's JSON must equal the GraphQL JSON before anything is timed, or the
  script exits with status 3.

One JSON document goes to stdout (and to ``--json-out``); progress goes to stderr. See
docs/performance.md for the reading of the figures.

    .venv/bin/python bench/enterprises_latency.py [--database sqlite|postgresql|both]
        [--scales 1,10] [--requests N] [--json-out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import socket
import sqlite3
import statistics
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import benchkit
import httpx
import sqlalchemy as sa
import uvicorn
from benchkit import emit, say, scratch_database
from enterprises_floor import FLOOR_PATH, first_difference, floor_route
from graphql import FieldNode, OperationDefinitionNode, SelectionSetNode, parse
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
)
from starlette.applications import Starlette

from hub.app import create_app
from hub.config import Settings, get_settings
from hub.demo.load import load_demo_data
from hub.domain.access import Role
from hub.services import identity
from hub.store.migrate import upgrade_to_head
from hub.store.session import create_engine

QUERY = """query { enterprises(first: 100) { totalCount nodes {
  uscc name status
  credit { score grade records { category points validFrom validUntil } }
  contracts { startsOn endsOn selection compound { code name } }
  bids { price tender { code } }
  assessments { kind year total }
} } }"""

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
M2_PAGE_SIZES = (1, 10, 100)
TARGET_RATIO = 3.0  # DESIGN.md, M1
EXIT_FLOOR_MISMATCH = 3
BLOCK = 10  # timed requests in a row to one target before switching to the other


class FloorMismatch(Exception):
    """The floor's JSON is not the GraphQL JSON, so comparing their latencies would be unfair."""


def query_for(first: int) -> str:
    """QUERY with another page size."""
    return QUERY.replace("enterprises(first: 100)", f"enterprises(first: {first})")


def query_depth(document: str) -> int:
    """How deeply object fields nest in the document (enterprises → nodes → credit → records)."""

    def depth(selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        nested = [s for s in selection_set.selections if isinstance(s, FieldNode)]
        return max((1 + depth(s.selection_set) for s in nested if s.selection_set), default=0)

    operation = parse(document).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return depth(operation.selection_set)


# --- databases ------------------------------------------------------------------------------


async def server_version(engine: AsyncEngine) -> str:
    if engine.dialect.name == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    async with engine.connect() as connection:
        return str((await connection.execute(sa.text("SELECT version()"))).scalar_one())


# --- measuring ------------------------------------------------------------------------------


@dataclass
class StatementCounter:
    """Counts the SELECT statements an engine runs while ``active``."""

    active: bool = False
    selects: int = 0
    others: list[str] = field(default_factory=list)

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not self.active:
            return
        if statement.lstrip().upper().startswith("SELECT"):
            self.selects += 1
        else:
            self.others.append(statement.split(None, 1)[0])


async def measure_m2(engine: AsyncEngine, settings: Settings, key: str) -> dict[str, Any]:
    """SELECTs per request at each page size, for GraphQL and for the floor.

    The GraphQL request is authenticated (``key``); the SELECTs of authenticating it, the same for
    every request, are measured with ``{ __typename }`` and counted apart.
    """
    app = create_app(settings, engine=engine)
    app.router.routes.insert(0, floor_route(engine))
    counter = StatementCounter()
    sa.event.listen(engine.sync_engine, "before_cursor_execute", counter)
    counts: dict[str, dict[str, int]] = {"graphql": {}, "floor": {}}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.bench") as client:
            auth = {"Authorization": f"Bearer {key}"}

            async def selects(path: str, body: dict[str, Any]) -> int:
                counter.active, counter.selects = True, 0
                response = await client.post(path, json=body, headers=auth)
                counter.active = False
                response.raise_for_status()
                if "errors" in response.json():
                    raise RuntimeError(f"GraphQL errors: {response.json()['errors']}")
                return counter.selects

            authentication = await selects("/graphql", {"query": "{ __typename }"})
            for first in M2_PAGE_SIZES:
                counts["graphql"][str(first)] = (
                    await selects("/graphql", {"query": query_for(first)}) - authentication
                )
                counts["floor"][str(first)] = await selects(FLOOR_PATH, {"first": first})
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", counter)
    graphql, floor = counts["graphql"], counts["floor"]
    return {
        "graphql_select_statements": graphql,
        "authentication_select_statements": authentication,
        "floor_select_statements": floor,
        "equal_across_page_sizes": len(set(graphql.values())) == 1,
        "query_depth": query_depth(QUERY),
        "other_statements_seen": sorted(set(counter.others)),
    }


def summary(samples: list[float]) -> dict[str, Any]:
    """p50, p95 and the rest of a latency series, in milliseconds."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    ms = [s * 1000 for s in (cuts[49], cuts[94], statistics.fmean(samples))]
    return {
        "n": len(samples),
        "p50_ms": round(ms[0], 2),
        "p95_ms": round(ms[1], 2),
        "mean_ms": round(ms[2], 2),
        "min_ms": round(min(samples) * 1000, 2),
        "max_ms": round(max(samples) * 1000, 2),
    }


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: Ctrl-C stops the benchmark (and its clean-up)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Any:
        yield


@contextlib.asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """Serve the app with uvicorn on a free loopback port of this process; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped during start-up")
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def measure_m1(
    engine: AsyncEngine,
    settings: Settings,
    key: str,
    *,
    requests: int,
    warmup: int,
    max_seconds: float,
) -> dict[str, Any]:
    """p50/p95 of QUERY and of the floor over real HTTP, in alternating blocks of requests."""
    app = create_app(settings, engine=engine)
    # The floor goes into the hub's own router, so both answers pass the same Starlette stack.
    app.router.routes.insert(0, floor_route(engine))
    targets = {
        "graphql": ("/graphql", json.dumps({"query": QUERY}).encode()),
        "floor": (FLOOR_PATH, json.dumps({"first": 100}).encode()),
    }
    # Both targets get the credential; only GraphQL checks it (as a member unit's system would
    # be checked in production), so GraphQL's figure includes authentication.
    headers = {"content-type": "application/json", "authorization": f"Bearer {key}"}
    async with (
        serving(app) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=120, trust_env=False) as client,
    ):

        async def call(name: str) -> httpx.Response:
            path, body = targets[name]
            response = await client.post(path, content=body, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"{name}: HTTP {response.status_code}: {response.text[:500]}")
            return response

        answers = {name: (await call(name)) for name in targets}
        decoded = {name: response.json() for name, response in answers.items()}
        if "errors" in decoded["graphql"]:
            raise RuntimeError(f"GraphQL errors: {decoded['graphql']['errors']}")
        difference = first_difference(decoded["graphql"], decoded["floor"])
        if difference is not None:
            raise FloorMismatch(difference)
        nodes = decoded["graphql"]["data"]["enterprises"]["nodes"]
        page = {
            "enterprises": len(nodes),
            "total_count": decoded["graphql"]["data"]["enterprises"]["totalCount"],
            "credit_records": sum(len(n["credit"]["records"]) for n in nodes),
            "contracts": sum(len(n["contracts"]) for n in nodes),
            "bids": sum(len(n["bids"]) for n in nodes),
            "assessments": sum(len(n["assessments"]) for n in nodes),
            "response_bytes": {name: len(r.content) for name, r in answers.items()},
            "identical_bytes": answers["graphql"].content == answers["floor"].content,
        }
        say(f"  floor JSON == GraphQL JSON ({page['response_bytes']['graphql']:,} bytes)")

        for name in targets:
            for _ in range(warmup):
                await call(name)
        # Blocks of BLOCK requests, GraphQL then floor, so that both see the same drift of a
        # shared machine. A GraphQL request leaves cyclic garbage that some later request pays to
        # collect; a full collection (untimed) before each block keeps the floor from paying
        # for GraphQL's garbage, and GraphQL still pays for its own within its blocks.
        samples: dict[str, list[float]] = {name: [] for name in targets}
        started = last_report = time.perf_counter()
        while len(samples["graphql"]) < requests:
            block = min(BLOCK, requests - len(samples["graphql"]))
            for name, series in samples.items():
                gc.collect()
                for _ in range(block):
                    t0 = time.perf_counter()
                    await call(name)
                    series.append(time.perf_counter() - t0)
            done, now = len(samples["graphql"]), time.perf_counter()
            if max_seconds and now - started > max_seconds and done < requests:
                say(f"  time budget of {max_seconds:.0f} s reached at {done} requests each")
                break
            if now - last_report > 15:
                last_report = now
                say(f"  {done}/{requests} requests each")
    graphql, floor = summary(samples["graphql"]), summary(samples["floor"])
    ratio_p50 = graphql["p50_ms"] / floor["p50_ms"]
    return {
        "graphql": graphql,
        "floor": floor,
        "ratio_p50": round(ratio_p50, 2),
        "ratio_p95": round(graphql["p95_ms"] / floor["p95_ms"], 2),
        "target_ratio_p50": TARGET_RATIO,
        "meets_target": ratio_p50 <= TARGET_RATIO,
        "requests_requested": requests,
        "stopped_by_time_budget": len(samples["graphql"]) < requests,
        "page": page,
    }


async def run_one(backend: str, scale: int, args: argparse.Namespace) -> dict[str, Any]:
    """M1 and M2 on a fresh database of one backend at one demo scale."""
    load_before = round(os.getloadavg()[0], 2)
    async with scratch_database(backend, args.postgres_url) as url:
        say(f"{backend}, scale {scale}: migrating and loading the demo data")
        engine = create_engine(url)
        try:
            started = time.perf_counter()
            await upgrade_to_head(engine)
            async with AsyncSession(engine) as session, session.begin():
                loaded = await load_demo_data(session, settings=get_settings(), scale=scale)
                # 住建局 reads enterprise details (hub.domain.access); a real API key.
                key = (
                    await identity.create_client(
                        session, unit_code="zjj", role=Role.COMPETENT_DEPARTMENT
                    )
                ).key
            if backend == "postgresql":
                # What autovacuum would do to freshly loaded tables, done now rather than in
                # the middle of the timing (statistics for the planner, visibility map).
                async with engine.connect() as connection:
                    await connection.execution_options(isolation_level="AUTOCOMMIT")
                    await connection.execute(sa.text("VACUUM ANALYZE"))
            load_seconds = time.perf_counter() - started
            say(f"  {loaded} in {load_seconds:.1f} s")
            # The per-request limits (depth, aliases, tokens, cost) stay on; the per-client
            # budget and request rates are off: the benchmark's client sends far more heavy
            # requests a minute than a member unit's system may (their cost is M5's figure).
            settings = Settings(
                database_url=url,
                cost_budget=None,
                rate_limit_client=None,
                rate_limit_ip=None,
                _env_file=None,  # type: ignore[call-arg]
            )
            m2 = await measure_m2(engine, settings, key)
            say(f"  M2: SELECTs per request {m2['graphql_select_statements']}")
            say(f"  M1: {args.requests} requests each (after {args.warmup} warm-up)")
            m1 = await measure_m1(
                engine,
                settings,
                key,
                requests=args.requests,
                warmup=args.warmup,
                max_seconds=args.max_seconds,
            )
            say(
                f"  M1: GraphQL p50 {m1['graphql']['p50_ms']} ms, floor p50 "
                f"{m1['floor']['p50_ms']} ms, ratio {m1['ratio_p50']} (p95 {m1['ratio_p95']})"
            )
            return {
                "database": backend,
                "server": await server_version(engine),
                "scale": scale,
                "rows": loaded.counts,
                "load_seconds": round(load_seconds, 1),
                "gc_tracked_objects_after": len(gc.get_objects()),
                # Other processes share the machine: a load well above 1 means they competed.
                "load_average_1min": {"start": load_before, "end": round(os.getloadavg()[0], 2)},
                "m1": m1,
                "m2": m2,
            }
        finally:
            await engine.dispose()


def environment() -> dict[str, Any]:
    """Where and with what the figures were taken."""
    packages = ("strawberry-graphql", "graphql-core", "starlette", "uvicorn", "httpx",
                "sqlalchemy", "aiosqlite", "asyncpg")  # fmt: skip
    return {**benchkit.environment(packages), "gc_thresholds": list(gc.get_threshold())}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--scales", default="1,10", help="demo scales, comma-separated")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per target")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per target")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=55.0,
        help="stop timing one database and scale after this many seconds, with fewer requests "
        "(whole blocks of 10); 0 for no limit (default 55)",
    )
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="admin database")
    parser.add_argument("--json-out", type=Path, help="also write the JSON document here")
    args = parser.parse_args(argv)
    try:
        args.scales = [int(s) for s in args.scales.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--scales must be integers separated by commas, got {args.scales!r}")
    if args.requests < 2:
        parser.error("--requests must be at least 2")
    return args


async def main(args: argparse.Namespace) -> int:
    backends = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    result: dict[str, Any] = {
        "benchmark": "enterprises_latency",
        "query": QUERY,
        "environment": environment(),
        "options": {
            "databases": backends,
            "scales": args.scales,
            "requests": args.requests,
            "warmup": args.warmup,
            "max_seconds_per_run": args.max_seconds,
            "block": BLOCK,
            "transport": "HTTP/1.1 over loopback, uvicorn in the benchmark's process",
        },
        "runs": [],
    }
    started = time.perf_counter()
    try:
        for backend in backends:
            for scale in args.scales:
                result["runs"].append(await run_one(backend, scale, args))
    except FloorMismatch as exc:
        say(f"FAILED: the floor's JSON differs from the GraphQL JSON at {exc}")
        return EXIT_FLOOR_MISMATCH
    result["elapsed_seconds"] = round(time.perf_counter() - started, 1)
    emit(result, args.json_out)
    say(f"done in {result['elapsed_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
