"""`hub serve` against slow, idle and too many clients (issue #12, 5: slowloris).

A real `hub serve` subprocess (on a migrated scratch database of the run's backend) with short
limits (HUB_SERVER_*), spoken to over raw sockets: a client that sends its headers too slowly,
one that sends nothing, one that idles past keep-alive and one whose body trickles are each cut
off within a bound; beyond the concurrency limit requests get 503; a WebSocket outlives the
header deadline; an ordinary request is not affected.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request, TextMessage

from hub.store.migrate import upgrade_to_head
from hub.store.session import create_engine
from tests.conftest import ScratchDatabases

REPO = Path(__file__).resolve().parents[2]
START_DEADLINE = 60.0  # seconds for `hub serve` to answer /healthz
DEADLINE = 1.0  # seconds: the header, body and keep-alive timeouts of the hub under test
BOUND = 3 * DEADLINE  # a functional bound, not a benchmark: later counts as never
CONCURRENCY = 4
HEAD = b"POST /graphql HTTP/1.1\r\nHost: hub.test\r\nContent-Type: application/json\r\n"


@pytest.fixture(scope="module")
async def hub(scratch: ScratchDatabases) -> AsyncIterator[tuple[str, int]]:
    """`hub serve` with one-second deadlines and a concurrency limit of 4, shared by the
    module's tests; (host, port)."""
    url = await scratch.create()
    engine = create_engine(url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        HUB_DATABASE_URL=url,
        HUB_LIMITS_ENABLED="false",
        HUB_SERVER_HEADER_TIMEOUT_SECONDS=str(DEADLINE),
        HUB_SERVER_BODY_TIMEOUT_SECONDS=str(DEADLINE),
        HUB_SERVER_KEEP_ALIVE_SECONDS=str(int(DEADLINE)),
        HUB_SERVER_LIMIT_CONCURRENCY=str(CONCURRENCY),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        env=env,
        cwd=REPO,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            async with asyncio.timeout(START_DEADLINE):
                while True:
                    assert process.returncode is None, "hub serve exited"
                    try:
                        if (await http.get("/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.1)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        try:
            async with asyncio.timeout(20):
                await process.wait()
        except TimeoutError:  # a connection it still waits for: this test's failure, not ours
            process.kill()
            await process.wait()


async def closed_after(reader: asyncio.StreamReader) -> tuple[float, bytes]:
    """Seconds until the server closes the connection, and what it sent before."""
    started = time.monotonic()
    async with asyncio.timeout(10):  # a functional patience: BOUND is far below
        received = await reader.read()  # until EOF
    return time.monotonic() - started, received


def request(body: bytes = b'{"query":"{ __typename }"}') -> bytes:
    return HEAD + b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


async def test_a_connection_that_sends_its_headers_too_slowly_is_closed_with_408(
    hub: tuple[str, int],
) -> None:
    """Headers trickling one byte at a time, each within the keep-alive time, are cut off at
    the header deadline with 408 and the connection closed."""
    reader, writer = await asyncio.open_connection(*hub)
    started = time.monotonic()

    async def trickle() -> None:
        for byte in HEAD + b"X-Slow: " + b"a" * 100:
            try:
                writer.write(bytes([byte]))
                await writer.drain()
            except ConnectionError:
                return  # closed by the server
            await asyncio.sleep(0.1)

    sending = asyncio.create_task(trickle())
    try:
        _, received = await closed_after(reader)
    finally:
        sending.cancel()
        writer.close()
    assert time.monotonic() - started < BOUND
    assert received.startswith(b"HTTP/1.1 408 "), received


async def test_a_connection_that_sends_nothing_is_closed(hub: tuple[str, int]) -> None:
    """A connection opened and left silent is closed at the header deadline, without an
    answer (there was no request to answer)."""
    reader, writer = await asyncio.open_connection(*hub)
    try:
        seconds, received = await closed_after(reader)
    finally:
        writer.close()
    assert DEADLINE * 0.5 < seconds < BOUND and received == b""


async def test_an_idle_keep_alive_connection_is_closed(hub: tuple[str, int]) -> None:
    """After its answer, a keep-alive connection that sends nothing more is closed after the
    keep-alive timeout."""
    reader, writer = await asyncio.open_connection(*hub)
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: hub.test\r\n\r\n")
        await writer.drain()
        status = await reader.readline()
        assert status.startswith(b"HTTP/1.1 200"), status
        seconds, _ = await closed_after(reader)
    finally:
        writer.close()
    assert seconds < BOUND


async def test_a_body_that_arrives_too_slowly_is_answered_408(hub: tuple[str, int]) -> None:
    """Complete headers, then a body that stops halfway: 408 with a GraphQL-shaped error at the
    body deadline, and the connection closed."""
    reader, writer = await asyncio.open_connection(*hub)
    body = b'{"query":"{ __typename }"}'
    try:
        writer.write(HEAD + b"Content-Length: %d\r\n\r\n%s" % (len(body), body[:10]))
        await writer.drain()
        seconds, received = await closed_after(reader)
    finally:
        writer.close()
    assert seconds < BOUND
    assert received.startswith(b"HTTP/1.1 408 "), received
    assert b'"code": "BAD_USER_INPUT"' in received and b"requestId" in received


async def status_of_a_request(hub: tuple[str, int]) -> bytes:
    """The status line of a POST /graphql on a new connection."""
    reader, writer = await asyncio.open_connection(*hub)
    try:
        writer.write(request())
        await writer.drain()
        async with asyncio.timeout(30):
            return await reader.readline()
    finally:
        writer.close()


async def test_requests_beyond_the_concurrency_limit_get_503(hub: tuple[str, int]) -> None:
    """With as many connections open as the limit, a further request is refused with 503; once
    they are gone, requests are served again."""
    assert (await status_of_a_request(hub)).startswith(b"HTTP/1.1 200")
    held = [await asyncio.open_connection(*hub) for _ in range(CONCURRENCY)]
    try:
        status = await status_of_a_request(hub)
    finally:
        for _, idle in held:
            idle.close()
    assert status.startswith(b"HTTP/1.1 503"), status
    await asyncio.sleep(0.2)
    assert (await status_of_a_request(hub)).startswith(b"HTTP/1.1 200")


async def test_a_websocket_outlives_the_header_deadline(hub: tuple[str, int]) -> None:
    """A graphql-transport-ws connection, once upgraded, is not cut by the header deadline: it
    still answers connection_init after twice that time."""
    reader, writer = await asyncio.open_connection(*hub)
    try:
        texts = await _init_after_the_header_deadline(reader, writer)
    finally:
        writer.close()
    assert "connection_ack" in texts[0]


async def _init_after_the_header_deadline(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> list[str]:
    ws = WSConnection(ConnectionType.CLIENT)
    writer.write(
        ws.send(Request(host="hub.test", target="/graphql", subprotocols=["graphql-transport-ws"]))
    )
    await writer.drain()
    events: list[object] = []
    async with asyncio.timeout(10):
        while not any(isinstance(e, AcceptConnection) for e in events):
            ws.receive_data(await reader.read(4096))
            events += list(ws.events())
    await asyncio.sleep(2 * DEADLINE)
    writer.write(ws.send(TextMessage(data='{"type":"connection_init","payload":{}}')))
    await writer.drain()
    texts: list[str] = []
    async with asyncio.timeout(10):
        while not texts:
            data = await reader.read(4096)
            assert data, "the server closed the WebSocket"
            ws.receive_data(data)
            texts += [e.data for e in ws.events() if isinstance(e, TextMessage)]
    return texts
