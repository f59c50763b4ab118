"""What the hub observes of each request: the ASGI middleware and the hooks other modules call.

``Observer`` wraps the whole app (``hub.observability.observe`` installs it). For every HTTP
request it settles the request id (the client's plain ``X-Request-ID`` or a new one, the id that
``hub.graphql.view`` then keeps and puts into every error's ``extensions.requestId``), binds it to
the logs of the request, opens the request's trace span when tracing is on, and when the response
is done writes one log line (``hub.request``) and, for ``/graphql``, records the request in the
app's metrics.

The hooks are plain functions, cheap when no app observes (the CLI, scripts): they find the
current app's metrics and the current request's note through context variables, which asyncio
copies into the tasks a request starts (DataLoader batches, a triggered sync) and into those the
app's lifespan starts (the scheduler).

- ``OperationNotes`` (a schema extension): the operation's name and type, once parsed;
- ``graphql_result`` (``HubGraphQL.execute_operation``): the outcome, ok or the first
  error's code; ``viewer_known`` (``HubGraphQL``): the caller's unit and role;
- ``observed_operation`` (``hub.graphql.websocket``): one WebSocket operation, observed like a
  request;
- ``rate_limited`` (``Limits._hit``): a refusal by a rate limit;
- ``dataloader_batch`` (``BatchLoader._run_batch``): the keys of one batch;
- ``sync_run``: a finished run of a source (the app hands it to its ``SyncManager`` as the
  manager's ``RunReporter``, ``hub.sync.reports``).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from hub.domain.redaction import redact
from hub.errors import ErrorCode
from hub.observability.logs import request_logger

if TYPE_CHECKING:
    from hub.domain.access import Principal
    from hub.observability.metrics import HubMetrics, RunCounts
    from hub.observability.tracing import Tracing

_METRICS: ContextVar[HubMetrics | None] = ContextVar("hub_metrics", default=None)
_NOTE: ContextVar[RequestNote | None] = ContextVar("hub_request_note", default=None)
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
"""A client's ``X-Request-ID`` that the hub keeps (anything else, or an id shaped like an ID
number, a phone number or an API key, is replaced by a new id)."""
GRAPHQL_PATH = "/graphql"
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
"""Probes and scrapes: logged at DEBUG, not INFO, so they do not drown the requests."""
_OPERATION_LOG = request_logger()
_STATUS_OUTCOMES = {401: ErrorCode.UNAUTHENTICATED.value, 429: ErrorCode.RATE_LIMITED.value}


@dataclass
class RequestNote:
    """What the hooks learn about the request being served."""

    operation: str | None = None
    kind: str = "query"
    outcome: str | None = None
    parsed: bool = False
    unit: str | None = None
    """The caller's member unit and role, once authenticated (``viewer_known``)."""
    role: str | None = None

    def result(self, result: Any) -> None:
        """The outcome of a GraphQL result: ``ok``, or the code of its first error."""
        errors = getattr(result, "errors", None)
        if not errors:
            self.outcome = self.outcome or "ok"
            return
        extensions = getattr(errors[0], "extensions", None) or {}
        self.outcome = str(extensions.get("code") or ErrorCode.INTERNAL.value)


class Observer:
    """The ASGI middleware of the module docstring."""

    def __init__(
        self, app: ASGIApp, *, metrics: HubMetrics | None, tracing: Tracing | None = None
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.tracing = tracing
        self.log = request_logger()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _METRICS.set(self.metrics)
        try:
            if scope["type"] == "http":
                await self._http(scope, receive, send)
            elif scope["type"] == "lifespan" and self.tracing is not None:
                await self.app(scope, receive, self._flushing(send))
            else:
                await self.app(scope, receive, send)
        finally:
            _METRICS.reset(token)

    def _flushing(self, send: Send) -> Send:
        """``send`` of the lifespan, which flushes the spans before the app says it stopped."""
        tracing = self.tracing

        async def flush_then_send(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete" and tracing is not None:
                tracing.shutdown()
            await send(message)

        return flush_then_send

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id = settle_request_id(scope)
        note = RequestNote()
        note_token = _NOTE.set(note)
        log_tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))  # a copy: the response's own list
                if not any(k.lower() == b"x-request-id" for k, _ in headers):
                    headers.append((b"x-request-id", request_id.encode()))
                    message = {**message, "headers": headers}
            await send(message)

        tracing = self.tracing
        try:
            if tracing is None:
                await self.app(scope, receive, send_observed)
            else:
                with tracing.request_span(scope) as span:
                    await self.app(scope, receive, send_observed)
                    tracing.finish(span, status=status, note=note)
        finally:
            seconds = time.perf_counter() - started
            self._record(scope, note, status, seconds, request_id)
            structlog.contextvars.reset_contextvars(**log_tokens)
            _NOTE.reset(note_token)

    def _record(
        self, scope: Scope, note: RequestNote, status: int, seconds: float, request_id: str
    ) -> None:
        path = scope.get("path", "")
        graphql = path == GRAPHQL_PATH
        outcome = note.outcome or _outcome_of_status(status)
        if graphql and self.metrics is not None:
            self.metrics.request(
                operation=note.operation, kind=note.kind, outcome=outcome, seconds=seconds
            )
        level = logging.DEBUG if path in QUIET_PATHS else logging.INFO
        fields: dict[str, Any] = {
            "method": scope.get("method"),
            "path": path,  # never the query string: a GET's variables may hold personal data
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "request_id": request_id,
            "unit": note.unit,
            "role": note.role,
        }
        if graphql:
            fields.update(operation=note.operation or "anonymous", type=note.kind, outcome=outcome)
        self.log.log(level, "request", **fields)


def keeps_request_id(text: str) -> bool:
    """Whether a client's ``X-Request-ID`` is kept: a plain id (``REQUEST_ID``) without the shape
    of personal data or a credential, since the id goes into every log line and audit entry of
    the request (a client once sent a resident's ID number)."""
    return REQUEST_ID.match(text) is not None and redact(text) == text


def settle_request_id(scope: Scope) -> str:
    """The client's plain ``X-Request-ID``, or a new id written into the request's headers
    (here, and again by ``hub.graphql.view`` for an app served without the ``Observer``: the
    second call keeps the id the first one wrote)."""
    sent = b""
    for key, value in scope["headers"]:
        if key == b"x-request-id":
            sent = value
    text = sent.decode("latin-1")
    if keeps_request_id(text):
        return text
    request_id = uuid.uuid4().hex
    scope["headers"] = [
        *((k, v) for k, v in scope["headers"] if k != b"x-request-id"),
        (b"x-request-id", request_id.encode()),
    ]
    return request_id


def _outcome_of_status(status: int) -> str:
    if status < 400:
        return "ok"
    if status >= 500:
        return ErrorCode.INTERNAL.value
    return _STATUS_OUTCOMES.get(status, ErrorCode.BAD_USER_INPUT.value)


# --- hooks ----------------------------------------------------------------------------------


class OperationNotes(SchemaExtension):
    """Notes the operation's name and type for the request's metrics, log line and span."""

    def on_validate(self) -> Iterator[None]:
        # Parsed, not yet validated: an invalid document is still counted under its name.
        note = _NOTE.get()
        if note is not None and self.execution_context.graphql_document is not None:
            execution = self.execution_context
            note.operation = execution.operation_name
            note.parsed = True
            try:
                note.kind = execution.operation_type.value
            except Exception:  # no such operation in the document: its error says so
                note.kind = "query"
        yield


def graphql_result(request_data: Any, result: Any) -> None:
    """The outcome of a GraphQL request: ``ok``, or the code of its first error."""
    note = _NOTE.get()
    if note is None:
        return
    if not note.parsed:
        operation = getattr(request_data, "operation_name", None)
        note.operation = operation if isinstance(operation, str) else None
    note.result(result)


def viewer_known(principal: Principal) -> None:
    """The request's caller is authenticated: its unit and role go into the request's line."""
    note = _NOTE.get()
    if note is not None:
        note.unit = principal.unit_code
        note.role = principal.role.value if principal.authenticated else None


@contextmanager
def observed_operation(request_id: str, principal: Principal) -> Iterator[RequestNote]:
    """One operation over the WebSocket, observed like an HTTP request: a note for the hooks,
    its request id bound to the logs, and at the end its log line and metrics (method ``WS``)."""
    started = time.perf_counter()
    note = RequestNote()
    note_token = _NOTE.set(note)
    log_tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
    viewer_known(principal)
    try:
        yield note
    finally:
        seconds = time.perf_counter() - started
        metrics = _METRICS.get()
        outcome = note.outcome or "ok"
        if metrics is not None:
            metrics.request(
                operation=note.operation, kind=note.kind, outcome=outcome, seconds=seconds
            )
        _OPERATION_LOG.info(
            "request",
            method="WS",
            path=GRAPHQL_PATH,
            duration_ms=round(seconds * 1000, 2),
            request_id=request_id,
            unit=note.unit,
            role=note.role,
            operation=note.operation or "anonymous",
            type=note.kind,
            outcome=outcome,
        )
        structlog.contextvars.reset_contextvars(**log_tokens)
        _NOTE.reset(note_token)


def rate_limited(limit: str) -> None:
    """A rate limit refused a request (``request``, ``field`` or ``cost``)."""
    metrics = _METRICS.get()
    if metrics is not None:
        metrics.rejections.labels(limit).inc()


def dataloader_batch(size: int) -> None:
    """A DataLoader sent one batch of ``size`` keys."""
    metrics = _METRICS.get()
    if metrics is not None:
        metrics.batches.observe(size)


def sync_run(source: str, report: RunCounts | None, *, result: str | None = None) -> None:
    """A sync run of the source ended, with its report or (none) with ``result`` (``BUSY``,
    ``CANCELLED``, ``ERROR``)."""
    metrics = _METRICS.get()
    if metrics is not None:
        metrics.sync_run(source, report, result=result)
