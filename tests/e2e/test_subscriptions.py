"""Subscriptions are served over graphql-transport-ws at /graphql (findingOpened, issue #5)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.testclient import TestClient

from hub.app import create_app
from hub.config import Settings
from hub.domain.access import Role
from hub.services import identity
from hub.store.models import ApiClient

SUBSCRIBE = {
    "id": "1",
    "type": "subscribe",
    "payload": {"query": "subscription { findingOpened { rule } }"},
}


def _connect(client: TestClient, headers: dict[str, str]) -> Any:
    return client.websocket_connect(
        "/graphql", subprotocols=["graphql-transport-ws"], headers=headers
    )


def test_the_websocket_endpoint_speaks_graphql_transport_ws() -> None:
    """Text frames, connection_ack and ping/pong; a subscription without a credential is refused
    with the field's permission error (the public may not follow findings)."""
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"), check_migrations=False)
    with _connect(TestClient(app), {}) as ws:
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["type"] == "pong"
        ws.send_json(SUBSCRIBE)
        refused = ws.receive_json()
        assert refused["type"] == "next" and "credential" in str(refused["payload"]["errors"])


async def test_a_member_unit_subscribes_with_its_key(engine: AsyncEngine) -> None:
    """With an API key on the handshake the subscription starts (no error) and is completed.

    The app runs in the test client's own thread and event loop, so it gets its own engine on
    the test database, and the key is committed there (and deleted afterwards).
    """
    url = engine.url.render_as_string(hide_password=False)
    async with AsyncSession(engine) as session, session.begin():
        created = await identity.create_client(
            session, unit_code="zjj", role=Role.COMPETENT_DEPARTMENT, label="subscription test"
        )
        client_id = created.client.id
    try:
        app = create_app(Settings(database_url=url), check_migrations=False)
        headers = {"Authorization": f"Bearer {created.key}"}
        with TestClient(app) as client, _connect(client, headers) as ws:
            ws.send_json({"type": "connection_init"})
            assert ws.receive_json()["type"] == "connection_ack"
            ws.send_json(SUBSCRIBE)
            ws.send_json({"type": "ping"})
            assert ws.receive_json()["type"] == "pong"  # no error message came first
            ws.send_json({"id": "1", "type": "complete"})
    finally:
        async with AsyncSession(engine) as session, session.begin():
            await session.execute(sa.delete(ApiClient).where(ApiClient.id == client_id))
