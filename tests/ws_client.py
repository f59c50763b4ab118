"""A WebSocket client over a real TCP socket, for tests that speak graphql-transport-ws to a
served hub (``hub serve`` in a subprocess, or ``tests.loopback.served``).

Built on wsproto, which the hub already installs for uvicorn: a client from another package
(``websockets``) would also switch uvicorn's own WebSocket implementation in the test run, so
the tests would no longer exercise the server that production runs.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any
from urllib.parse import urlsplit

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Ping,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)

GRAPHQL_TRANSPORT_WS = "graphql-transport-ws"


class Closed(Exception):
    """The connection was closed (or the handshake refused) before a message arrived."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed: {code} {reason}")
        self.code = code
        self.reason = reason


class WebSocketClient:
    """One client connection: ``send_json``, ``receive_json``; ``close_code`` once closed."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._pending: list[Event] = []
        self._text: list[str] = []
        self.accepted = False
        self.subprotocol: str | None = None
        self.rejected_status: int | None = None
        self.close_code: int | None = None
        self.close_reason = ""

    def __repr__(self) -> str:
        return f"<WebSocketClient accepted={self.accepted} close_code={self.close_code}>"

    async def _handshake(
        self, host: str, path: str, subprotocols: Sequence[str], headers: Any
    ) -> None:
        extra = [(k.lower().encode(), v.encode()) for k, v in headers]
        request = Request(
            host=host, target=path, subprotocols=list(subprotocols), extra_headers=extra
        )
        await self._write(self._ws.send(request))
        while not self.accepted and self.rejected_status is None and self.close_code is None:
            await self._read_events()

    async def _write(self, data: bytes) -> None:
        self._writer.write(data)
        await self._writer.drain()

    async def _read_events(self) -> None:
        data = await self._reader.read(65536)
        self._ws.receive_data(data or None)
        for event in self._ws.events():
            if isinstance(event, AcceptConnection):
                self.accepted, self.subprotocol = True, event.subprotocol
            elif isinstance(event, RejectConnection):
                self.rejected_status = event.status_code
                if not event.has_body:
                    self.close_code = self.close_code or 1006
            elif isinstance(event, RejectData):
                if event.body_finished:
                    self.close_code = self.close_code or 1006
            elif isinstance(event, Ping):
                await self._write(self._ws.send(event.response()))
            elif isinstance(event, CloseConnection):
                self.close_code, self.close_reason = event.code, event.reason or ""
                with suppress(Exception):
                    await self._write(self._ws.send(event.response()))
            elif isinstance(event, TextMessage | BytesMessage):
                self._pending.append(event)
        if not data and self.close_code is None:
            self.close_code = 1006  # the server dropped the socket without a close frame

    async def send_json(self, message: dict[str, Any]) -> None:
        """Send one text frame holding the JSON of ``message``."""
        await self._write(self._ws.send(TextMessage(data=json.dumps(message, ensure_ascii=False))))

    async def receive_json(self, *, within: float = 10.0) -> dict[str, Any]:
        """The next whole message, decoded; ``Closed`` if the connection ends first."""
        async with asyncio.timeout(within):
            while True:
                while self._pending:
                    event = self._pending.pop(0)
                    chunk = event.data if isinstance(event.data, str) else event.data.decode()
                    self._text.append(chunk)
                    if event.message_finished:
                        text, self._text = "".join(self._text), []
                        decoded: dict[str, Any] = json.loads(text)
                        return decoded
                if self.close_code is not None:
                    raise Closed(self.close_code, self.close_reason)
                await self._read_events()

    async def close(self) -> None:
        """Say goodbye (code 1000) if still open, and close the socket."""
        if self.accepted and self.close_code is None:
            with suppress(Exception):
                await self._write(self._ws.send(CloseConnection(code=1000)))
        self._writer.close()
        with suppress(Exception):
            await self._writer.wait_closed()


@asynccontextmanager
async def connect(
    base_url: str,
    path: str = "/graphql",
    *,
    subprotocols: Sequence[str] = (GRAPHQL_TRANSPORT_WS,),
    headers: Sequence[tuple[str, str]] = (),
    within: float = 10.0,
) -> AsyncIterator[WebSocketClient]:
    """Open a WebSocket to ``base_url`` (``http://host:port``) at ``path``; the handshake is done
    (accepted, or refused: see ``accepted`` and ``rejected_status``) when the block starts,
    within ``within`` seconds."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    reader, writer = await asyncio.open_connection(host, port)
    client = WebSocketClient(reader, writer)
    try:
        async with asyncio.timeout(within):
            await client._handshake(f"{host}:{port}", path, subprotocols, headers)
        yield client
    finally:
        await client.close()
