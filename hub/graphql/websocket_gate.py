"""The gate of a WebSocket connection to /graphql: who it is, how many connections its client
holds, and the admission of each of its operations.

- **The viewer**: the handshake's ``Authorization`` header, or the credential in the
  ``connection_init`` payload (``{"authorization": "Bearer …"}``: browsers cannot set headers on
  a WebSocket), checked like HTTP's header. One that does not check out is remembered and every
  operation fails with UNAUTHENTICATED — never the public's view.
- **Connections per client** (``ConnectionCounts``, in this process): over
  ``ws_max_connections_per_client`` the connection is closed with 4429; the database unreachable
  while the credential is checked closes it with 1013 (try again later).
- **Each operation** gets a context of its own and passes ``HubGraphQL.admit`` (rate, trusted
  documents), as an HTTP request does.

Both subprotocols' handlers (``hub.graphql.websocket``) go through one ``Gate``.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import GraphQLFormattedError
from starlette.websockets import WebSocket
from strawberry.http import GraphQLRequestData

from hub.domain.access import PUBLIC, Principal
from hub.errors import DatabaseUnavailable, HubError, Unauthenticated
from hub.graphql.context import HubContext
from hub.graphql.errors import coded_error
from hub.graphql.limits import client_key
from hub.store.session import database_unavailable

if TYPE_CHECKING:
    from hub.graphql.view import HubGraphQL

logger = logging.getLogger("hub.graphql.websocket")

PAYLOAD_KEY = "authorization"
"""The key of the credential in the ``connection_init`` payload (any case)."""

# Close codes: RFC 6455's 1013 and the protocol's 4429.
TRY_AGAIN_LATER = 1013
TOO_MANY = 4429


def credential_of(payload: object) -> str | None:
    """The ``authorization`` value of a connection_init payload, if it carries one."""
    if not isinstance(payload, dict):
        return None
    for key, value in payload.items():
        if isinstance(key, str) and key.lower() == PAYLOAD_KEY:
            return value if isinstance(value, str) else ""
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

    async def admit(self, payload: dict[str, Any]) -> Admitted | list[GraphQLFormattedError]:
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
