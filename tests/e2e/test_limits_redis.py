"""With HUB_REDIS_URL the limits' counters live in Redis, so that replicas share them (DESIGN.md,
scale-out): two app instances, one count. Uses the Redis on 127.0.0.1:6379 under a key prefix of
its own, removed afterwards; skipped when no Redis answers there."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.e2e import test_limits
from tests.e2e.test_limits import MakeApp, only_error

REDIS_URL = "redis://127.0.0.1:6379/0"
make_app = test_limits.make_app
connect = test_limits.connect


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as probe:
            probe.sendall(b"PING\r\n")
            return probe.recv(16).startswith(b"+PONG")
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")


Replicas = Callable[..., tuple[Starlette, Starlette]]


@pytest.fixture
async def replicas(make_app: MakeApp) -> AsyncIterator[Replicas]:
    """``replicas(**settings)``: two instances of the hub sharing one Redis under a fresh key
    prefix, whose keys are deleted at the end."""
    made: list[Starlette] = []

    def make(**settings: Any) -> tuple[Starlette, Starlette]:
        prefix = f"hub-test-{uuid.uuid4().hex[:12]}"
        pair = (
            make_app(redis_url=REDIS_URL, limits_key_prefix=prefix, **settings),
            make_app(redis_url=REDIS_URL, limits_key_prefix=prefix, **settings),
        )
        made.extend(pair)
        return pair

    yield make
    for app in made:
        await app.state.limits.storage.reset()  # deletes the keys of the prefix


async def test_two_instances_share_the_request_count(replicas: Replicas, connect: Any) -> None:
    """Requests from one address to either replica add up: the fourth is refused by both."""
    first, second = replicas(rate_limit_ip="3/minute")
    one, two = connect(first), connect(second)
    statuses = [
        (await client.post("/graphql", json={"query": "{ towns { code } }"})).status_code
        for client in (one, two, one)
    ]
    assert statuses == [200, 200, 200]
    refused = await two.post("/graphql", json={"query": "{ towns { code } }"})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert only_error(refused)["extensions"]["code"] == "RATE_LIMITED"
    assert (await one.post("/graphql", json={"query": "{ towns { code } }"})).status_code == 429


async def test_two_instances_share_the_cost_budget(replicas: Replicas, connect: Any) -> None:
    """The budget is spent across replicas too (12 + 12 on one, then 12 more on the other)."""
    query = "{ enterprises(first: 10) { nodes { name } } }"
    first, second = replicas(cost_budget="30/minute")
    one, two = connect(first), connect(second)
    assert (await one.post("/graphql", json={"query": query})).status_code == 200
    assert (await one.post("/graphql", json={"query": query})).status_code == 200
    refused = await two.post("/graphql", json={"query": query})
    assert refused.status_code == 429
    assert "cost budget spent" in only_error(refused)["message"]
