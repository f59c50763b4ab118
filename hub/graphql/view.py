"""The GraphQL endpoint at /graphql: one view for both doors, HTTP and WebSocket.

Every operation, whichever door it came through, passes the same steps before it runs:

1. **Screening** (HTTP only, before anything is parsed; ``hub.graphql.over_http.screen``): a
   POST must be JSON, so that no cross-site HTML form can post; in production a GET must carry
   a header no form can set (CSRF); the body is capped, must be UTF-8 JSON of one object (a
   batch is refused). Over a WebSocket the message size is capped instead
   (``hub.graphql.websocket``).
2. **Authentication**: the ``Authorization`` header (or, on a WebSocket, the ``connection_init``
   payload) becomes a ``Principal`` (``hub.graphql.permissions.Authenticator``); a credential that
   does not check out is refused, never downgraded to the public.
3. **Admission** (``admit``): requests per client (or per IP for the public), then trusted
   documents (a persisted-query id becomes its registered text).
4. **The schema's extensions**: tokens, depth, aliases, directives, introspection in production,
   cost and budgets (``hub.graphql.limits``), and error codes (``hub.graphql.errors``).

The principal travels in the ``HubContext`` that this view builds and hands to strawberry
(``run(request, context=…)``): nothing is parked on the request.

HTTP answers follow the GraphQL-over-HTTP specification (``hub.graphql.over_http``):
``application/graphql-response+json`` when the client accepts it (then a request error is a 4xx
and has no ``data`` entry), else ``application/json`` with status 200 for every well-formed
request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types import ExecutionResult, SubscriptionExecutionResult
from strawberry.types.graphql import OperationType

from hub.config import Settings
from hub.domain.access import Principal
from hub.errors import (
    BadUserInput,
    HubError,
    NotAcceptable,
    RequestRefused,
    Unauthenticated,
)
from hub.graphql.context import HubContext, make_context
from hub.graphql.errors import coded_error
from hub.graphql.limits import Limits, client_key
from hub.graphql.over_http import (
    BATCH_REFUSED,
    GRAPHQL_RESPONSE,
    JSON,
    header,
    is_mutation_refused,
    is_request_error,
    json_kind,
    negotiate,
    refusal_response,
    retry_after,
    screen,
    strawberry_reason,
    strawberry_refusal_response,
    unavailable_response,
)
from hub.graphql.permissions import Authenticator
from hub.graphql.schema import build_schema
from hub.graphql.websocket import CappedWebSocketAdapter, HubTransportWSHandler, LegacyWSHandler
from hub.graphql.websocket_gate import ConnectionCounts
from hub.observability.requests import graphql_result, settle_request_id, viewer_known
from hub.store.base import utcnow
from hub.store.session import database_unavailable

if TYPE_CHECKING:
    from hub.sync.manager import SyncManager


class HubGraphQL(GraphQL[HubContext, None]):
    """Strawberry's ASGI view with the hub's authentication, limits and context (see the module)."""

    graphql_transport_ws_handler_class = HubTransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler
    websocket_adapter_class = CappedWebSocketAdapter

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
        media_type = negotiate(header(scope, b"accept"))
        try:
            receive = await screen(scope, receive, settings=self.settings)
            request = Request(scope, receive)
            if media_type is None and not self._wants_ide(request):
                raise NotAcceptable(
                    f"this endpoint answers {GRAPHQL_RESPONSE} or {JSON}: "
                    "send one of them in the Accept header"
                )
            principal = await self.authenticate(request.headers.get("authorization"))
            viewer_known(principal)
            context = self.context_for(request, viewer=principal, request_id=request_id)
            context.media_type = media_type or JSON
            response = await self.run(request, context=context)
        except (RequestRefused, Unauthenticated) as refused:
            response = refusal_response(
                refused, request_id=request_id, media_type=media_type or JSON
            )
        except HTTPException as exc:
            response = strawberry_refusal_response(
                exc, scope["method"], request_id, media_type or JSON
            )
        except Exception as exc:  # outside a resolver: authentication, trusted documents
            if not database_unavailable(exc):
                raise
            response = unavailable_response(exc, request_id, media_type or JSON)
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
        adapter = self.request_adapter_class(request)
        return self.graphql_ide is not None and self.should_render_graphql_ide(adapter)

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # A GET with only a persisted-query id (Apollo's APQ) is an operation, not a browser.
        return super().should_render_graphql_ide(request) and (
            request.query_params.get("extensions") is None
        )

    def decode_json(self, data: str | bytes) -> object:
        """JSON of a request body, a GET parameter or a WebSocket message, as strict UTF-8."""
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RequestRefused(f"the request is not valid UTF-8 (byte {exc.start})") from exc
        return json.loads(data)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        if request.method == "POST":
            body = self.parse_json(await request.get_body())
            if not isinstance(body, dict):
                raise RequestRefused(
                    "the request body must be a JSON object "
                    f'{{"query": …, "variables": …}}, not {json_kind(body)}'
                )
        parsed = await super().parse_http_body(request)
        if isinstance(parsed, list):  # refused by screen already; strawberry refuses too
            raise RequestRefused(BATCH_REFUSED)
        name = parsed.operation_name
        if name is not None and not isinstance(name, str):
            raise RequestRefused(f"`operationName` must be a string or null, not {json_kind(name)}")
        return parsed

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: HubContext,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        if isinstance(request_data, list):  # parse_http_body returns none (screen refuses it)
            raise RequestRefused(BATCH_REFUSED)
        result: ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult
        try:
            request_data = await self.admit(context, request_data)
        except HubError as exc:
            result = ExecutionResult(data=None, errors=[coded_error(exc, context.request_id)])
        else:
            try:
                result = await super().execute_operation(
                    request, request_adapter, request_data, context, root_value, sub_response
                )
            except HTTPException as exc:
                if request.method == "GET" and is_mutation_refused(exc):
                    raise
                # No query, no such operation, a subscription over HTTP: the request's error.
                refusal = BadUserInput(strawberry_reason(exc))
                result = ExecutionResult(
                    data=None, errors=[coded_error(refusal, context.request_id)]
                )
                if isinstance(exc.__cause__, MissingQueryError):
                    # Not a well-formed GraphQL-over-HTTP request (no `query`): 400 whichever
                    # media type, as for a body that is not JSON.
                    sub_response.status_code = 400
        graphql_result(request_data, result)  # metrics and the request's log line
        if isinstance(result, ExecutionResult) and result.errors:
            wait = retry_after(result.errors)
            if wait is not None:
                sub_response.status_code = 429
                sub_response.headers["Retry-After"] = str(wait)
            elif context.media_type == GRAPHQL_RESPONSE and is_request_error(result):
                sub_response.status_code = 400
        sub_response.media_type = context.media_type
        return result

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
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
            processed.pop("data", None)
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
