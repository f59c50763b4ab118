"""The checks of a public GraphQL security auditor (graphql-cop), each against a production hub
served over real HTTP.

One row per check of the auditor, sent as the auditor sends it (its operation is ``query cop``),
with what a hardened endpoint must answer. Every answer, whatever the check, must also be free of
server errors, stack traces, tracing or debug extensions and "Did you mean" suggestions. The
limits themselves (their numbers, development mode, ASGI transport) are tested in
tests/e2e/test_limits.py; here is the auditor's view of production.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.app import create_app
from hub.config import Settings
from tests.conftest import DEMO_TODAY
from tests.e2e.test_production_mode import PRODUCTION_PII_KEYS
from tests.loopback import served

Send = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]
LEAKS = re.compile(r"Traceback|File \"|stacktrace|exception|Did you mean", re.IGNORECASE)


def query(document: str, **extra: Any) -> Send:
    """POST a document as the auditor does (application/json, no Accept, no credential)."""
    return lambda client: client.post("/graphql", json={"query": document, **extra})


def post_as(content_type: str, body: str) -> Send:
    return lambda client: client.post(
        "/graphql", content=body.encode(), headers={"content-type": content_type}
    )


def get(document: str | None, **headers: str) -> Send:
    params = {"query": document} if document is not None else {}
    return lambda client: client.get("/graphql", params=params, headers=headers)


def refused(status: int, message: str) -> Callable[[httpx.Response], None]:
    """The answer is one coded error whose message holds ``message``, and nothing ran."""

    def check(response: httpx.Response) -> None:
        assert response.status_code == status, response.text
        body = response.json()
        assert isinstance(body, dict), body
        assert body.get("data") is None, body
        [error] = body["errors"]
        assert message in error["message"], error
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert error["extensions"]["requestId"] == response.headers["x-request-id"]

    return check


def answered(data: dict[str, Any]) -> Callable[[httpx.Response], None]:
    """The answer is exactly this data: no error, no extensions (no tracing, no debug)."""

    def check(response: httpx.Response) -> None:
        assert response.status_code == 200, response.text
        assert response.json() == {"data": data}

    return check


def at_most_one_operation(response: httpx.Response) -> None:
    """Not a batch: of a document's operations (aliased ``a`` and ``b``) one runs at most."""
    assert response.status_code == 200, response.text
    data = response.json().get("data") or {}
    assert len(data.keys() & {"a", "b"}) <= 1, data


def no_ide(response: httpx.Response) -> None:
    """No IDE page: a JSON refusal (the hub answers JSON only, in production)."""
    assert response.status_code in (404, 406), response.text
    assert "graphiql" not in response.text.lower()
    assert response.headers["content-type"].startswith("application/json")


@dataclass(frozen=True)
class Check:
    """One check of the auditor: what it sends, and what a hardened hub answers."""

    id: str
    title: str
    send: Send
    holds: Callable[[httpx.Response], None]


COP = "query cop"
CHECKS = [
    Check(
        "alias-overloading",
        "Alias Overloading (101 aliases)",
        query(f"{COP} {{ " + " ".join(f"alias{i}:__typename" for i in range(101)) + " }"),
        refused(200, "101 aliases found. Allowed: 30"),
    ),
    Check(
        "array-batching",
        "Array-based Query Batching",
        lambda client: client.post("/graphql", json=[{"query": f"{COP} {{ __typename }}"}] * 10),
        refused(400, "batched operations are not accepted"),
    ),
    Check(
        "operation-batching",
        "Several operations in one document, no operationName: one runs at most",
        query("query a { a: __typename } query b { b: __typename }"),
        lambda response: at_most_one_operation(response),
    ),
    Check(
        "operation-batching-named",
        "Several operations in one document: only the one named runs",
        query("query a { a: __typename } query b { b: __typename }", operationName="b"),
        answered({"b": "Query"}),
    ),
    Check(
        "directive-overloading",
        "Directive Overloading (ten unknown directives)",
        query(f"{COP} {{ __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }}"),
        refused(200, "Unknown directive '@aa' (10 times)."),
    ),
    Check(
        "directive-overloading-known",
        "Directive Overloading (a known directive repeated)",
        query(f"{COP} {{ __typename" + " @include(if: true)" * 10 + " }"),
        refused(200, "The directive '@include' can only be used once at this location"),
    ),
    Check(
        "directive-overloading-many",
        "Directive Overloading (more than HUB_MAX_DIRECTIVES)",
        query(
            f"{COP} {{ "
            + " ".join(f"a{i}: __typename @skip(if: false) @include(if: true)" for i in range(26))
            + " }"
        ),
        refused(200, "52 directives found. Allowed: 50"),
    ),
    Check(
        "field-duplication",
        "Field Duplication (500 × __typename)",
        query(f"{COP} {{ " + "__typename \n" * 500 + "}"),
        refused(200, "the field '__typename' is selected 500 times in one selection. Allowed: 20"),
    ),
    Check(
        "introspection-schema",
        "Introspection Query (__schema)",
        query(f"{COP} {{ __schema {{ types {{ name fields {{ name }} }} }} }}"),
        refused(200, "GraphQL introspection has been disabled"),
    ),
    Check(
        "introspection-type",
        "Introspection Query (__type)",
        query(f'{COP} {{ __type(name: "Query") {{ fields {{ name }} }} }}'),
        refused(200, "GraphQL introspection has been disabled"),
    ),
    Check(
        "introspection-circular",
        "Introspection-based Circular Query",
        query(
            f"{COP} {{ __schema {{ types {{ fields {{ type {{ fields {{ type {{ fields "
            "{ type { name } } } } } } } } }"
        ),
        refused(200, "GraphQL introspection has been disabled"),
    ),
    Check("graphiql", "GraphQL IDE (GraphiQL)", get(None, accept="text/html"), no_ide),
    Check(
        "get-csrf",
        "GET Method Query Support (possible CSRF)",
        get(f"{COP} {{ __typename }}"),
        refused(400, "must carry the header X-GraphQL-CSRF"),
    ),
    Check(
        "get-mutation",
        "Mutation is allowed over GET (possible CSRF)",
        get("mutation cop { __typename }", **{"X-GraphQL-CSRF": "1"}),
        refused(405, "mutations are not accepted over GET"),
    ),
    Check(
        "post-urlencoded-csrf",
        "POST based url-encoded query (possible CSRF)",
        post_as("application/x-www-form-urlencoded", "query=query+cop+%7B__typename%7D"),
        refused(415, "must be application/json"),
    ),
    Check(
        "post-text-plain-csrf",
        "POST of text/plain (a form's other encoding)",
        post_as("text/plain", json.dumps({"query": f"{COP} {{ __typename }}"})),
        refused(415, "must be application/json"),
    ),
    Check(
        "post-multipart-csrf",
        "POST of multipart/form-data (a form's file encoding)",
        post_as(
            "multipart/form-data; boundary=x",
            '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n'
            "query cop { __typename }\r\n--x--\r\n",
        ),
        refused(415, "must be application/json"),
    ),
    Check(
        "trace-mode",
        "Trace Mode (extensions.tracing)",
        query(f"{COP} {{ __typename }}"),
        answered({"__typename": "Query"}),
    ),
    Check(
        "field-suggestions",
        "Field Suggestions",
        query(f"{COP} {{ towns {{ nmae }} }}"),
        refused(200, "Cannot query field 'nmae' on type 'Town'."),
    ),
    Check(
        "unhandled-errors",
        "Unhandled Errors (a malformed document)",
        query(f"{COP} {{ __typename {{}}"),
        refused(200, "Syntax Error"),
    ),
    Check(
        "unhandled-errors-json",
        "Unhandled Errors (a malformed body)",
        post_as("application/json", '{"query": "query cop { __typename }'),
        refused(400, "JSON"),
    ),
]


@pytest.fixture
def production(engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]) -> Any:
    """A production hub (HUB_ENV=production, its own personal-data keys) on the test database."""
    settings = Settings(
        env="production", database_url="postgresql+asyncpg://x@y/z", **PRODUCTION_PII_KEYS
    )
    return create_app(settings, engine=engine, sessionmaker=sessionmaker, clock=lambda: DEMO_TODAY)


@pytest.mark.parametrize("check", CHECKS, ids=[check.id for check in CHECKS])
async def test_a_production_hub_holds_against_the_auditors_check(
    production: Any, check: Check
) -> None:
    """The auditor's check finds nothing: the hub answers as a hardened endpoint, never with a
    server error, a stack trace, tracing or debug details, nor a suggestion of names."""
    async with (
        served(production, lifespan="off") as base,
        httpx.AsyncClient(base_url=base) as client,
    ):
        response = await check.send(client)
    assert response.status_code < 500, response.text
    assert not LEAKS.search(response.text), response.text
    body = response.json()
    assert "tracing" not in (body.get("extensions") or {}), body
    check.holds(response)


async def test_the_console_sends_the_csrf_header(production: Any) -> None:
    """The console's GraphQL client (api.js, served by the hub) sends X-GraphQL-CSRF with every
    request, so that it passes the production hub's rule whatever method it uses."""
    async with (
        served(production, lifespan="off") as base,
        httpx.AsyncClient(base_url=base) as client,
    ):
        script = await client.get("/console/static/api.js")
    assert script.status_code == 200
    assert '"X-GraphQL-CSRF": "1"' in script.text
