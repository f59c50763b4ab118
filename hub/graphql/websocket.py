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
operation on it fails with UNAUTHENTICATED — never the public's view. The credential, the count
of connections and each operation's admission are the gate's (``hub.graphql.websocket_gate``).

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
from collections.abc import AsyncGenerator
from contextlib import suppress
from json import JSONDecodeError
from typing import TYPE_CHECKING, Any, cast

from graphql import GraphQLError
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
    ErrorMessage,
    Message,
    SubscribeMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ConnectionInitMessage as LegacyInitMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ErrorMessage as LegacyErrorMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.types import (
    StartMessage,
    StartMessagePayload,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from hub.graphql.context import HubContext
from hub.graphql.websocket_gate import TOO_MANY, Admitted, Gate
from hub.observability.requests import observed_operation

if TYPE_CHECKING:
    from hub.graphql.view import HubGraphQL

MAX_OPERATION_ID = 128
"""Longest operation id accepted (the protocol leaves it to the client; ids are kept per
connection, so they are bounded like everything else)."""

INCREMENTAL_REFUSED = "Incremental delivery is not supported over graphql-transport-ws"

# Close codes: the protocol's (4400, 4401, 4408, 4409; 4429 and 1013 are the gate's) and
# RFC 6455's 1009.
MESSAGE_TOO_BIG = 1009
BAD_MESSAGE = 4400


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
            await self.send_message(ErrorMessage(id=operation_id, type="error", payload=admitted))
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
                            await self._handle_pre_execution_error(operation, result)
                            return
                        if not isinstance(result, ExecutionResult):
                            # @defer/@stream frames, which `next` cannot carry (the hub's
                            # schema has neither directive): refused as strawberry does.
                            await operation.send_initial_errors([GraphQLError(INCREMENTAL_REFUSED)])
                            return
                        await operation.send_next(result)
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
                LegacyErrorMessage(type="error", id=operation_id, payload=admitted[0])
            )
            return
        self.contexts[operation_id] = admitted.context
        await super().handle_start({**message, "payload": _start_payload(admitted.data)})

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


def _start_payload(data: GraphQLRequestData) -> StartMessagePayload:
    """A legacy ``start`` payload of an admitted operation (its document resolved)."""
    # strawberry types the query as str, yet its handler passes what the client sent (None
    # when only extensions came) on to schema.subscribe, which refuses it as it should.
    payload: StartMessagePayload = {"query": data.query}  # type: ignore[typeddict-item]
    if data.variables is not None:
        payload["variables"] = data.variables
    if data.operation_name is not None:
        payload["operationName"] = data.operation_name
    return payload
