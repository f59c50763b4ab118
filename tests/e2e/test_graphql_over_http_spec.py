"""The GraphQL-over-HTTP specification's own audit, run against the hub over real HTTP.

``tests/spec`` is a small npm project holding the ``graphql-http`` package, whose
``serverAudits`` are the specification's conformance checks (MUST, SHOULD and MAY); its
``audit.mjs`` runs all of them against a URL and prints the results as JSON. Here a hub is served
by uvicorn on loopback, in development and in production, and every MUST and SHOULD audit must
pass (a failed MAY is printed, not counted).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.app import create_app
from hub.config import Settings
from tests.conftest import DEMO_TODAY
from tests.e2e.test_production_mode import PRODUCTION_PII_KEYS
from tests.loopback import served

SPEC = Path(__file__).resolve().parents[1] / "spec"
AUDIT = SPEC / "audit.mjs"
CSRF = "X-GraphQL-CSRF: 1"
"""The header a configured client (the console, a member unit's system) adds to its requests."""

Audit = dict[str, Any]

INTROSPECTION_AUDITS = {"28B9", "2EA1"}
"""The audits of a map of variables: their query is ``__type(name: $name)``, an introspection,
which a production hub refuses like any other (issue #12; graphql-cop's check). They are held to
pass in development, and in production to fail for that reason alone."""


def _node() -> str:
    node = shutil.which("node")
    if node is None or not (SPEC / "node_modules" / "graphql-http").is_dir():
        pytest.fail(
            "the GraphQL-over-HTTP audit needs Node.js and its package: run "
            "`npm ci --prefix tests/spec` (make test does)",
            pytrace=False,
        )
    return node


async def run_audits(url: str, *, headers: Sequence[str] = ()) -> list[Audit]:
    """Every audit of graphql-http against ``url``, each {id, name, status, reason, response}."""
    arguments = [str(AUDIT), url]
    for header in headers:
        arguments += ["--header", header]
    process = await asyncio.create_subprocess_exec(
        _node(),
        *arguments,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(120):
        stdout, stderr = await process.communicate()
    assert process.returncode in (0, 1), stderr.decode()
    results: list[Audit] = json.loads(stdout)
    for result in results:  # the whole table in the test's output, MAY audits included
        print(f"{result['status']:>6}  {result['id']}  {result['name']}", file=sys.stderr)
    return results


def failed_requirements(results: list[Audit]) -> list[Audit]:
    """The failed MUST ("error") and SHOULD ("warn") audits."""
    return [result for result in results if result["status"] in ("error", "warn")]


def _app(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> Any:
    return create_app(settings, engine=engine, sessionmaker=sessionmaker, clock=lambda: DEMO_TODAY)


@pytest.fixture
def development(engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]) -> Any:
    return _app(engine, sessionmaker, Settings(database_url="sqlite+aiosqlite:///:memory:"))


@pytest.fixture
def production(engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]) -> Any:
    settings = Settings(
        env="production", database_url="postgresql+asyncpg://x@y/z", **PRODUCTION_PII_KEYS
    )
    return _app(engine, sessionmaker, settings)


async def test_a_development_hub_passes_every_must_and_should_audit(development: Any) -> None:
    """graphql-http's serverAudits against a development hub: no MUST or SHOULD fails, nor
    (today) any MAY."""
    async with served(development, lifespan="off") as base:
        results = await run_audits(f"{base}/graphql")
    assert len(results) > 50
    assert failed_requirements(results) == []
    assert [result for result in results if result["status"] != "ok"] == []


async def test_a_production_hub_passes_every_must_and_should_audit(production: Any) -> None:
    """The same audits against a production hub, as a configured client that sends the CSRF
    header: no MUST or SHOULD fails but the two whose query is an introspection, which
    production refuses by policy (and which the development hub passes)."""
    async with served(production, lifespan="off") as base:
        results = await run_audits(f"{base}/graphql", headers=[CSRF])
    failed = {result["id"]: result for result in failed_requirements(results)}
    assert failed.keys() == INTROSPECTION_AUDITS, failed
    for result in failed.values():
        body = json.loads(result["response"]["body"])
        [error] = body["errors"]
        assert error["message"].startswith("GraphQL introspection has been disabled"), body
        assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_production_hub_refuses_a_get_without_the_csrf_header(production: Any) -> None:
    """Without the header (a cross-site form or image could send such a GET) the production hub
    refuses the GET operation with a 4xx and a coded error, and runs nothing."""
    async with served(production, lifespan="off") as base, httpx.AsyncClient() as client:
        refused = await client.get(f"{base}/graphql", params={"query": "{ __typename }"})
        allowed = await client.get(
            f"{base}/graphql", params={"query": "{ __typename }"}, headers={"X-GraphQL-CSRF": "1"}
        )
    assert refused.status_code == 400
    [error] = refused.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "X-GraphQL-CSRF" in error["message"]
    assert "data" not in refused.json()
    assert allowed.status_code == 200
    assert allowed.json() == {"data": {"__typename": "Query"}}
