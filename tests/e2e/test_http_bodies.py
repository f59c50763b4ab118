"""Bad bodies over real HTTP get a GraphQL-shaped BAD_USER_INPUT naming the problem, never a 500.

The hub is served by uvicorn on loopback: the bytes below reach it as a client would send them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.app import create_app
from hub.config import Settings
from tests.conftest import DEMO_TODAY
from tests.loopback import served

SUBSCRIPTION = "subscription { findingOpened { rule } }"


@pytest.fixture
async def hub_url(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[str]:
    settings = Settings(database_url="sqlite+aiosqlite:///:memory:")
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker, clock=lambda: DEMO_TODAY)
    async with served(app, lifespan="off") as url:
        yield url


BODIES = {
    "null": (b"null", "not null"),
    "number": (b"42", "not a number"),
    "boolean": (b"true", "not a boolean"),
    "string": (b'"x"', "not a string"),
    "invalid UTF-8": (b'{"query": "{ towns { name } }", "x": "\xff\xfe"}', "not valid UTF-8"),
    "operationName number": (
        b'{"query": "{ towns { code } }", "operationName": 5}',
        "operationName",
    ),
    "operationName object": (
        b'{"query": "{ towns { code } }", "operationName": {}}',
        "operationName",
    ),
    "variables string": (b'{"query": "{ towns { code } }", "variables": "x"}', "variables"),
    "extensions list": (b'{"query": "{ towns { code } }", "extensions": []}', "extensions"),
    "query number": (b'{"query": 7}', "query"),
    "no query": (b"{}", "query"),
    "not JSON": (b"{query", "JSON"),
    "subscription": (b'{"query": "' + SUBSCRIPTION.encode() + b'"}', "WebSocket"),
}


@pytest.mark.parametrize("name", BODIES)
async def test_a_bad_post_body_is_bad_user_input(hub_url: str, name: str) -> None:
    """Each body is refused with a GraphQL-shaped error naming the problem, with its code and
    the request id of the X-Request-ID header."""
    body, needle = BODIES[name]
    async with httpx.AsyncClient(base_url=hub_url) as client:
        response = await client.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
    assert response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/json")
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert needle in error["message"], error


async def test_a_subscription_over_get_is_bad_user_input(hub_url: str) -> None:
    """A subscription sent as a GET names the WebSocket (it is not a mutation: no 405)."""
    async with httpx.AsyncClient(base_url=hub_url) as client:
        response = await client.get("/graphql", params={"query": SUBSCRIPTION})
    [error] = response.json()["errors"]
    assert response.status_code == 200 and "WebSocket" in error["message"], error
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
