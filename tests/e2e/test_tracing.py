"""Optional tracing: one span per request named after the operation, a child span per SQL
statement and none per field; a clear refusal at start when the packages are missing."""

from __future__ import annotations

import importlib
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.app import create_app
from hub.config import Settings
from hub.observability import TracingUnavailable
from tests.conftest import DEMO_TODAY

QUERY = "query Nested { enterprises(first: 5) { nodes { uscc contracts { startsOn } } } }"


async def test_one_span_per_request_with_its_statements(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], api_key: Any
) -> None:
    """A nested query gives one server span named after the operation (a child of the caller's
    traceparent) and one client span per SQL statement under it, and no span per field."""
    settings = Settings(database_url="sqlite+aiosqlite:///:memory:", tracing="console")
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker, clock=lambda: DEMO_TODAY)
    exported = InMemorySpanExporter()  # beside the console exporter of HUB_TRACING=console
    app.state.tracing.provider.add_span_processor(SimpleSpanProcessor(exported))
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    headers = {
        "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01",
        "authorization": f"Bearer {await api_key('zjj')}",
    }
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        response = await client.post("/graphql", json={"query": QUERY}, headers=headers)
    assert response.status_code == 200 and "errors" not in response.json()
    spans = exported.get_finished_spans()
    [server] = [span for span in spans if span.kind is SpanKind.SERVER]
    assert server.name == "query Nested"
    assert format(server.context.trace_id, "032x") == trace_id
    assert server.attributes["graphql.operation.name"] == "Nested"
    assert server.attributes["hub.outcome"] == "ok"
    assert server.attributes["http.response.status_code"] == 200
    statements = [span for span in spans if span.kind is SpanKind.CLIENT]
    assert statements and all(span.parent.span_id == server.context.span_id for span in statements)
    assert any("enterprises" in span.attributes["db.statement"] for span in statements)
    assert len(spans) == 1 + len(statements)  # nothing per field


async def test_tracing_without_its_packages_is_refused_at_start(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """HUB_TRACING=otlp without the OTLP exporter installed: the app is not built, and the
    error names the extra to install."""
    try:
        importlib.import_module("opentelemetry.exporter.otlp.proto.http.trace_exporter")
    except ImportError:
        pass  # as in the dev extra: the SDK without the exporter
    else:
        pytest.skip("the otel extra is installed here")
    settings = Settings(
        database_url="sqlite+aiosqlite:///:memory:",
        tracing="otlp",
        otel_endpoint="http://127.0.0.1:4318/v1/traces",
    )
    with pytest.raises(TracingUnavailable, match=r"\[otel\]"):
        create_app(settings, engine=engine, sessionmaker=sessionmaker)


def test_otlp_needs_an_endpoint() -> None:
    """HUB_TRACING=otlp without HUB_OTEL_ENDPOINT is refused with the setting's name."""
    from hub.observability.tracing import setup_tracing

    with pytest.raises(TracingUnavailable, match="HUB_OTEL_ENDPOINT"):
        setup_tracing(Settings(database_url="sqlite+aiosqlite:///:memory:", tracing="otlp"))
