"""Load test of issue #7 and M4 of DESIGN.md: N concurrent clients against `hub serve` on
PostgreSQL for a fixed time, and requests/s of a small query ÷ a bare Starlette JSON route.

A scratch PostgreSQL database is migrated and loaded with the demo data (scale 1); API keys are
made for 住建局 (reads) and for a community unit (ledger writes). Then two servers are started as
subprocesses on free loopback ports, each uvicorn with one process (h11, asyncio): `hub serve`
(JSON logs at INFO to a file, metrics on, every abuse limit on with rates high enough that the
benchmark is counted, not refused) and the bare app of bench/load/bare_app.py. This process is
the load generator (bench/load/loadkit.py: keep-alive connections, one per client).

- **M4**: the small query ``query Towns { towns { code name } }`` against the hub and the bare
  route answering the same bytes, in alternating phases (bare, hub, bare, hub), with the same
  number of clients; the ratio of the requests per second.
- **Mix**: each client repeats a weighted mix: an enterprise's profile by USCC (40 %), a list of
  enterprises (15 %) or compounds (15 %), and ledger writes (30 %): ``ledgerItemCreate``, then
  ``ledgerItemTransition`` ACCEPT and START of the items it created. Reported: throughput,
  p50/p95/p99 overall and per kind, errors (HTTP status not 200, a GraphQL error, or a mutation
  payload other than its success); the target is zero errors.

Afterwards /metrics of the hub is read: its request counts by outcome, the rate-limit rejections
and the pool, as a cross-check of the figures (and of the metrics under load). One JSON document
goes to stdout (and ``--json-out``), progress to stderr.

    .venv/bin/python bench/load/run.py [--clients 16] [--seconds 30] [--m4-seconds 10]
        [--json-out bench/results/load.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchkit, beside this folder

import httpx
import sqlalchemy as sa
from benchkit import emit, environment, postgres_database, say
from loadkit import Connection, Step, Tally, run_clients, summary, timed_post
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncSession

from hub.config import get_settings
from hub.demo.load import load_demo_data
from hub.domain.access import Role
from hub.services import identity
from hub.store.migrate import upgrade_to_head
from hub.store.session import create_engine

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
COMMUNITY = "community-150627100001"
GENEROUS = "100000000/minute"  # counted, never reached
SMALL = "query Towns { towns { code name } }"
PROFILE = """query Profile($uscc: String!) { enterprise(uscc: $uscc) {
  uscc name status credit { score grade }
  contracts { startsOn endsOn compound { code name } } } }"""
ENTERPRISES = """query Enterprises { enterprises(first: 20) {
  totalCount nodes { uscc name credit { grade } } } }"""
COMPOUNDS = "query Compounds { compounds(first: 20) { totalCount nodes { code name households } } }"
CREATE = """mutation Report($c: ID!) { ledgerItemCreate(compoundId: $c, title: "楼道堆放杂物",
  channel: COMPLAINT, category: SANITATION, severity: LOW) {
  __typename ... on LedgerItemSuccess { item { id status } } } }"""
STEP = """mutation Step($id: ID!, $a: LedgerAction!) { ledgerItemTransition(id: $id, action: $a) {
  __typename ... on LedgerItemSuccess { item { id status } } } }"""
MIX = (("profile", 40), ("enterprises", 15), ("compounds", 15), ("ledger_write", 30))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def server(argv: list[str], env: dict[str, str], log: Path) -> AsyncIterator[int]:
    """A server subprocess on a free port (``{port}`` in argv), ready when /healthz-like
    connection succeeds; stopped (SIGTERM, then killed) afterwards. Yields the port."""
    port = free_port()
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            *(part.replace("{port}", str(port)) for part in argv),
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(300):
                if process.returncode is not None:
                    raise RuntimeError(f"{argv[0]} exited: {tail(log)}")
                with contextlib.suppress(OSError):
                    _, writer = await asyncio.open_connection(HOST, port)
                    writer.close()
                    break
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError(f"{argv} did not listen on {port}")
            yield port
        finally:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout=15)
            except TimeoutError:
                process.kill()
                await process.wait()


def tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-2000:]


def log_figures(log: Path) -> dict[str, Any]:
    """Lines of the hub's log: request lines, and warnings or errors (there should be none)."""
    lines = log.read_text(encoding="utf-8").splitlines()
    requests = [line for line in lines if '"logger": "hub.request"' in line]
    problems = [
        line for line in lines if '"level": "error"' in line or '"level": "warning"' in line
    ]
    return {
        "lines": len(lines),
        "request_lines": len(requests),
        "warnings_and_errors": len(problems),
        "examples": problems[:3],
    }


def hub_env(url: str) -> dict[str, str]:
    return {
        "HUB_DATABASE_URL": url,
        "HUB_LOG_FORMAT": "json",
        "HUB_LOG_LEVEL": "INFO",
        "HUB_RATE_LIMIT_CLIENT": GENEROUS,
        "HUB_RATE_LIMIT_IP": GENEROUS,
        "HUB_COST_BUDGET": "100000000000/minute",
        "HUB_METRICS": "true",
        "HUB_SCHEDULER": "false",
    }


async def prepare(url: str) -> dict[str, str]:
    """Migrate and load the demo data; the two API keys."""
    engine = create_engine(url)
    try:
        await upgrade_to_head(engine)
        async with AsyncSession(engine) as session, session.begin():
            await load_demo_data(session, settings=get_settings(), scale=1)
            reader = await identity.create_client(
                session, unit_code="zjj", role=Role.COMPETENT_DEPARTMENT
            )
            unit = await identity.get_unit_or_raise(session, code=COMMUNITY)
            writer = await identity.create_client(
                session, unit_code=COMMUNITY, role=Role(unit.role.value)
            )
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(sa.text("VACUUM ANALYZE"))
        return {"reader": reader.key, "writer": writer.key}
    finally:
        await engine.dispose()


async def graphql(port: int, key: str, query: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}") as client:
        response = await client.post(
            "/graphql", json={"query": query}, headers={"authorization": f"Bearer {key}"}
        )
    body: dict[str, Any] = response.json()
    if "errors" in body:
        raise RuntimeError(f"setup query failed: {body['errors']}")
    return body["data"]  # type: ignore[no-any-return]


def mix_step(keys: dict[str, str], usccs: list[str], compounds: list[str], seed: int) -> Step:
    """One client of the mix: its own random sequence and its own open ledger items."""
    rng = random.Random(seed)
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    reader = {"authorization": f"Bearer {keys['reader']}"}
    writer = {"authorization": f"Bearer {keys['writer']}"}
    open_items: list[tuple[str, str]] = []  # (item id, its next action)

    def body(query: str, **variables: Any) -> bytes:
        return json.dumps({"query": query, "variables": variables}).encode()

    async def step(connection: Connection, tally: Tally) -> None:
        kind = rng.choice(kinds)
        if kind == "profile":
            payload = body(PROFILE, uscc=rng.choice(usccs))
            await timed_post(connection, tally, kind, "/graphql", payload, reader, decode=False)
        elif kind == "enterprises":
            await timed_post(connection, tally, kind, "/graphql", body(ENTERPRISES), reader)
        elif kind == "compounds":
            await timed_post(connection, tally, kind, "/graphql", body(COMPOUNDS), reader)
        elif open_items:
            item, action = open_items.pop(0)
            answer = await timed_post(
                connection,
                tally,
                "ledger_transition",
                "/graphql",
                body(STEP, id=item, a=action),
                writer,
            )
            if answer is not None:
                result = answer["data"]["ledgerItemTransition"]
                if result["__typename"] != "LedgerItemSuccess":
                    tally.error("ledger_transition", json.dumps(result, ensure_ascii=False))
                elif action == "ACCEPT":
                    open_items.append((item, "START"))
        else:
            payload = body(CREATE, c=rng.choice(compounds))
            answer = await timed_post(
                connection, tally, "ledger_create", "/graphql", payload, writer
            )
            if answer is not None:
                result = answer["data"]["ledgerItemCreate"]
                if result["__typename"] != "LedgerItemSuccess":
                    tally.error("ledger_create", json.dumps(result, ensure_ascii=False))
                else:
                    open_items.append((result["item"]["id"], "ACCEPT"))

    return step


def small_step(path: str, key: str) -> Step:
    payload = json.dumps({"query": SMALL}).encode()
    headers = {"authorization": f"Bearer {key}"}

    async def step(connection: Connection, tally: Tally) -> None:
        await timed_post(connection, tally, "small", path, payload, headers, decode=False)

    return step


async def metrics_of(port: int) -> dict[str, Any]:
    """The hub's own count of the requests, by outcome, and the rejections and pool gauges."""
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}") as client:
        text = (await client.get("/metrics")).text
    outcomes: dict[str, float] = {}
    other: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "hub_graphql_requests_total":
                outcome = sample.labels["outcome"]
                outcomes[outcome] = outcomes.get(outcome, 0) + sample.value
            elif sample.name in (
                "hub_rate_limit_rejections_total",
                "hub_db_pool_size",
                "hub_db_pool_checked_out",
                "hub_dataloader_batch_size_count",
            ):
                other[sample.name] = other.get(sample.name, 0) + sample.value
    return {"requests_by_outcome": outcomes, **other}


async def main(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    result: dict[str, Any] = {
        "benchmark": "load",
        "environment": environment(["starlette", "uvicorn", "strawberry-graphql", "asyncpg"]),
        "options": {
            "clients": args.clients,
            "seconds": args.seconds,
            "m4_seconds_per_phase": args.m4_seconds,
            "mix": dict(MIX),
            "server": "hub serve (uvicorn, 1 process, h11, asyncio), JSON logs at INFO to a file",
        },
    }
    result["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
    async with postgres_database(args.postgres_url, prefix="bench_load") as url:
        say("migrating and loading the demo data into a scratch PostgreSQL database")
        keys = await prepare(url)
        with tempfile.TemporaryDirectory(prefix="hub-load-") as folder:
            logs = Path(folder)
            hub_argv = [str(ROOT / ".venv/bin/hub"), "serve", "--port", "{port}"]
            async with server(hub_argv, hub_env(url), logs / "hub.log") as hub_port:
                data = await graphql(
                    hub_port, keys["reader"], "{ enterprises(first: 100) { nodes { uscc } } }"
                )
                usccs = [node["uscc"] for node in data["enterprises"]["nodes"]]
                data = await graphql(
                    hub_port, keys["writer"], "{ compounds(first: 20) { nodes { id } } }"
                )
                compounds = [node["id"] for node in data["compounds"]["nodes"]]
                async with httpx.AsyncClient(base_url=f"http://{HOST}:{hub_port}") as client:
                    small = await client.post(
                        "/graphql",
                        json={"query": SMALL},
                        headers={"authorization": f"Bearer {keys['reader']}"},
                    )
                answer = logs / "small.json"
                answer.write_bytes(small.content)
                bare_argv = [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bare_app:app",
                    "--app-dir",
                    "bench/load",
                    "--host",
                    HOST,
                    "--port",
                    "{port}",
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ]
                bare_env = {"BARE_BODY_FILE": str(answer)}
                async with server(bare_argv, bare_env, logs / "bare.log") as bare_port:
                    result["m4"] = await measure_m4(args, keys, hub_port, bare_port)
                say(f"mix: {args.clients} clients for {args.seconds} s")
                steps = {i: mix_step(keys, usccs, compounds, seed=i) for i in range(args.clients)}
                tally, elapsed = await run_clients(
                    host=HOST,
                    port=hub_port,
                    clients=args.clients,
                    seconds=args.seconds,
                    step=lambda i: steps[i],
                )
                result["mix"] = summary(tally, elapsed)
                result["hub_metrics"] = await metrics_of(hub_port)
            result["hub_log"] = log_figures(logs / "hub.log")
    mix = result["mix"]
    say(
        f"mix: {mix['requests_per_second']} requests/s, p50 {mix.get('p50_ms')} ms, "
        f"p95 {mix.get('p95_ms')} ms, p99 {mix.get('p99_ms')} ms, errors {mix['errors']}"
    )
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    result["elapsed_seconds"] = round(time.perf_counter() - started, 1)
    emit(result, args.json_out)
    return 0 if mix["errors"] == 0 and result["m4"]["errors"] == 0 else 1


async def measure_m4(
    args: argparse.Namespace, keys: dict[str, str], hub_port: int, bare_port: int
) -> dict[str, Any]:
    """Alternating phases of the small query: bare, hub, bare, hub."""
    tallies: dict[str, list[tuple[Tally, float]]] = {"hub": [], "bare": []}
    for target in ("bare", "hub", "bare", "hub"):
        port, path = (hub_port, "/graphql") if target == "hub" else (bare_port, "/bare")
        say(f"M4: {target}, {args.clients} clients for {args.m4_seconds} s")
        tallies[target].append(
            await run_clients(
                host=HOST,
                port=port,
                clients=args.clients,
                seconds=args.m4_seconds,
                step=lambda _i, path=path: small_step(path, keys["reader"]),
            )
        )
    figures = {}
    for target, runs in tallies.items():
        merged = Tally()
        for tally, _ in runs:
            for kind, samples in tally.latencies.items():
                merged.latencies.setdefault(kind, []).extend(samples)
            merged.errors.update(tally.errors)
            merged.examples.extend(tally.examples)
        figures[target] = summary(merged, sum(elapsed for _, elapsed in runs))
    ratio = figures["hub"]["requests_per_second"] / figures["bare"]["requests_per_second"]
    say(
        f"M4: hub {figures['hub']['requests_per_second']} requests/s, bare "
        f"{figures['bare']['requests_per_second']} requests/s: ratio {ratio:.3f}"
    )
    return {
        "query": SMALL,
        "hub": figures["hub"],
        "bare": figures["bare"],
        "ratio_requests_per_second": round(ratio, 3),
        "errors": figures["hub"]["errors"] + figures["bare"]["errors"],
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=30, help="length of the mix")
    parser.add_argument("--m4-seconds", type=float, default=10, help="length of each M4 phase")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="admin database")
    parser.add_argument("--json-out", type=Path, help="also write the JSON document here")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
