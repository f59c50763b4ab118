"""Optional OpenTelemetry tracing (``HUB_TRACING``): one span per HTTP request, named after the
GraphQL operation once it is known, and one child span per SQL statement. No span per field: a
large answer resolves thousands of fields, and their spans would cost more than the fields.

``HUB_TRACING=otlp`` exports to ``HUB_OTEL_ENDPOINT`` (OTLP over HTTP, e.g.
``http://collector:4318/v1/traces``); ``console`` prints the spans (development). The packages are
the optional extra ``otel`` (``pip install 'ejin-horo-property-hub[otel]'``); when tracing is on
and they are missing, ``setup_tracing`` refuses at start with ``TracingUnavailable``, naming the
extra. Each app has a tracer provider of its own (not OpenTelemetry's global one), so that apps
built in one process do not share exporters. An incoming W3C ``traceparent`` header is honoured.

Spans carry the operation's name and type, the outcome and the HTTP status, and a statement's SQL
text with its placeholders (never the bound values, which may be personal data).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Scope

if TYPE_CHECKING:
    from hub.config import Settings
    from hub.observability.requests import RequestNote

EXTRA = "pip install 'ejin-horo-property-hub[otel]'"
_SPANS_KEY = "hub_otel_spans"


class TracingUnavailable(RuntimeError):
    """Tracing is asked for but cannot be set up (a package or a setting is missing)."""


class Tracing:
    """The tracer of one app, and the hooks that make its spans."""

    def __init__(self, provider: Any) -> None:
        from opentelemetry import trace
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

        self.provider = provider
        self.tracer = provider.get_tracer("hub")
        self._trace = trace
        self._propagator = TraceContextTextMapPropagator()

    def request_span(self, scope: Scope) -> contextlib.AbstractContextManager[Any]:
        """The span of one HTTP request (a child of the caller's ``traceparent`` if sent)."""
        carrier = {
            key.decode("latin-1"): value.decode("latin-1")
            for key, value in scope["headers"]
            if key in (b"traceparent", b"tracestate")
        }
        parent = self._propagator.extract(carrier) if carrier else None
        method, path = scope.get("method", "GET"), scope.get("path", "")
        span: contextlib.AbstractContextManager[Any] = self.tracer.start_as_current_span(
            f"{method} {path}",
            context=parent,
            kind=self._trace.SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": path},
        )
        return span

    def finish(self, span: Any, *, status: int, note: RequestNote) -> None:
        """Name the span after the operation and record how the request ended."""
        span.set_attribute("http.response.status_code", status)
        if note.outcome is not None:
            operation = note.operation or "anonymous"
            span.update_name(f"{note.kind} {operation}")
            span.set_attribute("graphql.operation.name", operation)
            span.set_attribute("graphql.operation.type", note.kind)
            span.set_attribute("hub.outcome", note.outcome)
        if status >= 500:
            span.set_status(self._trace.Status(self._trace.StatusCode.ERROR))

    def instrument(self, engine: AsyncEngine) -> None:
        """A span per SQL statement run on the engine while a span is current."""
        tracer, trace = self.tracer, self._trace
        system = engine.dialect.name

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if not trace.get_current_span().is_recording():
                return
            span = tracer.start_span(
                statement.split(None, 1)[0].upper() if statement else "SQL",
                kind=trace.SpanKind.CLIENT,
                attributes={"db.system": system, "db.statement": statement[:2000]},
            )
            conn.info.setdefault(_SPANS_KEY, []).append(span)

        def after(conn: Any, *args: Any) -> None:
            spans = conn.info.get(_SPANS_KEY)
            if spans:
                spans.pop().end()

        def failed(context: Any) -> None:
            spans = context.connection.info.get(_SPANS_KEY) if context.connection else None
            if spans:
                span = spans.pop()
                span.set_status(trace.Status(trace.StatusCode.ERROR))
                span.end()

        sync_engine = engine.sync_engine
        event.listen(sync_engine, "before_cursor_execute", before)
        event.listen(sync_engine, "after_cursor_execute", after)
        event.listen(sync_engine, "handle_error", failed)

    def shutdown(self) -> None:
        """Flush the spans still buffered and stop the exporter."""
        self.provider.shutdown()


def setup_tracing(settings: Settings, *, exporter: Any = None) -> Tracing | None:
    """The tracing of ``HUB_TRACING`` (None when off); ``exporter`` replaces the configured one
    (tests pass an in-memory exporter)."""
    if settings.tracing == "off" and exporter is None:
        return None
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    except ImportError:
        raise TracingUnavailable(
            f"HUB_TRACING={settings.tracing} needs the OpenTelemetry SDK: {EXTRA}"
        ) from None
    provider = TracerProvider(resource=Resource.create({"service.name": settings.otel_service}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif settings.tracing == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    else:
        provider.add_span_processor(BatchSpanProcessor(_otlp_exporter(settings)))
    return Tracing(provider)


def _otlp_exporter(settings: Settings) -> Any:
    if not settings.otel_endpoint:
        raise TracingUnavailable("HUB_TRACING=otlp needs HUB_OTEL_ENDPOINT (the collector's URL)")
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # type: ignore[import-not-found,unused-ignore]
            OTLPSpanExporter,
        )
    except ImportError:
        raise TracingUnavailable(
            f"HUB_TRACING=otlp needs the OTLP exporter (opentelemetry-exporter-otlp-proto-http): "
            f"{EXTRA}"
        ) from None
    return OTLPSpanExporter(endpoint=settings.otel_endpoint)
