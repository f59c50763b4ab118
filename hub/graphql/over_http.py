"""GraphQL over HTTP: what the view (``hub.graphql.view``) does with an HTTP request before
GraphQL reads it, and how it answers a request that GraphQL never ran.

- **Screening** (``screen``, before anything is parsed): a POST must be ``application/json`` (or
  ``application/graphql+json``), so that no cross-site HTML form can post; in production a GET
  must carry a header no form can set (CSRF, ``CSRF_HEADERS``); the body is capped and must not
  be a batch. Each refusal is a ``hub.errors.RequestRefused``.
- **Negotiation** (``negotiate``): ``application/graphql-response+json`` when the client accepts
  it (then a request error — a document that does not parse or validate, variables that do not
  coerce — is a 4xx and has no ``data`` entry), else ``application/json`` with status 200 for
  every well-formed request, as the GraphQL-over-HTTP specification says.
- **Answers without GraphQL** (``refusal_response``, ``strawberry_refusal_response``,
  ``unavailable_response``): a GraphQL-shaped JSON error body with an HTTP status; the statuses
  of the hub's refusals live here, not in ``hub.errors``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from hub.config import Settings
from hub.errors import (
    DatabaseUnavailable,
    ErrorCode,
    NotAcceptable,
    QueryStringTooLong,
    RequestRefused,
    RequestTooLarge,
    Unauthenticated,
    UnsupportedMediaType,
)

logger = logging.getLogger("hub.graphql")

JSON_TYPES = frozenset({"application/json", "application/graphql+json"})
"""Media types of a POST body. Strawberry itself reads only application/json."""

GRAPHQL_RESPONSE = "application/graphql-response+json"
"""The response media type of the GraphQL-over-HTTP specification."""
JSON = "application/json"

CSRF_HEADERS = ("x-graphql-csrf", "apollo-require-preflight", "x-apollo-operation-name")
"""Headers that mark a GET as sent by a script, not by a browser's form or image (a browser
cannot add a custom header to a cross-site request without a CORS preflight, which the hub does
not grant). The same rule as Apollo Router's and GraphQL Yoga's CSRF prevention; the console
sends ``X-GraphQL-CSRF: 1``."""

BATCH_REFUSED = "batched operations are not accepted: send one per request"

_STATUS: dict[type[RequestRefused], int] = {
    NotAcceptable: 406,
    RequestTooLarge: 413,
    QueryStringTooLong: 414,
    UnsupportedMediaType: 415,
}
"""The HTTP status of each kind of refusal; any other ``RequestRefused`` is 400."""


# --- before GraphQL -------------------------------------------------------------------------


async def screen(scope: Scope, receive: Receive, *, settings: Settings) -> Receive:
    """Content type, CSRF, size and body checks; returns the body's replay for the view."""
    cap = settings.max_body_bytes
    if scope["method"] != "POST":
        if len(scope.get("query_string", b"")) > cap:
            raise QueryStringTooLong(f"the query string is longer than {cap:,} bytes: use POST")
        if (
            settings.is_production
            and scope["method"] == "GET"
            and scope.get("query_string")
            and not any(header(scope, name.encode()) for name in CSRF_HEADERS)
        ):
            raise RequestRefused(
                "a GET operation must carry the header X-GraphQL-CSRF: 1 (cross-site "
                "request forgery protection), or be sent as a POST of application/json"
            )
        return receive
    media_type = (header(scope, b"content-type") or "").split(";")[0].strip().lower()
    if media_type not in JSON_TYPES:
        raise UnsupportedMediaType(
            f"a POST body must be application/json, not {media_type or 'untyped'}"
        )
    if media_type != "application/json":
        # Strawberry reads only application/json; the body is the same JSON.
        scope["headers"] = [
            (k, b"application/json" if k == b"content-type" else v) for k, v in scope["headers"]
        ]
    declared = header(scope, b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise RequestTooLarge(f"the request body is larger than {cap:,} bytes")
    body = bytearray()
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        body += message.get("body", b"")
        more = message.get("more_body", False)
        if len(body) > cap:
            raise RequestTooLarge(f"the request body is larger than {cap:,} bytes")
    if body.lstrip()[:1] == b"[":
        raise RequestRefused(BATCH_REFUSED)
    return _replay(bytes(body))


def negotiate(accept: str | None) -> str | None:
    """The response media type for an ``Accept`` header; None when neither is acceptable.

    No header, ``*/*`` and ``application/*`` mean application/json (the specification's
    compatibility rule); application/graphql-response+json wins when the client rates it at
    least as high as application/json.
    """
    if accept is None or not accept.strip():
        return JSON
    best: dict[str, float] = {}
    for item in accept.split(","):
        media, *parameters = (part.strip() for part in item.split(";"))
        media = media.lower()
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        for candidate in (GRAPHQL_RESPONSE, JSON):
            if media == candidate or (candidate == JSON and media in ("*/*", "application/*")):
                best[candidate] = max(best.get(candidate, 0.0), quality)
    response_q, json_q = best.get(GRAPHQL_RESPONSE, 0.0), best.get(JSON, 0.0)
    if response_q > 0 and response_q >= json_q:
        return GRAPHQL_RESPONSE
    if json_q > 0:
        return JSON
    return None


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (``name`` in lower case)."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def json_kind(value: object) -> str:
    """What a JSON value is, as a refusal's message says it ("an array", "null" …)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


# --- results --------------------------------------------------------------------------------


def is_request_error(result: ExecutionResult) -> bool:
    """True for an error of the request as a whole (no field ran: the document did not parse or
    validate, the variables did not coerce, a limit refused it), as opposed to field errors."""
    if result.data is not None or not result.errors:
        return False
    return all(error.path is None for error in result.errors)


def retry_after(errors: Sequence[GraphQLError]) -> int | None:
    """The seconds to wait of a RATE_LIMITED error among ``errors``; None when there is none."""
    for error in errors:
        extensions = error.extensions or {}
        if extensions.get("code") == ErrorCode.RATE_LIMITED.value:
            wait = extensions.get("retryAfter")
            return wait if isinstance(wait, int) else 60
    return None


def is_mutation_refused(exc: HTTPException) -> bool:
    """True when strawberry refused a mutation because of the request's method (a GET)."""
    cause = exc.__cause__
    return (
        isinstance(cause, InvalidOperationTypeError)
        and cause.operation_type is OperationType.MUTATION
    )


def strawberry_reason(exc: HTTPException) -> str:
    """The message of one of strawberry's refusals, as the hub words it."""
    cause = exc.__cause__
    if isinstance(cause, InvalidOperationTypeError):
        if cause.operation_type is OperationType.SUBSCRIPTION:
            return "subscriptions are served over the WebSocket (graphql-transport-ws), not HTTP"
        return f"{cause.operation_type.value} operations are not accepted here"
    return str(exc.reason)


# --- answers without GraphQL ----------------------------------------------------------------


def error_response(
    status: int,
    message: str,
    *,
    code: ErrorCode,
    request_id: str,
    media_type: str = JSON,
    headers: Mapping[str, str] | None = None,
    **details: Any,
) -> Response:
    """A GraphQL-shaped JSON error body (no ``data`` entry) with an HTTP status."""
    extensions = {**details, "code": code.value, "requestId": request_id}
    return JSONResponse(
        {"errors": [{"message": message, "extensions": extensions}]},
        status_code=status,
        headers=dict(headers or {}),
        media_type=media_type,
    )


def refusal_response(
    exc: RequestRefused | Unauthenticated, *, request_id: str, media_type: str
) -> Response:
    """The answer to a request refused before GraphQL ran: its status, and the header that
    tells the client what would be accepted."""
    headers: dict[str, str] = {}
    if isinstance(exc, Unauthenticated):
        status = 401
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    else:
        status = _STATUS.get(type(exc), 400)
        if isinstance(exc, UnsupportedMediaType):
            headers["Accept-Post"] = "application/json"
    return error_response(
        status,
        exc.message,
        code=exc.code,
        request_id=request_id,
        media_type=media_type,
        headers=headers,
    )


def strawberry_refusal_response(
    exc: HTTPException, method: str, request_id: str, media_type: str
) -> Response:
    """Strawberry's own refusals (plain text) as GraphQL-shaped JSON."""
    if method == "GET" and is_mutation_refused(exc):
        return error_response(
            405,
            "mutations are not accepted over GET: send them with POST",
            code=ErrorCode.BAD_USER_INPUT,
            request_id=request_id,
            media_type=media_type,
            headers={"Allow": "POST"},
        )
    code = ErrorCode.NOT_FOUND if exc.status_code == 404 else ErrorCode.BAD_USER_INPUT
    return error_response(
        exc.status_code, str(exc.reason), code=code, request_id=request_id, media_type=media_type
    )


def unavailable_response(exc: Exception, request_id: str, media_type: str) -> Response:
    """503 with DATABASE_UNAVAILABLE when the database failed before GraphQL ran."""
    logger.warning("database unavailable before execution: %s", type(exc).__name__)
    unavailable = DatabaseUnavailable()
    return error_response(
        503,
        unavailable.message,
        code=unavailable.code,
        request_id=request_id,
        media_type=media_type,
        headers={"Retry-After": str(unavailable.retry_after)},
        retryAfter=unavailable.retry_after,
    )
