"""Both doors of a served hub, for the tests that compare them (tests/e2e/test_websocket_door.py,
tests/e2e/test_door_parity.py): the ``serve`` fixture and the helpers of one WebSocket operation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.app import create_app
from hub.config import Settings
from tests.conftest import DEMO_TODAY
from tests.loopback import served
from tests.ws_client import WebSocketClient

Serve = Callable[..., Any]


@pytest.fixture
def serve(engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]) -> Serve:
    """``async with serve(settings) as url``: the hub on the test's transaction, over HTTP."""

    @asynccontextmanager
    async def run(settings: Settings) -> AsyncIterator[str]:
        app = create_app(
            settings, engine=engine, sessionmaker=sessionmaker, clock=lambda: DEMO_TODAY
        )
        async with served(app, lifespan="off") as url:
            yield url

    return run


async def ws_operation(ws: WebSocketClient, payload: dict[str, Any], id: str = "1") -> Any:
    """Run one operation on an acknowledged connection; its result as an HTTP body would be."""
    await ws.send_json({"id": id, "type": "subscribe", "payload": payload})
    message = await ws.receive_json()
    assert message["id"] == id, message
    if message["type"] == "error":
        return {"errors": message["payload"]}
    assert message["type"] == "next", message
    done = await ws.receive_json()
    assert done == {"id": id, "type": "complete"}, done
    return message["payload"]


def comparable(body: dict[str, Any]) -> dict[str, Any]:
    """An answer without what differs between two requests (the request id)."""
    errors = [
        {
            "message": e["message"],
            "code": (e.get("extensions") or {}).get("code"),
            "path": e.get("path"),
        }
        for e in body.get("errors", [])
    ]
    for error in body.get("errors", []):
        assert (error.get("extensions") or {}).get("requestId"), error
    return {"data": body.get("data"), "errors": errors}
