"""Fault test: a frozen PostgreSQL does not hang the WebSocket door either.

Like tests/integration/test_faults_hung_database.py for HTTP: the private cluster's processes
are stopped (SIGSTOP). A connection opening with an API key (checked against the database) is
closed with 1013 (try again later) and a reason within the bound; an operation on a connection
opened before the freeze answers DATABASE_UNAVAILABLE within the bound.
"""

from __future__ import annotations

import time

import pytest

from hub.app import create_app
from hub.store.session import engine_from_settings
from tests.conftest import DEMO_TODAY, backend_name
from tests.integration.test_faults_hung_database import BOUND, frozen, timeouts
from tests.integration.test_faults_postgres import QUERY, prepared_database
from tests.loopback import served
from tests.private_postgres import private_postgres
from tests.ws_client import Closed, connect


@pytest.mark.skipif(
    backend_name() != "postgresql",
    reason="runs in the PostgreSQL run of the suite (on a private cluster, not the shared one)",
)
async def test_a_frozen_postgres_closes_or_fails_websocket_work_within_the_bound() -> None:
    """The handshake's credential cannot be checked: close 1013; an operation: a coded error."""
    with private_postgres() as server:
        url, reader, _ = await prepared_database(server)
        settings = timeouts(url)
        engine = engine_from_settings(settings)
        app = create_app(settings, engine=engine, clock=lambda: DEMO_TODAY)
        headers = [("Authorization", f"Bearer {reader}")]
        try:
            async with served(app) as base_url, connect(base_url, headers=headers) as before:
                await before.send_json({"type": "connection_init"})
                assert (await before.receive_json())["type"] == "connection_ack"
                with frozen(server):
                    started = time.monotonic()
                    async with connect(base_url, headers=headers, within=BOUND) as opening:
                        with pytest.raises(Closed) as closed:
                            await opening.receive_json(within=BOUND)
                    opened_in = time.monotonic() - started

                    started = time.monotonic()
                    payload = {"query": QUERY}
                    await before.send_json({"id": "1", "type": "subscribe", "payload": payload})
                    answer = await before.receive_json(within=BOUND)
                    answered_in = time.monotonic() - started
        finally:
            await engine.dispose()
    assert closed.value.code == 1013 and "database" in closed.value.reason, closed.value
    assert opened_in < BOUND, opened_in
    assert answered_in < BOUND, answered_in
    errors = answer["payload"] if answer["type"] == "error" else answer["payload"]["errors"]
    assert {e["extensions"]["code"] for e in errors} == {"DATABASE_UNAVAILABLE"}, answer
