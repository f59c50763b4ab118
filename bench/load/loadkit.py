"""The load generator of bench/load/run.py: keep-alive HTTP/1.1 connections over loopback, each
driven by one client coroutine for a fixed time, and the summary of what they saw.

The client writes each request in one ``write`` and reads the answer by its Content-Length: a
few microseconds of work per request, so that on a two-core machine the load generator takes as
little CPU as possible from the server it measures (httpx costs several hundred microseconds a
request in Python, which would cap the figures at the client's speed rather than the server's).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


class Broken(Exception):
    """The server answered something that is not a complete HTTP/1.1 response."""


class Connection:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """POST ``body``; the status and the body of the answer."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
        )
        self.writer.write(head.encode("latin-1") + body)
        assert self.reader is not None
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        try:
            status = int(lines[0].split(" ", 2)[1])
        except (IndexError, ValueError):
            raise Broken(lines[0]) from None
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        if length is None:
            raise Broken("no Content-Length")
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
            self.writer = None


@dataclass
class Tally:
    """What the clients of one phase saw."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def ok(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)

    def error(self, kind: str, what: str) -> None:
        self.errors[kind] += 1
        if len(self.examples) < 5:
            self.examples.append(f"{kind}: {what[:300]}")


Step = Callable[[Connection, Tally], Awaitable[None]]
"""One request of a client (it times itself and reports to the tally)."""


async def run_clients(
    *, host: str, port: int, clients: int, seconds: float, step: Callable[[int], Step]
) -> tuple[Tally, float]:
    """``clients`` coroutines, each on its own connection, repeating ``step(i)`` until the time
    is up; the tally and the elapsed seconds."""
    tally = Tally()
    deadline = time.perf_counter() + seconds

    async def client(index: int) -> None:
        connection = Connection(host, port)
        do = step(index)
        try:
            while time.perf_counter() < deadline:
                try:
                    await do(connection, tally)
                except (OSError, asyncio.IncompleteReadError, Broken) as exc:
                    tally.error("connection", repr(exc))
                    await connection.close()
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return tally, time.perf_counter() - started


async def timed_post(
    connection: Connection,
    tally: Tally,
    kind: str,
    path: str,
    payload: bytes,
    headers: dict[str, str],
    *,
    decode: bool = True,
) -> Any:
    """POST and time one GraphQL request; an HTTP error or a GraphQL error is counted as an
    error of ``kind``. Returns the decoded body (None on error, or when not ``decode``)."""
    started = time.perf_counter()
    status, body = await connection.post(path, payload, headers)
    seconds = time.perf_counter() - started
    if status != 200 or b'"errors"' in body:
        tally.error(kind, f"HTTP {status}: {body[:300].decode('utf-8', 'replace')}")
        return None
    tally.ok(kind, seconds)
    return json.loads(body) if decode else None


def summary(tally: Tally, elapsed: float) -> dict[str, Any]:
    """Throughput, percentiles (ms) and errors, overall and per kind of request."""

    def figures(samples: list[float]) -> dict[str, Any]:
        if len(samples) < 2:
            return {"n": len(samples)}
        cuts = statistics.quantiles(samples, n=100, method="inclusive")
        return {
            "n": len(samples),
            "p50_ms": round(statistics.median(samples) * 1000, 2),
            "p95_ms": round(cuts[94] * 1000, 2),
            "p99_ms": round(cuts[98] * 1000, 2),
            "max_ms": round(max(samples) * 1000, 2),
        }

    everything = [s for samples in tally.latencies.values() for s in samples]
    return {
        "elapsed_seconds": round(elapsed, 2),
        "requests": len(everything),
        "requests_per_second": round(len(everything) / elapsed, 1),
        **figures(everything),
        "errors": sum(tally.errors.values()),
        "errors_by_kind": dict(tally.errors),
        "error_examples": tally.examples,
        "by_kind": {kind: figures(samples) for kind, samples in sorted(tally.latencies.items())},
    }
