"""M5 of DESIGN.md: p50 latency with all production extensions ÷ p50 with none.

For each database (SQLite, PostgreSQL) a fresh database is migrated and loaded with the demo data
(scale 1) and an API key of 住建局 is created. Two apps are built on the same engine:

- **production**: ``HUB_ENV=production`` with every limit of ``hub.graphql.limits`` on (tokens,
  depth, aliases, no introspection, cost, per-client rate and budget, trusted documents in
  ``require`` mode with both queries registered), with rates high enough that no request of the
  benchmark is refused — they are counted, which is the work being measured — and the Prometheus
  metrics of ``hub.observability`` on (``HUB_METRICS``, the default);
- **none**: development settings with ``HUB_LIMITS_ENABLED=false``, trusted documents off and
  ``HUB_METRICS=false``.

Both authenticate the API key and check permissions: those are in the resolvers and the context,
not optional extensions, so they are in both figures (and the ratio is the cost of the limits
and the metrics). The request id and the request's log line are in both (logging is not
configured in this process, so the line is dropped at its level check). Two queries are timed: a
small one and the nested ``enterprises(first: 100)`` of M1 (``QUERY`` of
bench/enterprises_latency.py). After warm-up, N requests per app and query are timed in
alternating blocks of 10 with a full garbage collection (untimed) before each block, as M1 does.
One JSON document goes to stdout; progress to stderr.

Requests go through ``httpx.ASGITransport``, in process, not through uvicorn: over loopback
HTTP/1.1 here every request, however small, takes about 50 ms more (seemingly a Nagle / ACK wait
of the TCP connection, not work of the hub), which would hide the cost of the extensions under
the small query.

    .venv/bin/python bench/extensions_overhead.py [--database sqlite|postgresql|both]
        [--requests N] [--json-out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from benchkit import emit, say, scratch_database
from enterprises_latency import (
    BLOCK,
    DEFAULT_POSTGRES_URL,
    QUERY,
    environment,
    server_version,
    summary,
)
from sqlalchemy.ext.asyncio import AsyncSession

from hub.app import create_app
from hub.config import Settings, get_settings
from hub.demo.load import load_demo_data
from hub.domain.access import Role
from hub.services import documents, identity
from hub.store.migrate import upgrade_to_head
from hub.store.session import create_engine

SMALL_QUERY = "query Towns { towns { code name } }"
QUERIES = {"small": SMALL_QUERY, "nested": QUERY}
GENEROUS = "1000000/minute"  # counted, never reached by the benchmark


def production_settings(url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="production",
        database_url=url,
        pii_keys={"bench": base64.b64encode(os.urandom(32)).decode()},
        pii_index_key=base64.b64encode(os.urandom(32)).decode(),
        rate_limit_client=GENEROUS,
        rate_limit_ip=GENEROUS,
        cost_budget="1000000000/minute",
        trusted_documents="require",
    )


def bare_settings(url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        limits_enabled=False,
        trusted_documents="off",
        metrics=False,
    )


async def run_one(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    async with scratch_database(backend, args.postgres_url) as url:
        say(f"{backend}: migrating and loading the demo data")
        engine = create_engine(url)
        try:
            await upgrade_to_head(engine)
            async with AsyncSession(engine) as session, session.begin():
                await load_demo_data(session, settings=get_settings(), scale=1)
                key = (
                    await identity.create_client(
                        session, unit_code="zjj", role=Role.COMPETENT_DEPARTMENT
                    )
                ).key
                for text in QUERIES.values():
                    for operation in documents.split_operations(text):
                        await documents.create_document(session, operation=operation)
            if backend == "postgresql":
                async with engine.connect() as connection:
                    await connection.execution_options(isolation_level="AUTOCOMMIT")
                    await connection.execute(sa.text("VACUUM ANALYZE"))
            apps = {
                "production": create_app(production_settings(url), engine=engine),
                "none": create_app(bare_settings(url), engine=engine),
            }
            figures = await measure(apps, key, requests=args.requests, warmup=args.warmup)
            return {"database": backend, "server": await server_version(engine), **figures}
        finally:
            await engine.dispose()


async def measure(apps: dict[str, Any], key: str, *, requests: int, warmup: int) -> dict[str, Any]:
    headers = {"content-type": "application/json", "authorization": f"Bearer {key}"}
    async with (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=apps["production"]), base_url="http://production"
        ) as production,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=apps["none"]), base_url="http://none"
        ) as none,
    ):
        bases = {"production": production, "none": none}

        async def call(app: str, query: str) -> httpx.Response:
            body = json.dumps({"query": QUERIES[query]}).encode()
            response = await bases[app].post("/graphql", content=body, headers=headers)
            if response.status_code != 200 or "errors" in response.json():
                raise RuntimeError(f"{app}/{query}: HTTP {response.status_code}: {response.text}")
            return response

        result: dict[str, Any] = {}
        for query in QUERIES:
            answers = [(await call(app, query)).content for app in bases]
            if answers[0] != answers[1]:
                raise RuntimeError(f"{query}: the two apps answer differently")
            for app in bases:
                for _ in range(warmup):
                    await call(app, query)
            samples: dict[str, list[float]] = {app: [] for app in bases}
            while len(samples["none"]) < requests:
                block = min(BLOCK, requests - len(samples["none"]))
                for app, series in samples.items():
                    gc.collect()
                    for _ in range(block):
                        t0 = time.perf_counter()
                        await call(app, query)
                        series.append(time.perf_counter() - t0)
            production, none = summary(samples["production"]), summary(samples["none"])
            result[query] = {
                "production": production,
                "none": none,
                "ratio_p50": round(production["p50_ms"] / none["p50_ms"], 3),
                "response_bytes": len(answers[0]),
            }
            say(
                f"  {query}: p50 {production['p50_ms']} ms with the production extensions, "
                f"{none['p50_ms']} ms without: ratio {result[query]['ratio_p50']}"
            )
    return result


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per app")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per app")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="admin database")
    parser.add_argument("--json-out", type=Path, help="also write the JSON document here")
    args = parser.parse_args(argv)
    if args.requests < 2:
        parser.error("--requests must be at least 2")
    return args


async def main(args: argparse.Namespace) -> int:
    backends = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    started = time.perf_counter()
    result: dict[str, Any] = {
        "benchmark": "extensions_overhead",
        "queries": QUERIES,
        "environment": environment(),
        "options": {
            "databases": backends,
            "requests": args.requests,
            "warmup": args.warmup,
            "transport": "httpx.ASGITransport, in process",
        },
        "runs": [await run_one(backend, args) for backend in backends],
    }
    result["elapsed_seconds"] = round(time.perf_counter() - started, 1)
    emit(result, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
