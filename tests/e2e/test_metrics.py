"""``/metrics``: what real requests, rate-limit refusals and sync runs leave in the Prometheus
metrics of the app, the bounds of the operation label, and who may scrape."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.app import create_app
from hub.config import Settings
from tests.conftest import DEMO_TODAY, ScratchDatabases
from tests.sync_world import SyncWorld, make_world

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
AppClient = Callable[..., Any]


async def scrape(client: httpx.AsyncClient, **headers: str) -> Samples:
    """Every sample of /metrics, keyed by name and labels."""
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def app_client(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> Callable[..., Any]:
    """``async with app_client(**settings) as client``: an app of its own settings."""

    def make(**options: Any) -> httpx.AsyncClient:
        settings = Settings(database_url="sqlite+aiosqlite:///:memory:", **options)
        app = create_app(
            settings, engine=engine, sessionmaker=sessionmaker, clock=lambda: DEMO_TODAY
        )
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test")

    return make


async def test_requests_are_counted_by_operation_and_outcome(
    client: httpx.AsyncClient, gql: Any
) -> None:
    """Two named queries, an unnamed one and an invalid one move the counters of their own
    labels, and the latency histogram counts each request."""
    before = await scrape(client)
    assert (
        value(before, "hub_graphql_requests_total", operation="Towns", type="query", outcome="ok")
        == 0
    )
    for _ in range(2):
        assert "errors" not in await gql("query Towns { towns { code } }")
    assert "errors" not in await gql("{ towns { code } }")
    body = await gql("query Broken { towns { nope } }")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    after = await scrape(client)
    counted = "hub_graphql_requests_total"
    assert value(after, counted, operation="Towns", type="query", outcome="ok") == 2
    assert value(after, counted, operation="anonymous", type="query", outcome="ok") == 1
    assert value(after, counted, operation="Broken", type="query", outcome="BAD_USER_INPUT") == 1
    assert value(after, "hub_graphql_request_duration_seconds_count", operation="Towns") == 2


async def test_dataloader_batches_and_the_pool_are_reported(
    client: httpx.AsyncClient, gql: Any
) -> None:
    """A nested list query sends DataLoader batches of several keys; the pool gauges are there."""
    before = await scrape(client)
    body = await gql("{ enterprises(first: 20) { nodes { uscc contracts { startsOn } } } }")
    assert "errors" not in body
    after = await scrape(client)
    batches = value(after, "hub_dataloader_batch_size_count") - value(
        before, "hub_dataloader_batch_size_count"
    )
    keys = value(after, "hub_dataloader_batch_size_sum") - value(
        before, "hub_dataloader_batch_size_sum"
    )
    assert batches >= 1 and keys >= 20
    assert ("hub_db_pool_checked_out", frozenset()) in after


async def test_a_rate_limited_request_is_counted_as_a_rejection(app_client: AppClient) -> None:
    """Over the per-IP rate, the refused request counts as a rejection of the request limit and
    as a RATE_LIMITED outcome (refused before parsing: under the operationName sent)."""
    request = {"query": "query T { towns { code } }", "operationName": "T"}
    async with app_client(rate_limit_ip="2/minute") as client:
        statuses = [(await client.post("/graphql", json=request)).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        samples = await scrape(client)
    assert value(samples, "hub_rate_limit_rejections_total", limit="request") == 1
    counted = "hub_graphql_requests_total"
    assert value(samples, counted, operation="T", type="query", outcome="RATE_LIMITED") == 1
    assert value(samples, counted, operation="T", type="query", outcome="ok") == 2


async def test_operation_names_are_bounded_labels(app_client: AppClient) -> None:
    """Beyond the cap, and for names with a long run of digits, the label is ``other``."""
    async with app_client(metrics_max_operations=2) as client:
        for name in ("A", "B", "C", "Q150627199001011234"):
            query = f"query {name} {{ towns {{ code }} }}"
            assert (await client.post("/graphql", json={"query": query})).status_code == 200
        samples = await scrape(client)
    operations = {
        dict(labels)["operation"]
        for name, labels in samples
        if name == "hub_graphql_requests_total"
    }
    assert operations == {"A", "B", "other"}
    assert (
        value(samples, "hub_graphql_requests_total", operation="other", type="query", outcome="ok")
        == 2
    )


async def test_metrics_need_the_token_when_one_is_set(app_client: AppClient) -> None:
    """With HUB_METRICS_TOKEN, /metrics answers 401 without it and 200 with it."""
    async with app_client(metrics_token="s3cret-scraper") as client:
        assert (await client.get("/metrics")).status_code == 401
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        await scrape(client, Authorization="Bearer s3cret-scraper")


async def test_production_refuses_metrics_without_a_token(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """In production /metrics stays closed (403) until HUB_METRICS_TOKEN is set."""
    settings = Settings(
        env="production",
        database_url="postgresql+asyncpg://hub@db/hub",
        pii_keys={"p1": base64.b64encode(os.urandom(32)).decode()},
        pii_index_key=base64.b64encode(os.urandom(32)).decode(),
    )
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker, check_migrations=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        response = await client.get("/metrics")
    assert response.status_code == 403 and "HUB_METRICS_TOKEN" in response.text


async def test_metrics_can_be_turned_off(app_client: AppClient) -> None:
    """With HUB_METRICS=false there is no /metrics route."""
    async with app_client(metrics=False) as client:
        assert (await client.get("/metrics")).status_code == 404


# --- sync --------------------------------------------------------------------------------------


@pytest.fixture
async def world(scratch: ScratchDatabases) -> AsyncIterator[SyncWorld]:
    world = await make_world(scratch, sources=["ordos"])
    yield world
    await world.dispose()


async def test_a_sync_run_shows_up_with_its_records_lag_and_breaker(world: SyncWorld) -> None:
    """A run triggered through GraphQL is counted by source and result, with the records it
    fetched and wrote; the source's lag and its closed breaker appear."""
    async with world.hub_client() as client:
        before = await scrape(client)
        assert ("hub_sync_lag_seconds", frozenset({("source", "ordos")})) not in before
        mutation = 'mutation { syncTrigger(source: "ordos") { __typename } }'
        response = await client.post("/graphql", json={"query": mutation})
        assert response.json()["data"]["syncTrigger"]["__typename"] == "SyncTriggerAccepted"
        await world.manager.wait()
        world.clock.advance(seconds=30)
        after = await scrape(client)
    assert value(after, "hub_sync_runs_total", source="ordos", result="SUCCEEDED") == 1
    fetched = value(after, "hub_sync_records_fetched_total", source="ordos")
    inserted = value(after, "hub_sync_records_written_total", source="ordos", change="inserted")
    assert fetched > 0 and 0 < inserted <= fetched
    assert 30 <= value(after, "hub_sync_lag_seconds", source="ordos") < 3600
    assert value(after, "hub_upstream_breaker_state", source="ordos", state="closed") == 1
    assert value(after, "hub_upstream_breaker_state", source="ordos", state="open") == 0
