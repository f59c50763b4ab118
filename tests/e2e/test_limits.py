"""Abuse limits over HTTP (issue #4): every bomb is refused with a clear, coded error, never a 500.

Each test builds the real app with the settings it needs and talks to it through httpx's ASGI
transport; the client address of the transport stands for the caller's IP.
"""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from hub.app import create_app
from hub.config import Settings
from hub.domain.access import Principal, Role
from hub.graphql.limits import client_key
from tests.conftest import DEMO_TODAY

MakeApp = Callable[..., Starlette]

SMALL = "{ towns { code } }"
TEN_NAMES = "{ enterprises(first: 10) { nodes { name } } }"  # 1 + (1 + 10 × 1) = 12
BENCHMARK_QUERY = """query { enterprises(first: 100) { totalCount nodes {
  uscc name status
  credit { score grade records { category points validFrom validUntil } }
  contracts { startsOn endsOn selection compound { code name } }
  bids { price tender { code } }
  assessments { kind year total }
} } }"""  # QUERY of bench/enterprises_latency.py (M1)


def production_settings(**overrides: Any) -> Settings:
    """Settings of a production deployment (its database is the test's, given to create_app)."""
    keys = {
        "pii_keys": {"p1": base64.b64encode(os.urandom(32)).decode()},
        "pii_index_key": base64.b64encode(os.urandom(32)).decode(),
    }
    return Settings(
        env="production", database_url="postgresql+asyncpg://x@y/z", **{**keys, **overrides}
    )


@pytest.fixture
def make_app(engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]) -> MakeApp:
    """``make_app(production=False, **settings)``: the hub on the test's transaction."""

    def make(*, production: bool = False, **overrides: Any) -> Starlette:
        settings = (
            production_settings(**overrides)
            if production
            else Settings(database_url="sqlite+aiosqlite:///:memory:", **overrides)
        )
        return create_app(
            settings, engine=engine, sessionmaker=sessionmaker, clock=lambda: DEMO_TODAY
        )

    return make


@pytest.fixture
async def connect() -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    """``connect(app, ip="10.0.0.1")``: an HTTP client to the app from that address."""
    clients: list[httpx.AsyncClient] = []

    def open_client(app: Starlette, ip: str = "10.0.0.1") -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(ip, 40000))
        client = httpx.AsyncClient(transport=transport, base_url="http://hub.test")
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        await client.aclose()


async def post(
    client: httpx.AsyncClient, query: str, *, key: str | None = None, **kwargs: Any
) -> httpx.Response:
    """POST a document (with an API key: as that member unit); never a 500."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = await client.post("/graphql", json={"query": query, **kwargs}, headers=headers)
    assert response.status_code != 500, response.text
    return response


@pytest.fixture
async def key(api_key: Callable[[str], Awaitable[str]]) -> str:
    """An API key of 住建局, which may read compounds and enterprises' details."""
    return await api_key("zjj")


def only_error(response: httpx.Response) -> dict[str, Any]:
    """The one error of a refused request, which must carry a code and the request id."""
    body = response.json()
    assert body.get("data") is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"], error
    assert error["extensions"]["requestId"], error
    return error  # type: ignore[no-any-return]


def nested(levels: int) -> str:
    """A query 2 + 2 × ``levels`` deep: compounds, nodes, then (contract, compound) × levels."""
    body = "name"
    for _ in range(levels):
        body = f"currentContract {{ compound {{ {body} }} }}"
    return f"{{ compounds(first: 1) {{ nodes {{ {body} }} }} }}"


# --- the document: depth, aliases, tokens ---------------------------------------------------


async def test_a_deep_query_is_refused_with_the_limit(
    make_app: MakeApp, connect: Any, key: str
) -> None:
    """Deeper than HUB_MAX_DEPTH (10): BAD_USER_INPUT naming the limit; at the limit it runs."""
    client = connect(make_app())
    ok = await post(client, nested(4), key=key)  # 10 levels
    assert "errors" not in ok.json(), ok.json()
    response = await post(client, nested(5), key=key)  # 12 levels
    assert response.status_code == 200
    error = only_error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "exceeds maximum operation depth of 10" in error["message"]


async def test_an_alias_bomb_is_refused(make_app: MakeApp, connect: Any) -> None:
    """More than 30 aliases: refused before anything runs, with the count and the limit."""
    client = connect(make_app())
    bomb = "{ " + " ".join(f"a{i}: towns {{ code }}" for i in range(31)) + " }"
    error = only_error(await post(client, bomb))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "31 aliases found. Allowed: 30"
    fine = "{ " + " ".join(f"a{i}: towns {{ code }}" for i in range(30)) + " }"
    assert "errors" not in (await post(client, fine)).json()


async def test_a_token_bomb_is_refused_by_the_parser(make_app: MakeApp, connect: Any) -> None:
    """More than 5,000 tokens: the parser stops early; the error says so."""
    client = connect(make_app())
    bomb = "{ towns { " + "code " * 5_000 + "} }"
    error = only_error(await post(client, bomb))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "more than 5000 tokens" in error["message"]


# --- cost -----------------------------------------------------------------------------------


@pytest.mark.parametrize("first", [101, 1_000_000, -1], ids=["just-over", "huge", "negative"])
async def test_an_oversized_first_is_refused_before_execution(
    make_app: MakeApp, connect: Any, first: int
) -> None:
    """first outside 0…100, literal or variable: BAD_USER_INPUT from the cost step."""
    client = connect(make_app())
    literal = only_error(await post(client, f"{{ enterprises(first: {first}) {{ totalCount }} }}"))
    variable = only_error(
        await post(
            client,
            "query($n: Int!) { enterprises(first: $n) { totalCount } }",
            variables={"n": first},
        )
    )
    for error in (literal, variable):
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert f"first must be between 0 and 100, got {first}" in error["message"]


async def test_cost_over_the_maximum_names_the_cost_and_the_limit(
    make_app: MakeApp, connect: Any
) -> None:
    """Each field costs 1, a connection multiplies its nodes by first; over HUB_MAX_COST the
    error gives both numbers, and nothing runs."""
    client = connect(make_app(max_cost=11))
    error = only_error(await post(client, TEN_NAMES))
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "cost": 12,
        "maximum": 11,
        "requestId": error["extensions"]["requestId"],
    }
    assert "cost 12" in error["message"] and "11" in error["message"]


async def test_cost_uses_variables_and_the_default_page_size(
    make_app: MakeApp, connect: Any
) -> None:
    """first from a variable counts as given; without first the default page (20) counts."""
    client = connect(make_app(max_cost=21))
    query = "query($n: Int!) { enterprises(first: $n) { nodes { name } } }"
    assert "errors" not in (await post(client, query, variables={"n": 19})).json()
    assert only_error(await post(client, query, variables={"n": 20}))["extensions"]["cost"] == 22
    no_first = only_error(await post(client, "{ enterprises { nodes { name } } }"))
    assert no_first["extensions"]["cost"] == 22


async def test_the_default_limits_admit_the_benchmark_query(
    make_app: MakeApp, connect: Any, key: str
) -> None:
    """A member unit's biggest everyday query (M1's, first 100 with nested lists) is allowed."""
    body = (await post(connect(make_app()), BENCHMARK_QUERY, key=key)).json()
    assert "errors" not in body, body["errors"]
    assert len(body["data"]["enterprises"]["nodes"]) > 0


async def test_a_spent_budget_is_rate_limited_with_retry_after(
    make_app: MakeApp, connect: Any
) -> None:
    """Cost adds up per client per window; past the budget: 429, RATE_LIMITED, Retry-After."""
    app = make_app(cost_budget="30/minute")
    client = connect(app)
    assert (await post(client, TEN_NAMES)).status_code == 200  # 12
    assert (await post(client, TEN_NAMES)).status_code == 200  # 24
    response = await post(client, TEN_NAMES)  # 36 > 30
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    error = only_error(response)
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["cost"] == 12
    assert error["extensions"]["budget"] == "30/minute"
    assert "cost budget spent" in error["message"]
    # Another address has its own budget.
    assert (await post(connect(app, ip="10.0.0.2"), TEN_NAMES)).status_code == 200


# --- rates ----------------------------------------------------------------------------------


async def test_requests_over_the_ip_rate_get_429_with_retry_after(
    make_app: MakeApp, connect: Any
) -> None:
    """Anonymous callers are counted per IP; over the rate: 429 + Retry-After + RATE_LIMITED."""
    app = make_app(rate_limit_ip="3/minute")
    first, second = connect(app, ip="10.0.0.1"), connect(app, ip="10.0.0.2")
    for _ in range(3):
        assert (await post(first, SMALL)).status_code == 200
    refused = await post(first, SMALL)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    error = only_error(refused)
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] == int(refused.headers["retry-after"])
    assert "at most 3/minute" in error["message"]
    assert (await post(second, SMALL)).status_code == 200


async def test_api_clients_are_counted_per_client_not_per_ip(
    make_app: MakeApp, connect: Any, api_key: Callable[[str], Awaitable[str]]
) -> None:
    """Two member-unit systems behind one address each have their own count."""
    app = make_app(rate_limit_client="2/minute", rate_limit_ip="1/minute")
    client = connect(app)
    one, other = await api_key("zjj"), await api_key("town-150627100")

    async def as_(key: str) -> httpx.Response:
        return await client.post(
            "/graphql", json={"query": SMALL}, headers={"Authorization": f"Bearer {key}"}
        )

    assert [(await as_(one)).status_code for _ in range(3)] == [200, 200, 429]
    assert (await as_(other)).status_code == 200


def test_the_counters_key_is_the_client_when_authenticated() -> None:
    """Authenticated: the credential (or the unit); anonymous: the IP."""
    assert client_key(Principal(Role.TOWN, unit_code="t1", client="hub_ab12"), None) == (
        "client:hub_ab12"
    )
    assert client_key(Principal(Role.TOWN, unit_code="t1"), None) == "client:t1"
    assert client_key(Principal(), None) == "ip:unknown"


async def test_a_root_field_can_have_its_own_stricter_rate(make_app: MakeApp, connect: Any) -> None:
    """HUB_RATE_LIMIT_FIELDS limits operations that select a root field, per IP (ownerCredit's
    10/minute by default); other fields are not affected."""
    assert Settings().rate_limit_fields == {"ownerCredit": "10/minute"}
    client = connect(make_app(rate_limit_fields={"towns": "2/minute"}))
    assert (await post(client, SMALL)).status_code == 200
    assert (await post(client, "{ t: towns { name } }")).status_code == 200
    refused = await post(client, SMALL)
    assert refused.status_code == 429
    error = only_error(refused)
    assert error["extensions"]["field"] == "towns"
    assert error["message"].startswith("towns: at most 2/minute from one address")
    assert (await post(client, "{ enterprises(first: 1) { totalCount } }")).status_code == 200


async def test_owner_credit_has_a_stricter_per_ip_rate_by_default(
    make_app: MakeApp, connect: Any
) -> None:
    """The public self-check is limited to 10 a minute per address, whatever its answers."""
    app = make_app()
    client = connect(app, ip="10.0.0.9")
    check = '{ ownerCredit(idNumber: "150627199001011234", name: "张三") { grade } }'
    statuses = [(await post(client, check)).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    assert (await post(connect(app, ip="10.0.0.10"), check)).status_code == 200


# --- production: introspection, suggestions, masking -----------------------------------------


async def test_introspection_and_suggestions_are_off_in_production(
    make_app: MakeApp, connect: Any
) -> None:
    """Production refuses __schema/__type and cuts "Did you mean …?"; development has both."""
    production, development = connect(make_app(production=True)), connect(make_app())
    introspection = "{ __schema { types { name } } }"
    refused = (await post(production, introspection)).json()
    assert refused["data"] is None
    error = refused["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "introspection has been disabled" in error["message"]
    assert "errors" in (await post(production, '{ __type(name: "Town") { name } }')).json()
    assert "errors" not in (await post(development, introspection)).json()

    typo = "{ towns { nmae } }"
    in_production = only_error(await post(production, typo))["message"]
    in_development = only_error(await post(development, typo))["message"]
    assert "Did you mean" in in_development
    assert "Did you mean" not in in_production
    assert in_production == "Cannot query field 'nmae' on type 'Town'."
    typo_enum = "{ enterprises(orderBy: NAM) { totalCount } }"
    assert "Did you mean" not in only_error(await post(production, typo_enum))["message"]


async def test_unexpected_errors_are_masked_with_the_request_id(
    make_app: MakeApp, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug's message never reaches the client: "Internal error", INTERNAL, the request id."""
    from hub.services import jurisdictions

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("connection to db-internal-7 failed: password=hunter2")

    monkeypatch.setattr(jurisdictions, "list_towns", broken)
    response = await post(connect(make_app(production=True)), SMALL)
    assert "hunter2" not in response.text and "db-internal" not in response.text
    [error] = response.json()["errors"]
    assert error["message"] == "Internal error"
    assert error["extensions"] == {
        "code": "INTERNAL",
        "requestId": response.headers["x-request-id"],
    }


async def test_graphiqls_introspection_query_runs_in_development(
    make_app: MakeApp, connect: Any
) -> None:
    """The deep introspection query of GraphiQL is not stopped by the depth or cost limits."""
    from graphql import get_introspection_query

    body = (await post(connect(make_app()), get_introspection_query())).json()
    assert "errors" not in body, body.get("errors")


async def test_every_error_carries_the_request_id(make_app: MakeApp, connect: Any) -> None:
    """The client's X-Request-ID (when plain) is the id of its errors and of the response."""
    client = connect(make_app())
    response = await client.post(
        "/graphql", json={"query": "{ towns { nmae } }"}, headers={"X-Request-ID": "trace-42"}
    )
    assert response.headers["x-request-id"] == "trace-42"
    assert only_error(response)["extensions"]["requestId"] == "trace-42"
    wrong = await client.post("/graphql", json={"query": '{ enterprise(uscc: "nope") { name } }'})
    [error] = wrong.json()["errors"]
    assert error["extensions"]["requestId"] == wrong.headers["x-request-id"]
    odd = await client.post("/graphql", json={"query": SMALL}, headers={"X-Request-ID": "<script>"})
    assert odd.headers["x-request-id"] != "<script>"


# --- HTTP: methods, content types, size, batches ---------------------------------------------


async def test_mutations_are_never_run_over_get(make_app: MakeApp, connect: Any) -> None:
    """A mutation in a GET is refused with 405 and Allow: POST; queries over GET still work."""
    client = connect(make_app())
    response = await client.get(
        "/graphql", params={"query": 'mutation { syncTrigger(source: "ordos") { __typename } }'}
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    error = only_error(response)
    assert "mutations are not accepted over GET" in error["message"]
    query = await client.get("/graphql", params={"query": SMALL})
    assert query.status_code == 200 and len(query.json()["data"]["towns"]) == 8


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/plain",
        "text/plain;charset=UTF-8",
        None,
    ],
)
async def test_form_posts_are_refused_with_415(
    make_app: MakeApp, connect: Any, content_type: str | None
) -> None:
    """What an HTML form can send cross-site (or no type at all) is refused before parsing."""
    headers = {"content-type": content_type} if content_type else {}
    client = connect(make_app())
    response = await client.post(
        "/graphql", content=f'{{"query": "{SMALL}"}}'.encode(), headers=headers
    )
    assert response.status_code == 415
    assert "must be application/json" in only_error(response)["message"]


async def test_application_graphql_json_is_accepted(make_app: MakeApp, connect: Any) -> None:
    """The GraphQL-over-HTTP draft's media type is read as JSON."""
    response = await connect(make_app()).post(
        "/graphql",
        content=f'{{"query": "{SMALL}"}}'.encode(),
        headers={"content-type": "application/graphql+json; charset=utf-8"},
    )
    assert response.status_code == 200 and len(response.json()["data"]["towns"]) == 8


async def test_an_oversized_body_is_refused_with_413(make_app: MakeApp, connect: Any) -> None:
    """Over HUB_MAX_BODY_BYTES (100 kB): 413, whether the length is declared or streamed."""
    client = connect(make_app())
    padding = " " * 100_001
    declared = await client.post(
        "/graphql",
        content=f'{{"query": "{SMALL}{padding}"}}'.encode(),
        headers={"content-type": "application/json"},
    )
    assert declared.status_code == 413
    assert "larger than 100,000 bytes" in only_error(declared)["message"]

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ towns { code } }'
        for _ in range(11):
            yield b" " * 10_000
        yield b'"}'

    streamed = await client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    small_cap = connect(make_app(max_body_bytes=1_000))
    long_get = await small_cap.get("/graphql", params={"query": SMALL + " " * 1_001})
    assert long_get.status_code == 414


async def test_a_batch_is_refused_clearly(make_app: MakeApp, connect: Any) -> None:
    """Batching is off: a JSON array is a 400 that says to send one operation per request."""
    response = await connect(make_app()).post("/graphql", json=[{"query": SMALL}, {"query": SMALL}])
    assert response.status_code == 400
    assert "batched operations are not accepted" in only_error(response)["message"]


async def test_malformed_json_gets_a_json_error(make_app: MakeApp, connect: Any) -> None:
    """Strawberry's own refusals come back as GraphQL-shaped JSON, not plain text."""
    response = await connect(make_app()).post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert only_error(response)["extensions"]["code"] == "BAD_USER_INPUT"
