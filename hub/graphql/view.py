"""The GraphQL endpoint at /graphql: one view for both doors, HTTP and WebSocket.

Every operation, whichever door it came through, passes the same steps before it runs:

1. **Screening** (HTTP only, before anything is parsed; ``_screen``): a POST must be
   ``application/json`` (or ``application/graphql+json``), so that no cross-site HTML form can
   post; in production a GET must carry a header no form can set (CSRF, ``CSRF_HEADERS``); the
   body is capped, must be UTF-8 JSON of one object (a batch is refused). Over a WebSocket the
   message size is capped instead (``hub.graphql.websocket``).
2. **Authentication**: the ``Authorization`` header (or, on a WebSocket, the ``connection_init``
   payload) becomes a ``Principal`` (``hub.graphql.permissions.Authenticator``); a credential that
   does not check out is refused, never downgraded to the public.
3. **Admission** (``admit``): requests per client (or per IP for the public), then trusted
   documents (a persisted-query id becomes its registered text).
4. **The schema's extensions**: tokens, depth, aliases, directives, introspection in production,
   cost and budgets (``hub.graphql.limits``), and error codes (``hub.graphql.errors``).

The principal travels in the ``HubContext`` that this view builds and hands to strawberry
(``run(request, context=…)``): nothing is parked on the request.

HTTP answers follow the GraphQL-over-HTTP specification: ``application/graphql-response+json``
when the client accepts it (then a request error — a document that does not parse or validate,
variables that do not coerce — is a 4xx and has no ``data`` entry), else ``application/json``
with status 200 for every well-formed request.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from cross_web import HTTPException
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from hub.config import Settings
from hub.domain.access import Principal
from hub.errors import BadUserInput, DatabaseUnavailable, ErrorCode, HubError, Unauthenticated
from hub.graphql.context import HubContext, make_context
from hub.graphql.errors import coded_error
from hub.graphql.limits import Limits, client_key
from hub.graphql.permissions import Authenticator
from hub.graphql.schema import build_schema
from hub.graphql.websocket import (
    CappedWebSocketAdapter,
    ConnectionCounts,
    HubTransportWSHandler,
    LegacyWSHandler,
)
from hub.observability.requests import graphql_result, settle_request_id, viewer_known
from hub.store.base import utcnow
from hub.store.session import database_unavailable

if TYPE_CHECKING:
    from hub.sync.manager import SyncManager

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


class Refused(BadUserInput):
    """An HTTP request refused before it reached GraphQL (its status travels with it)."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


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


def is_request_error(result: ExecutionResult) -> bool:
    """True for an error of the request as a whole (no field ran: the document did not parse or
    validate, the variables did not coerce, a limit refused it), as opposed to field errors."""
    return (
        result.data is None and bool(result.errors) and all(e.path is None for e in result.errors)
    )


class HubGraphQL(GraphQL[HubContext, None]):
    """Strawberry's ASGI view with the hub's authentication, limits and context (see the module)."""

    graphql_transport_ws_handler_class = HubTransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler
    websocket_adapter_class = CappedWebSocketAdapter  # type: ignore[assignment]

    def __init__(
        self,
        *,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime] = utcnow,
        sync: SyncManager | None = None,
    ) -> None:
        limits = Limits(settings)
        protocols: tuple[str, ...] = (GRAPHQL_TRANSPORT_WS_PROTOCOL,)
        if settings.ws_legacy_protocol:
            protocols += (GRAPHQL_WS_PROTOCOL,)
        super().__init__(
            build_schema(limits=limits),
            graphql_ide=None if settings.is_production else "graphiql",
            allow_queries_via_get=True,
            subscription_protocols=protocols,
            connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
            # The hub counts operations per connection itself and closes with a reason.
            max_subscriptions_per_connection=None,
        )
        self.limits = limits
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.sync = sync
        self.authenticator = Authenticator(settings, sessionmaker)
        self.connections = ConnectionCounts(settings.ws_max_connections_per_client)

    def __repr__(self) -> str:
        return f"<HubGraphQL protocols={list(self.protocols)} limits={self.limits!r}>"

    # -- the doors --

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self.run(WebSocket(scope, receive=receive, send=send))
            return
        request_id = settle_request_id(scope)
        media_type = negotiate(_header(scope, b"accept"))
        try:
            receive = await self._screen(scope, receive)
            request = Request(scope, receive)
            if media_type is None and not self._wants_ide(request):
                raise Refused(
                    406,
                    f"this endpoint answers {GRAPHQL_RESPONSE} or {JSON}: "
                    "send one of them in the Accept header",
                )
            principal = await self.authenticate(request.headers.get("authorization"))
            viewer_known(principal)
            context = self.context_for(request, viewer=principal, request_id=request_id)
            context.media_type = media_type or JSON
            response = await self.run(request, context=context)
        except Refused as refused:
            response = error_response(
                refused.status,
                refused.message,
                code=refused.code,
                request_id=request_id,
                media_type=media_type or JSON,
                headers=refused.headers,
            )
        except Unauthenticated as exc:
            response = error_response(
                401,
                exc.message,
                code=exc.code,
                request_id=request_id,
                media_type=media_type or JSON,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        except HTTPException as exc:
            response = _http_error(exc, scope["method"], request_id, media_type or JSON)
        except Exception as exc:  # outside a resolver: authentication, trusted documents
            if not database_unavailable(exc):
                raise
            response = _unavailable(exc, request_id, media_type or JSON)
        response.headers["X-Request-ID"] = request_id
        await response(scope, receive, send)

    async def authenticate(self, authorization: str | None) -> Principal:
        """The principal of a credential (None: the public); raises ``Unauthenticated``."""
        return await self.authenticator.principal(authorization, now=self.clock())

    def context_for(
        self, connection: HTTPConnection, *, viewer: Principal, request_id: str | None = None
    ) -> HubContext:
        """A fresh context for one operation of this viewer (a request, or one WebSocket
        operation)."""
        context = make_context(
            self.settings,
            self.sessionmaker,
            request=connection,
            now=self.clock(),
            sync=self.sync,
            viewer=viewer,
        )
        if request_id is not None:
            context.request_id = request_id
        return context

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> HubContext:
        # Only a WebSocket's connection asks: HTTP requests bring their own context. Its viewer
        # is settled by the protocol handler (the handshake's header or connection_init).
        return self.context_for(request, viewer=await self.authenticate(None))

    async def admit(self, context: HubContext, data: GraphQLRequestData) -> GraphQLRequestData:
        """The request's rate and its trusted document, for either door; raises the refusal
        (``RateLimited``, ``PersistedQuery…``) as a ``HubError``."""
        refusal = await self.limits.admit_request(client_key(context.viewer, context.request))
        if refusal is not None:
            raise refusal
        return await self.limits.resolve_document(data, self.sessionmaker)

    # -- HTTP --

    def _wants_ide(self, request: Request) -> bool:
        return self.graphql_ide is not None and self.should_render_graphql_ide(request)  # type: ignore[arg-type]

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET with only a persisted-query id (Apollo's APQ) is an operation, not a browser.
        return super().should_render_graphql_ide(request) and (
            request.query_params.get("extensions") is None
        )

    async def _screen(self, scope: Scope, receive: Receive) -> Receive:
        """Content type, CSRF, size and body checks; returns the body's replay for the view."""
        settings = self.limits.settings
        cap = settings.max_body_bytes
        if scope["method"] != "POST":
            if len(scope.get("query_string", b"")) > cap:
                raise Refused(414, f"the query string is longer than {cap:,} bytes: use POST")
            if (
                settings.is_production
                and scope["method"] == "GET"
                and scope.get("query_string")
                and not any(_header(scope, name.encode()) for name in CSRF_HEADERS)
            ):
                raise Refused(
                    400,
                    "a GET operation must carry the header X-GraphQL-CSRF: 1 (cross-site "
                    "request forgery protection), or be sent as a POST of application/json",
                )
            return receive
        media_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if media_type not in JSON_TYPES:
            raise Refused(
                415,
                f"a POST body must be application/json, not {media_type or 'untyped'}",
                headers={"Accept-Post": "application/json"},
            )
        if media_type != "application/json":
            # Strawberry reads only application/json; the body is the same JSON.
            scope["headers"] = [
                (k, b"application/json" if k == b"content-type" else v) for k, v in scope["headers"]
            ]
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > cap:
            raise Refused(413, f"the request body is larger than {cap:,} bytes")
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > cap:
                raise Refused(413, f"the request body is larger than {cap:,} bytes")
        if body.lstrip()[:1] == b"[":
            raise Refused(400, "batched operations are not accepted: send one per request")
        return _replay(bytes(body))

    def decode_json(self, data: str | bytes) -> object:
        """JSON of a request body, a GET parameter or a WebSocket message, as strict UTF-8."""
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise HTTPException(
                    400, f"the request is not valid UTF-8 (byte {exc.start})"
                ) from exc
        return json.loads(data)

    async def parse_http_body(self, request: Any) -> GraphQLRequestData:  # type: ignore[override]
        if request.method == "POST":
            body = self.parse_json(await request.get_body())
            if not isinstance(body, dict):
                raise HTTPException(
                    400,
                    "the request body must be a JSON object "
                    f'{{"query": …, "variables": …}}, not {_json_kind(body)}',
                )
        parsed = await super().parse_http_body(request)
        if isinstance(parsed, list):  # refused by _screen already; strawberry refuses too
            raise HTTPException(400, "batched operations are not accepted: send one per request")
        name = parsed.operation_name
        if name is not None and not isinstance(name, str):
            raise HTTPException(
                400, f"`operationName` must be a string or null, not {_json_kind(name)}"
            )
        return parsed

    async def execute_operation(  # type: ignore[override]
        self,
        request: Request,
        request_adapter: Any,
        request_data: GraphQLRequestData,
        context: HubContext,
        root_value: None,
        sub_response: Response,
    ) -> Any:
        try:
            request_data = await self.admit(context, request_data)
        except HubError as exc:
            result: Any = ExecutionResult(data=None, errors=[coded_error(exc, context.request_id)])
        else:
            try:
                result = await super().execute_operation(
                    request, request_adapter, request_data, context, root_value, sub_response
                )
            except HTTPException as exc:
                if request.method == "GET" and _is_mutation(exc):
                    raise
                # No query, no such operation, a subscription over HTTP: the request's error.
                refusal = BadUserInput(_http_reason(exc))
                result = ExecutionResult(
                    data=None, errors=[coded_error(refusal, context.request_id)]
                )
                if isinstance(exc.__cause__, MissingQueryError):
                    # Not a well-formed GraphQL-over-HTTP request (no `query`): 400 whichever
                    # media type, as for a body that is not JSON.
                    sub_response.status_code = 400
        graphql_result(request_data, result)  # metrics and the request's log line
        if isinstance(result, ExecutionResult) and result.errors:
            wait = _retry_after(result.errors)
            if wait is not None:
                sub_response.status_code = 429
                sub_response.headers["Retry-After"] = str(wait)
            elif context.media_type == GRAPHQL_RESPONSE and is_request_error(result):
                sub_response.status_code = 400
        sub_response.media_type = context.media_type
        return result

    async def execute_single(  # type: ignore[override]
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Response,
        context: HubContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        # Strawberry allows subscriptions over HTTP for its streaming transports, which the
        # hub does not offer (subscriptions are the WebSocket's): over plain HTTP a subscription
        # would run as a query and fail inside.
        allowed = OperationType.from_http(request_adapter.method) - {OperationType.SUBSCRIPTION}
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except InvalidOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason(request_adapter.method)) from exc
        except MissingQueryError as exc:
            raise HTTPException(400, "no GraphQL query found in the request") from exc

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        if (
            is_request_error(result)
            and negotiate(request.headers.get("accept")) == GRAPHQL_RESPONSE
        ):
            # The specification: a request error has no data entry (not even null). Clients of
            # application/json have always read `"data": null`, so they keep it.
            processed.pop("data", None)  # type: ignore[misc]
        return processed

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = Response(
            self.encode_json(response_data),
            status_code=sub_response.status_code or 200,
            media_type=sub_response.media_type or JSON,
        )
        response.headers.raw.extend(sub_response.headers.raw)
        response.background = sub_response.background
        return response

    def encode_json(self, data: object) -> str:
        # Chinese text as it is (sent as UTF-8): a third of the bytes of \u escapes, and
        # readable. Text, not bytes: graphql-transport-ws messages must be text frames.
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _json_kind(value: object) -> str:
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


def _is_mutation(exc: HTTPException) -> bool:
    cause = exc.__cause__
    return (
        isinstance(cause, InvalidOperationTypeError)
        and cause.operation_type is OperationType.MUTATION
    )


def _http_reason(exc: HTTPException) -> str:
    cause = exc.__cause__
    if isinstance(cause, InvalidOperationTypeError):
        if cause.operation_type is OperationType.SUBSCRIPTION:
            return "subscriptions are served over the WebSocket (graphql-transport-ws), not HTTP"
        return f"{cause.operation_type.value} operations are not accepted here"
    return str(exc.reason)


def _http_error(exc: HTTPException, method: str, request_id: str, media_type: str) -> Response:
    """Strawberry's own refusals (plain text) as GraphQL-shaped JSON."""
    if method == "GET" and _is_mutation(exc):
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


def _unavailable(exc: Exception, request_id: str, media_type: str) -> Response:
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


def _retry_after(errors: Sequence[GraphQLError]) -> int | None:
    for error in errors:
        extensions = error.extensions or {}
        if extensions.get("code") == ErrorCode.RATE_LIMITED.value:
            wait = extensions.get("retryAfter")
            return wait if isinstance(wait, int) else 60
    return None
