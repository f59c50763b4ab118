"""Limits of ``hub serve`` against slow, idle and too many clients ("slowloris").

uvicorn bounds an idle keep-alive connection (``timeout_keep_alive``) and the number of
connections and requests in progress (``limit_concurrency``, 503 above it), but not the time a
client takes to send its request: a connection that never completes its headers, or its body, is
held for ever. Two guards close that gap:

- ``head_deadline_protocol``: uvicorn's HTTP protocol with a deadline on the request line and
  headers, from the connection's opening (or the first byte after a response) to the end of the
  head; past it the connection gets 408 and is closed. The app never sees such a request: only
  the protocol can bound it.
- ``BodyDeadline``: ASGI middleware bounding the time from the head to the last byte of the body;
  past it the app is told the client left (``http.disconnect``) and the client gets 408.

``server_config`` builds the uvicorn ``Config`` of ``hub serve`` with both guards and every
limit from the settings (HUB_SERVER_*); docs/operations.md explains them with the proxy's.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.config import Settings
from hub.errors import ErrorCode
from hub.observability.requests import settle_request_id

_HEAD_TIMEOUT_BODY = b"the request line and headers did not arrive in time\n"
_HEAD_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: %d\r\n"
    b"connection: close\r\n"
    b"\r\n%s" % (len(_HEAD_TIMEOUT_BODY), _HEAD_TIMEOUT_BODY)
)


def head_deadline_protocol(seconds: float, base: type[asyncio.Protocol] | None = None) -> type:
    """uvicorn's HTTP protocol class (``base``, by default the one uvicorn picks: httptools when
    installed, else h11) with a deadline of ``seconds`` on each request's line and headers."""
    if base is None:
        from uvicorn.protocols.http.auto import AutoHTTPProtocol

        base = AutoHTTPProtocol

    class HeadDeadline(base):  # type: ignore[valid-type,misc]
        """The base protocol; a connection whose request head is late is answered 408 and
        closed."""

        head_timeout = seconds
        _head_timer: asyncio.TimerHandle | None = None
        _head_begun = False  # a byte of the awaited head has arrived

        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(transport)
            # Also an idle new connection: uvicorn's keep-alive timer starts after a response.
            self._arm_head_timer()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.transport.get_protocol() is not self:  # upgraded to a WebSocket
                self._cancel_head_timer()
            elif self._awaiting_head():
                self._head_begun = True
                if self._head_timer is None:  # after a response: from the next request's start
                    self._arm_head_timer()
            else:
                self._cancel_head_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_head_timer()
            super().connection_lost(exc)

        def _awaiting_head(self) -> bool:
            cycle = self.cycle
            return cycle is None or bool(cycle.response_complete)

        def _arm_head_timer(self) -> None:
            self._cancel_head_timer()
            self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

        def _cancel_head_timer(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None
            self._head_begun = False

        def _head_timed_out(self) -> None:
            self._head_timer = None
            transport = self.transport
            if transport.is_closing() or transport.get_protocol() is not self:
                return
            if not self._awaiting_head():
                return
            if self._head_begun:  # a client that began a request learns why it ends
                transport.write(_HEAD_TIMEOUT_RESPONSE)
            transport.close()

    HeadDeadline.__qualname__ = HeadDeadline.__name__ = f"HeadDeadline{base.__name__}"
    return HeadDeadline


class BodyDeadline:
    """ASGI middleware: an HTTP request's body must have arrived ``seconds`` after its head.

    Late, the app receives ``http.disconnect`` (as if the client had left; whatever it answers
    is dropped) and the client gets 408 with a GraphQL-shaped error, and the connection closes.
    Messages after the body (the wait for a disconnect while streaming) are not bounded.
    """

    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    def __repr__(self) -> str:
        return f"BodyDeadline({self.app!r}, seconds={self.seconds})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.seconds
        body_done = False
        timed_out = False
        started = False

        async def receive_by_deadline() -> Message:
            nonlocal body_done, timed_out
            if body_done or timed_out:
                return await receive() if not timed_out else {"type": "http.disconnect"}
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                timed_out = True
                return {"type": "http.disconnect"}
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def send_unless_timed_out(message: Message) -> None:
            nonlocal started
            if timed_out:
                return  # the app's answer to a disconnect it was told of
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive_by_deadline, send_unless_timed_out)
        except Exception:
            if not timed_out:
                raise
            # The app's reaction to the disconnect (starlette's ClientDisconnect …): expected.
        if timed_out and not started:
            await self._send_timeout(scope, send)

    async def _send_timeout(self, scope: Scope, send: Send) -> None:
        request_id = settle_request_id(scope)
        body = json.dumps(
            {
                "errors": [
                    {
                        "message": f"the request body did not arrive within {self.seconds:g} s",
                        "extensions": {
                            "code": ErrorCode.BAD_USER_INPUT.value,
                            "requestId": request_id,
                        },
                    }
                ]
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 408,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                    (b"x-request-id", request_id.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def guarded_app(app: ASGIApp, settings: Settings) -> ASGIApp:
    """The app as ``hub serve`` serves it: behind the body deadline."""
    return BodyDeadline(app, seconds=settings.server_body_timeout_seconds)


def server_config(app: ASGIApp, settings: Settings, **options: Any) -> uvicorn.Config:
    """The uvicorn configuration of ``hub serve``: the guarded app and every limit of the
    settings (HUB_SERVER_*); ``options`` are further ``uvicorn.Config`` arguments (host, port,
    logging)."""
    return uvicorn.Config(
        guarded_app(app, settings),
        http=head_deadline_protocol(settings.server_header_timeout_seconds),
        timeout_keep_alive=settings.server_keep_alive_seconds,
        limit_concurrency=settings.server_limit_concurrency,
        h11_max_incomplete_event_size=settings.server_max_header_bytes,
        timeout_graceful_shutdown=settings.server_graceful_shutdown_seconds,
        ws_ping_interval=settings.server_ws_ping_interval_seconds,
        ws_ping_timeout=settings.server_ws_ping_timeout_seconds,
        ws_max_size=settings.server_ws_max_size_bytes,
        **options,
    )
