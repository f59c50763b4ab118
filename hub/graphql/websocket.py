"""The WebSocket door of /graphql (graphql-transport-ws): a door as strong as the HTTP one.

Every operation sent over a WebSocket passes what an HTTP request passes (``hub.graphql.view``):
the same authentication, request rate, trusted documents, document limits, cost and budgets,
error codes with ``requestId``, masking and, in production, no field suggestions. Each operation
runs in a context of its own (its own request id, database session and loaders); the viewer is the
connection's.

The credential: browsers cannot set headers on a WebSocket, so the console sends its staff token in
the ``connection_init`` payload as ``{"authorization": "Bearer …"}``; other clients may send the
``Authorization`` header with the handshake. Either is checked like HTTP's header (API key or staff
token). One that does not check out is remembered, the connection is still acknowledged, and every
operation on it fails with UNAUTHENTICATED — never the public's view.

What only a connection has is capped (settings ``HUB_WS_…``), each refusal a close code and a
reason:

- a message larger than ``ws_max_message_bytes``: 1009 (uvicorn enforces the same cap on the wire);
- more than ``ws_max_connections_per_client`` connections of one client (or public IP): 4429;
- more than ``ws_max_operations_per_connection`` operations at once on one connection: 4429;
- a message that is not a JSON object of the protocol, or a ``subscribe`` payload of the wrong
  shape: 4400; no ``connection_init`` within ``ws_init_timeout_seconds``: 4408;
- the database unreachable while the credential is checked: 1013 (try again later).

The legacy ``graphql-ws`` subprotocol is off unless ``HUB_WS_LEGACY_PROTOCOL`` turns it on; its
operations pass the same gate (``LegacyWSHandler``).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from json import JSONDecodeError
from typing import TYPE_CHECKING, Any, cast

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http import GraphQLRequestData
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    CompleteMessage,
    ConnectionInitMessage,
    Message,
    SubscribeMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ConnectionInitMessage as LegacyInitMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage
from strawberry.types.execution import PreExecutionError
from strawberry.utils.aio import aclosing

from hub.domain.access import PUBLIC, Principal
from hub.errors import DatabaseUnavailable, HubError, Unauthenticated
from hub.graphql.context import HubContext
from hub.graphql.errors import coded_error
from hub.graphql.limits import client_key
from hub.observability.requests import observed_operation
from hub.store.session import database_unavailable

if TYPE_CHECKING:
    from hub.graphql.view import HubGraphQL

logger = logging.getLogger("hub.graphql.websocket")

PAYLOAD_KEY = "authorization"
"""The key of the credential in the ``connection_init`` payload (any case)."""
MAX_OPERATION_ID = 128
"""Longest operation id accepted (the protocol leaves it to the client; ids are kept per
connection, so they are bounded like everything else)."""

# Close codes: the protocol's (4400, 4401, 4408, 4409, 4429) and RFC 6455's (1009, 1013).
MESSAGE_TOO_BIG = 1009
TRY_AGAIN_LATER = 1013
BAD_MESSAGE = 4400
TOO_MANY = 4429


def credential_of(payload: object) -> str | None:
    """The ``authorization`` value of a connection_init payload, if it carries one."""
    if not isinstance(payload, dict):
        return None
    for key, value in payload.items():
        if isinstance(key, str) and key.lower() == PAYLOAD_KEY:
            return value if isinstance(value, str) else ""
    return None


def payload_problem(payload: object) -> str | None:
    """What is wrong with a ``subscribe`` (or legacy ``start``) payload; None when it is fine."""
    if not isinstance(payload, dict):
        return "the subscribe payload must be an object {query, variables, operationName}"
    expected = {
        "query": (str,),
        "variables": (dict, type(None)),
        "operationName": (str, type(None)),
        "extensions": (dict, type(None)),
    }
    if "query" not in payload and not isinstance(payload.get("extensions"), dict):
        return "the subscribe payload has no query"
    for name, kinds in expected.items():
        if name in payload and not isinstance(payload[name], kinds):
            if name == "query" and payload[name] is None:
                continue
            return f"the subscribe payload's {name} has the wrong type"
    return None


class ConnectionCounts:
    """Open WebSocket connections per client key, in this process."""

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum
        self._open: Counter[str] = Counter()

    def __repr__(self) -> str:
        return f"<ConnectionCounts maximum={self.maximum} clients={len(self._open)}>"

    def take(self, key: str) -> bool:
        """Count one more connection of ``key``; False (and nothing counted) when at the cap."""
        if self._open[key] >= self.maximum:
            return False
        self._open[key] += 1
        return True

    def give_back(self, key: str) -> None:
        self._open[key] -= 1
        if self._open[key] <= 0:
            del self._open[key]


class CappedWebSocketAdapter(ASGIWebSocketAdapter):
    """Strawberry's adapter with the message-size cap of the module docstring."""

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object]:
        view = cast("HubGraphQL", self.view)
        cap = view.settings.ws_max_message_bytes
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                # A character is at most 4 bytes: count bytes only when it could matter.
                if len(text) * 4 > cap and len(text.encode("utf-8", "surrogatepass")) > cap:
                    await self.close(
                        MESSAGE_TOO_BIG, f"message larger than {cap:,} bytes: send a smaller one"
                    )
                    return
                try:
                    yield view.decode_json(text)
                except JSONDecodeError as exc:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from exc
        except KeyError as exc:
            raise NonTextMessageReceived from exc
        except WebSocketDisconnect:
            pass


@dataclass
class Admitted:
    """An operation let through the gate: its own context and its (resolved) document."""

    context: HubContext
    data: GraphQLRequestData


class Gate:
    """What both subprotocols' handlers share: the connection's viewer and the per-operation
    admission (rate, trusted documents) of ``HubGraphQL.admit``."""

    def __init__(self, view: HubGraphQL, websocket: WebSocket) -> None:
        self.view = view
        self.websocket = websocket
        self.viewer: Principal = PUBLIC
        self.refusal: Unauthenticated | None = None
        self.key: str | None = None

    async def open(self) -> tuple[int, str] | None:
        """Settle the handshake's credential and count the connection; the close (code,
        reason) when it must not go on."""
        if not await self._settle(self.websocket.headers.get("authorization")):
            return TRY_AGAIN_LATER, "the database is unavailable: try again later"
        return self._count()

    async def init(self, payload: object) -> tuple[int, str] | None:
        """The connection_init payload's credential, if it carries one (see the module)."""
        authorization = credential_of(payload)
        if authorization is None:
            return None
        if not authorization.strip():
            self.refusal, self.viewer = (
                Unauthenticated("the connection_init authorization is empty"),
                PUBLIC,
            )
        elif not await self._settle(authorization):
            return TRY_AGAIN_LATER, "the database is unavailable: try again later"
        self.close()
        return self._count()

    async def _settle(self, authorization: str | None) -> bool:
        """The connection's viewer (or refusal) for a credential; False when the database
        could not be asked."""
        try:
            self.viewer, self.refusal = await self.view.authenticate(authorization), None
        except Unauthenticated as exc:
            self.viewer, self.refusal = PUBLIC, exc
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            return False
        return True

    def _count(self) -> tuple[int, str] | None:
        key = client_key(self.viewer, self.websocket)
        counts = self.view.connections
        if not counts.take(key):
            return TOO_MANY, (
                f"too many WebSocket connections of this client: at most {counts.maximum}"
            )
        self.key = key
        return None

    async def guard(
        self, close: Callable[[int, str], Awaitable[None]], serve: Callable[[], Awaitable[None]]
    ) -> None:
        """Open the gate, ``serve`` the connection (or ``close`` it with the refusal), and give
        its place back at the end, whatever happened."""
        refused = await self.open()
        try:
            if refused is not None:
                await close(*refused)
                return
            await serve()
        finally:
            self.close()

    def close(self) -> None:
        """Give back the connection's place in the count."""
        if self.key is not None:
            self.view.connections.give_back(self.key)
            self.key = None

    async def admit(self, payload: dict[str, Any]) -> Admitted | list[dict[str, Any]]:
        """The operation's context and document, or the errors to send instead."""
        # Each operation is a request of its own: its own id in its errors and its log line.
        context = self.view.context_for(
            self.websocket, viewer=self.viewer, request_id=uuid.uuid4().hex
        )
        try:
            if self.refusal is not None:
                raise self.refusal
            data = await self.view.admit(
                context,
                GraphQLRequestData(
                    query=payload.get("query"),
                    variables=payload.get("variables"),
                    operation_name=payload.get("operationName"),
                    extensions=payload.get("extensions"),
                    protocol="http",
                ),
            )
        except HubError as exc:
            return [coded_error(exc, context.request_id).formatted]
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            logger.warning("database unavailable before execution: %s", type(exc).__name__)
            return [coded_error(DatabaseUnavailable(), context.request_id).formatted]
        return Admitted(context, data)


class HubTransportWSHandler(BaseGraphQLTransportWSHandler[HubContext, None]):
    """graphql-transport-ws through the hub's gate (see the module's doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        view = cast("HubGraphQL", self.view)
        self.gate = Gate(view, cast(WebSocket, self.context.request))
        self.contexts: dict[str, HubContext] = {}

    @property
    def hub(self) -> HubGraphQL:
        return cast("HubGraphQL", self.view)

    async def handle(self) -> None:
        await self.gate.guard(self.websocket.close, super().handle)

    async def handle_message(self, message: Message) -> None:
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.handle_invalid_message("a message must be a JSON object with a type")
            return
        await super().handle_message(message)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        if not self.connection_init_received and isinstance(message.get("payload"), dict):
            refused = await self.gate.init(message.get("payload"))
            if refused is not None:
                await self.websocket.close(*refused)
                return
        await super().handle_connection_init(message)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if not self.connection_acknowledged:
            await self.websocket.close(code=4401, reason="Unauthorized")
            return
        operation_id = message.get("id")
        if not isinstance(operation_id, str) or not 0 < len(operation_id) <= MAX_OPERATION_ID:
            await self.handle_invalid_message(
                f"a subscribe message needs an id: a string of 1 to {MAX_OPERATION_ID} characters"
            )
            return
        payload = message.get("payload")
        problem = payload_problem(payload)
        if problem is not None:
            await self.handle_invalid_message(problem)
            return
        if operation_id in self.operations:
            await super().handle_subscribe(message)  # the protocol's 4409
            return
        maximum = self.hub.settings.ws_max_operations_per_connection
        if len(self.operations) >= maximum:
            await self.websocket.close(
                TOO_MANY, f"too many operations at once on this connection: at most {maximum}"
            )
            return
        admitted = await self.gate.admit(cast(dict[str, Any], payload))
        if not isinstance(admitted, Admitted):
            await self.send_message({"id": operation_id, "type": "error", "payload": admitted})
            return
        data = admitted.data
        operation = Operation(
            self, operation_id, data.query or "", data.variables, data.operation_name
        )
        self.contexts[operation_id] = admitted.context
        operation.task = asyncio.create_task(self.run_operation(operation))
        operation.task.add_done_callback(self._task_done)
        self.operations[operation_id] = operation

    async def run_operation(self, operation: Operation[HubContext, None]) -> None:
        """Strawberry's ``run_operation`` with the operation's own context."""
        context = self.contexts.pop(operation.id)
        try:
            with observed_operation(context.request_id, context.viewer) as note:
                result_source = await self.schema.stream(
                    operation.query,
                    variable_values=operation.variables,
                    context_value=context,
                    root_value=self.root_value,
                    operation_name=operation.operation_name,
                )
                async with aclosing(result_source):
                    async for result in result_source:
                        note.result(result)
                        if isinstance(result, PreExecutionError):
                            await self._handle_pre_execution_error(operation, result)  # type: ignore[arg-type]
                            return
                        await operation.send_next(result)  # type: ignore[arg-type]
            await operation.send_operation_message(
                CompleteMessage(id=operation.id, type="complete")
            )
        except _OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise

    async def cleanup_operation(self, operation_id: str) -> None:
        self.contexts.pop(operation_id, None)
        await super().cleanup_operation(operation_id)


class LegacyWSHandler(BaseGraphQLWSHandler[HubContext, None]):
    """The legacy ``graphql-ws`` subprotocol through the same gate (only when enabled)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = Gate(cast("HubGraphQL", self.view), cast(WebSocket, self.context.request))
        self.contexts: dict[str, HubContext] = {}

    async def handle(self) -> None:
        await self.gate.guard(self.websocket.close, super().handle)

    async def handle_connection_init(self, message: LegacyInitMessage) -> None:
        refused = await self.gate.init(message.get("payload"))
        if refused is not None:
            await self.websocket.close(*refused)
            return
        await super().handle_connection_init(message)

    async def handle_start(self, message: StartMessage) -> None:
        view = cast("HubGraphQL", self.view)
        operation_id = message.get("id")
        payload = message.get("payload")
        problem = payload_problem(payload)
        if not isinstance(operation_id, str) or not 0 < len(operation_id) <= MAX_OPERATION_ID:
            problem = "a start message needs a string id"
        if problem is not None:
            await self.websocket.close(BAD_MESSAGE, problem)
            return
        maximum = view.settings.ws_max_operations_per_connection
        if operation_id not in self.tasks and len(self.tasks) >= maximum:
            await self.websocket.close(
                TOO_MANY, f"too many operations at once on this connection: at most {maximum}"
            )
            return
        admitted = await self.gate.admit(cast(dict[str, Any], payload))
        if not isinstance(admitted, Admitted):
            await self.send_message(
                {"type": "error", "id": operation_id, "payload": admitted[0]}  # type: ignore[typeddict-item]
            )
            return
        self.contexts[operation_id] = admitted.context
        message = {
            **message,
            "payload": {
                "query": admitted.data.query,
                "variables": admitted.data.variables,
                "operationName": admitted.data.operation_name,
            },
        }  # type: ignore[assignment]
        await super().handle_start(message)

    async def handle_async_results(
        self,
        operation_id: str,
        query: str,
        operation_name: str | None,
        variables: dict[str, object] | None,
    ) -> None:
        # Strawberry's runs with the connection's context; each operation has its own here.
        connection_context = self.context
        self.context = self.contexts.pop(operation_id, connection_context)
        try:
            await super().handle_async_results(operation_id, query, operation_name, variables)
        finally:
            self.context = connection_context
