"""The credential of a subscription sent in graphql-transport-ws's ``connection_init``.

Browsers cannot set headers on a WebSocket, so the console sends its staff token in the
``connection_init`` payload as ``{"authorization": "Bearer …"}``. ``hub.app.HubGraphQL`` uses
``CredentialTransportWSHandler`` for the protocol: the payload's credential is checked exactly
like the ``Authorization`` header (API key or staff token) and, when it checks out, the
connection's operations run as that principal. One that does not check out is remembered, the
connection is still acknowledged, and every operation on it fails with ``UNAUTHENTICATED`` —
never the public's view. Without the key in the payload the handshake's header counts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)

from hub.domain.access import Principal
from hub.errors import Unauthenticated
from hub.graphql.context import HubContext

PAYLOAD_KEY = "authorization"
"""The key of the credential in the ``connection_init`` payload (any case)."""

Authenticate = Callable[[str], Awaitable[Principal]]


def credential_of(payload: object) -> str | None:
    """The ``authorization`` value of a connection_init payload, if it carries one."""
    if not isinstance(payload, dict):
        return None
    for key, value in payload.items():
        if isinstance(key, str) and key.lower() == PAYLOAD_KEY:
            return value if isinstance(value, str) else ""
    return None


class CredentialTransportWSHandler(BaseGraphQLTransportWSHandler[HubContext, None]):
    """graphql-transport-ws with the connection_init credential (see the module's doc).

    The view provides ``authenticate_ws(authorization) -> Principal`` (raising
    ``Unauthenticated``).
    """

    refusal: Unauthenticated | None = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        authorization = credential_of(message.get("payload"))
        if authorization is not None and not self.connection_init_received:
            authenticate: Authenticate = self.view.authenticate_ws  # type: ignore[attr-defined]
            try:
                if not authorization.strip():
                    raise Unauthenticated("the connection_init authorization is empty")
                principal = await authenticate(authorization)
            except Unauthenticated as exc:
                self.refusal = exc
            else:
                # A fresh context for the principal (its DataLoaders are built for the viewer).
                self.context = dataclasses.replace(self.context, viewer=principal)
        await super().handle_connection_init(message)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.refusal is not None and self.connection_acknowledged:
            extensions = {
                **self.refusal.extensions(),
                "requestId": self.context.request_id,
            }
            await self.send_message(
                {
                    "id": message["id"],
                    "type": "error",
                    "payload": [{"message": self.refusal.message, "extensions": extensions}],
                }
            )
            return
        await super().handle_subscribe(message)
