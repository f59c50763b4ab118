"""A subscription's credential may come in graphql-transport-ws's connection_init payload.

Browsers (the console) cannot set headers on a WebSocket, so they send
``{"authorization": "Bearer …"}`` in ``connection_init``; it is checked like the header.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.testclient import TestClient

from hub.app import create_app
from hub.config import Settings
from hub.services import identity

VIEWER = {"query": "{ viewer { authenticated unitCode role } }"}
FINDINGS = {"query": "subscription { findingOpened { rule } }"}


@pytest.fixture
def settings_on_test_db(engine: AsyncEngine, tmp_path: Path) -> Settings:
    """Settings of an app with its own engine on the test database and its own dev key."""
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        dev_signing_key_file=tmp_path / "dev-key.pem",
    )


def _token(settings: Settings, unit_code: str) -> str:
    return identity.issue_token(
        identity.dev_signing_key(settings.dev_signing_key_file),
        unit_code=unit_code,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        now=datetime.now(UTC),
    )


def _operation(settings: Settings, init: dict[str, Any], operation: dict[str, Any]) -> Any:
    """Connect, send connection_init with ``init`` as payload, run one operation; its first
    message (``next`` or ``error``)."""
    app = create_app(settings, check_migrations=False)
    with (
        TestClient(app) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": init})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": operation})
        first = ws.receive_json()
        ws.send_json({"id": "1", "type": "complete"})
        return first


def test_a_staff_token_in_connection_init_is_the_connections_principal(
    settings_on_test_db: Settings,
) -> None:
    """With a staff token in the payload, operations on the connection run as its unit."""
    token = _token(settings_on_test_db, "town-150627100")
    message = _operation(settings_on_test_db, {"authorization": f"Bearer {token}"}, VIEWER)
    assert message["type"] == "next"
    assert message["payload"]["data"]["viewer"] == {
        "authenticated": True,
        "unitCode": "town-150627100",
        "role": "town",
    }


def test_a_token_in_connection_init_opens_the_findings_subscription(
    settings_on_test_db: Settings,
) -> None:
    """findingOpened (closed to the public) starts for a token sent in the payload: the
    connection answers a ping before any message about the subscription."""
    token = _token(settings_on_test_db, "zjj")
    app = create_app(settings_on_test_db, check_migrations=False)
    with (
        TestClient(app) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": FINDINGS})
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["type"] == "pong"
        ws.send_json({"id": "1", "type": "complete"})


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-token", "Bearer hub_malformed", "Basic abc", ""],
    ids=["bad-token", "malformed-key", "wrong-scheme", "empty"],
)
def test_a_bad_credential_in_connection_init_fails_operations_unauthenticated(
    settings_on_test_db: Settings, authorization: str
) -> None:
    """A credential that does not check out fails every operation with UNAUTHENTICATED —
    even a query the public could answer (never the public's view)."""
    message = _operation(settings_on_test_db, {"authorization": authorization}, VIEWER)
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in message["payload"][0]


def test_without_a_credential_the_connection_is_the_public(
    settings_on_test_db: Settings,
) -> None:
    """No credential in the payload nor the header: the anonymous public, as over HTTP."""
    message = _operation(settings_on_test_db, {}, VIEWER)
    assert message["type"] == "next"
    assert message["payload"]["data"]["viewer"]["authenticated"] is False
