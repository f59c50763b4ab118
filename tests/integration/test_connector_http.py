"""The shared connector HTTP client against real HTTP: scripted Starlette upstreams over httpx's
ASGI transport (and a loopback socket), with the sleep and clocks injected so nothing waits.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import inspect
import logging
import random
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.core import (
    CursorPaging,
    OffsetPaging,
    Page,
    PageNumberPaging,
    PageToken,
    Paging,
    StreamSpec,
    Window,
)
from connectors.errors import (
    CircuitOpen,
    PagingLoop,
    RetryAfterTooLong,
    UpstreamAuthFailed,
    UpstreamProtocolError,
    UpstreamUnavailable,
)
from connectors.http import (
    ApiKeyAuth,
    Auth,
    BreakerPolicy,
    CircuitBreaker,
    HmacSigning,
    OAuth2ClientCredentials,
    RetryPolicy,
    Timeouts,
    UpstreamClient,
    hmac_canonical,
)
from connectors.paging import iter_pages
from hub.sync.translate import upstream_error

BASE_URL = "http://ordos.test"
WINDOW = Window(
    lower=datetime(2026, 11, 24, 4, 0, tzinfo=UTC), upper=datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
)

API_KEY = "key-6f1d2c9a-api-secret"
CLIENT_SECRET = "cs-93b7e0a4-client-secret"
HMAC_SECRET = "hs-5a8c1f27-hmac-secret"
QUERY_SECRET = "qs-0d4e7b3c-query-secret"


# ---------------------------------------------------------------------------------------------
# A scripted upstream, and a client wired to it.
# ---------------------------------------------------------------------------------------------


@dataclass
class Seen:
    """One request as the upstream received it."""

    method: str
    path: str
    raw_target: str  # raw path plus '?' and raw query, as on the wire
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes


Handler = Callable[[Request, Seen], Response | Awaitable[Response]]


class Upstream:
    """A Starlette app whose routes answer from handlers or scripts; it records every request."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.handlers: dict[str, Handler] = {}
        self.app = Starlette(
            routes=[Route("/{path:path}", self._endpoint, methods=["GET", "POST"])]
        )

    def on(self, path: str, handler: Handler) -> None:
        self.handlers[path] = handler

    def script(self, path: str, *responses: Callable[[], Response]) -> None:
        """Answer ``path`` with each response in turn; the last one repeats."""
        queue = list(responses)

        def handle(request: Request, seen: Seen) -> Response:
            make = queue.pop(0) if len(queue) > 1 else queue[0]
            return make()

        self.on(path, handle)

    def to(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == path]

    async def _endpoint(self, request: Request) -> Response:
        query = request.scope["query_string"].decode()
        raw_path = request.scope.get("raw_path") or request.scope["path"].encode()
        seen = Seen(
            method=request.method,
            path=request.url.path,
            raw_target=raw_path.decode() + (f"?{query}" if query else ""),
            params=dict(request.query_params),
            headers=dict(request.headers),
            body=await request.body(),
        )
        self.seen.append(seen)
        answer = self.handlers[seen.path](request, seen)
        return await answer if inspect.isawaitable(answer) else answer


def ok(data: Any = None, **headers: str) -> Callable[[], Response]:
    return lambda: JSONResponse({"ok": True} if data is None else data, headers=headers)


def status(code: int, **headers: str) -> Callable[[], Response]:
    return lambda: JSONResponse({"error": code}, status_code=code, headers=headers)


def raw(body: bytes, code: int = 200) -> Callable[[], Response]:
    return lambda: Response(body, status_code=code, media_type="application/json")


class Sleeps:
    """The injected sleep: records what it was asked to wait, and returns at once."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(float(seconds))


class FakeClock:
    """A clock that moves only when the test says so."""

    def __init__(self, now: float = 1_795_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FlakyTransport(httpx.AsyncBaseTransport):
    """Refuses the first ``failures`` connections, then hands requests to the app."""

    def __init__(self, app: Starlette, *, failures: int) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.failures = failures

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.failures > 0:
            self.failures -= 1
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


def make_client(
    upstream: Upstream,
    sleeps: Sleeps,
    *,
    auth: Auth | None = None,
    retry: RetryPolicy | None = None,
    breaker: CircuitBreaker | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    base_url: str = BASE_URL,
) -> UpstreamClient:
    return UpstreamClient(
        source="ordos",
        base_url=base_url,
        auth=auth,
        transport=transport or httpx.ASGITransport(app=upstream.app),
        retry=retry or RetryPolicy(),
        breaker=breaker,
        sleep=sleeps,
        rng=random.Random(7),
    )


# ---------------------------------------------------------------------------------------------
# Retries
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [503, 500, 429, 408])
async def test_retryable_status_is_retried_until_success(code: int) -> None:
    """408, 429 and 5xx are retried with growing, jittered backoff until the upstream answers."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.script("/v1/x", status(code), status(code), ok({"n": 1}))
    async with make_client(upstream, sleeps) as client:
        data, stats = await client.get_json("/v1/x", op="read x")
    assert data == {"n": 1}
    assert stats.retries == 2
    assert stats.rate_limited == (2 if code == 429 else 0)
    assert len(upstream.to("/v1/x")) == 3
    first, second = sleeps.calls
    assert 0.5 <= first <= 1.0 and 1.0 <= second <= 1.5
    assert client.breaker.snapshot().state == "closed"


async def test_connection_error_is_retried_until_success() -> None:
    """A refused connection counts as a failed attempt and is retried."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.script("/v1/x", ok({"n": 2}))
    transport = FlakyTransport(upstream.app, failures=2)
    async with make_client(upstream, sleeps, transport=transport) as client:
        data, stats = await client.get_json("/v1/x", op="read x")
    assert (data, stats.retries, len(sleeps.calls)) == ({"n": 2}, 2, 2)
    assert len(upstream.seen) == 1


async def test_retries_exhausted_raise_upstream_unavailable_with_last_reason() -> None:
    """After the last attempt the error names the last status and the attempts, from the cause."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.script("/v1/x", status(503))
    breaker = CircuitBreaker(BreakerPolicy(failure_threshold=100))
    async with make_client(upstream, sleeps, breaker=breaker) as client:
        with pytest.raises(UpstreamUnavailable) as failed:
            await client.get_json("/v1/x", op="list enterprises")
    assert type(failed.value) is UpstreamUnavailable
    assert str(failed.value) == "ordos: list enterprises failed: 503 after 5 attempts"
    assert (failed.value.source, failed.value.op) == ("ordos", "list enterprises")
    # Where it crosses into the hub (the sync layer), it is the hub's UPSTREAM_UNAVAILABLE.
    assert upstream_error(failed.value).extensions() == {
        "source": "ordos",
        "op": "list enterprises",
        "reason": "503 after 5 attempts",
        "code": "UPSTREAM_UNAVAILABLE",
    }
    assert len(upstream.seen) == 5 and len(sleeps.calls) == 4
    assert all(delay <= RetryPolicy().backoff_max for delay in sleeps.calls)


async def test_retry_after_seconds_replaces_the_backoff() -> None:
    """A 429 with ``Retry-After: 7`` waits exactly 7 seconds, and counts as rate-limited."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.script("/v1/x", status(429, **{"Retry-After": "7"}), ok())
    async with make_client(upstream, sleeps) as client:
        _, stats = await client.get_json("/v1/x", op="read x")
    assert sleeps.calls == [7.0]
    assert (stats.retries, stats.rate_limited) == (1, 1)


async def test_retry_after_http_date_is_measured_against_the_response_date() -> None:
    """A 503 with an HTTP-date ``Retry-After`` waits until that date by the upstream's clock."""
    upstream, sleeps = Upstream(), Sleeps()
    headers = {
        "Date": "Wed, 25 Nov 2026 04:00:00 GMT",
        "Retry-After": "Wed, 25 Nov 2026 04:00:12 GMT",
    }
    upstream.script("/v1/x", status(503, **headers), ok())
    async with make_client(upstream, sleeps) as client:
        await client.get_json("/v1/x", op="read x")
    assert sleeps.calls == [12.0]


async def test_retry_after_beyond_the_cap_raises_without_waiting() -> None:
    """An upstream asking for more than the cap stops the call at once (the run ends PARTIAL)."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.script("/v1/x", status(429, **{"Retry-After": "120"}), ok())
    async with make_client(upstream, sleeps, retry=RetryPolicy(retry_after_cap=60)) as client:
        with pytest.raises(RetryAfterTooLong) as refused:
            await client.get_json("/v1/x", op="read x")
    assert refused.value.retry_after == 120.0
    assert isinstance(refused.value, UpstreamUnavailable)
    assert sleeps.calls == []
    assert len(upstream.seen) == 1


async def test_truncated_json_is_retried_then_succeeds() -> None:
    """A body cut short is retried like a transient failure."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.script("/v1/x", raw(b'{"items": [{"id": 1}'), ok({"items": []}))
    async with make_client(upstream, sleeps) as client:
        data, stats = await client.get_json("/v1/x", op="read x")
    assert data == {"items": []} and stats.retries == 1


async def test_truncated_json_after_all_attempts_is_a_protocol_error() -> None:
    """A body that is never valid JSON ends as UpstreamProtocolError after the attempts."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.script("/v1/x", raw(b'{"items": [{"id": 1}'))
    breaker = CircuitBreaker(BreakerPolicy(failure_threshold=100))
    retry = RetryPolicy(attempts=3)
    async with make_client(upstream, sleeps, retry=retry, breaker=breaker) as client:
        with pytest.raises(UpstreamProtocolError, match="invalid JSON after 3 attempts"):
            await client.get_json("/v1/x", op="read x")
    assert len(upstream.seen) == 3


async def test_not_found_is_a_protocol_error_and_not_retried() -> None:
    """A 404 is the upstream answering: no retry, no breaker failure."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.script("/v1/x", status(404))
    async with make_client(upstream, sleeps) as client:
        with pytest.raises(UpstreamProtocolError, match=r"failed: 404$"):
            await client.get_json("/v1/x", op="read x")
    assert len(upstream.seen) == 1 and sleeps.calls == []
    assert client.breaker.snapshot().consecutive_failures == 0


async def test_retries_are_logged_without_secrets(caplog: pytest.LogCaptureFixture) -> None:
    """Each retry logs a WARNING with source, op, attempt and reason, and no query string."""
    caplog.set_level(logging.DEBUG, logger="connectors")
    upstream, sleeps = Upstream(), Sleeps()
    upstream.script("/v1/x", status(503), ok())
    async with make_client(upstream, sleeps) as client:
        await client.get_json("/v1/x", {"sig": QUERY_SECRET}, op="read x")
    [record] = [r for r in caplog.records if r.name == "connectors.http"]
    assert record.levelno == logging.WARNING
    fields = tuple(getattr(record, name) for name in ("source", "op", "attempt", "reason"))
    assert fields == ("ordos", "read x", 1, "503")
    assert QUERY_SECRET not in caplog.text and "sig" not in caplog.text


# ---------------------------------------------------------------------------------------------
# Circuit breaker
# ---------------------------------------------------------------------------------------------


async def test_breaker_opens_after_threshold_and_refuses_without_sending() -> None:
    """Once the breaker opens, calls fail with CircuitOpen and no request reaches the upstream."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.script("/v1/x", status(503))
    breaker = CircuitBreaker(BreakerPolicy(failure_threshold=4), source="ordos")
    async with make_client(
        upstream, sleeps, retry=RetryPolicy(attempts=2), breaker=breaker
    ) as client:
        for _ in range(2):
            with pytest.raises(UpstreamUnavailable, match="503 after 2 attempts") as failed:
                await client.get_json("/v1/x", op="read x")
            assert type(failed.value) is UpstreamUnavailable
        assert breaker.snapshot().state == "open"
        with pytest.raises(CircuitOpen, match=r"^ordos: read x failed: circuit open"):
            await client.get_json("/v1/x", op="read x")
    assert len(upstream.seen) == 4


async def test_breaker_opening_during_retries_stops_them() -> None:
    """When the breaker opens while attempts remain, the call stops with CircuitOpen."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.script("/v1/x", status(502))
    breaker = CircuitBreaker(BreakerPolicy(failure_threshold=3))
    async with make_client(upstream, sleeps, breaker=breaker) as client:
        with pytest.raises(CircuitOpen, match="502 on attempt 3, circuit opened") as stopped:
            await client.get_json("/v1/x", op="read x")
    assert len(upstream.seen) == 3 and len(sleeps.calls) == 2
    assert breaker.snapshot().state == "open"
    assert stopped.value.op == "read x"


def opened_breaker(clock: FakeClock) -> CircuitBreaker:
    breaker = CircuitBreaker(BreakerPolicy(failure_threshold=1, reset_after=30), clock=clock)
    breaker.record_failure()
    return breaker


async def test_half_open_probe_success_closes_the_breaker() -> None:
    """After reset_after one probe goes out; its success closes the circuit."""
    upstream, sleeps, clock = Upstream(), Sleeps(), FakeClock()
    upstream.script("/v1/x", ok())
    breaker = opened_breaker(clock)
    async with make_client(upstream, sleeps, breaker=breaker) as client:
        with pytest.raises(CircuitOpen):
            await client.get_json("/v1/x", op="read x")
        assert upstream.seen == []
        clock.advance(30)
        await client.get_json("/v1/x", op="read x")
    assert breaker.snapshot().state == "closed" and len(upstream.seen) == 1


async def test_half_open_probe_failure_reopens_the_breaker() -> None:
    """A failing probe re-opens the circuit at once: one request, no retries, no waiting."""
    upstream, sleeps, clock = Upstream(), Sleeps(), FakeClock()
    upstream.script("/v1/x", status(503))
    breaker = opened_breaker(clock)
    async with make_client(upstream, sleeps, breaker=breaker) as client:
        clock.advance(31)
        with pytest.raises(CircuitOpen):
            await client.get_json("/v1/x", op="read x")
        assert breaker.snapshot().state == "open"
        clock.advance(29)
        with pytest.raises(CircuitOpen):
            await client.get_json("/v1/x", op="read x")
    assert len(upstream.seen) == 1 and sleeps.calls == []


async def test_half_open_refuses_a_second_call_while_the_probe_is_out() -> None:
    """While the probe is in flight, a concurrent call is refused without a request."""
    upstream, sleeps, clock = Upstream(), Sleeps(), FakeClock()
    arrived, release = asyncio.Event(), asyncio.Event()

    async def slow(request: Request, seen: Seen) -> Response:
        arrived.set()
        await release.wait()
        return JSONResponse({"ok": True})

    upstream.on("/v1/slow", slow)
    breaker = opened_breaker(clock)
    async with make_client(upstream, sleeps, breaker=breaker) as client:
        clock.advance(30)
        probe = asyncio.create_task(client.get_json("/v1/slow", op="probe"))
        await arrived.wait()
        with pytest.raises(CircuitOpen, match="probe is out"):
            await client.get_json("/v1/slow", op="second")
        release.set()
        await probe
    assert len(upstream.seen) == 1
    assert breaker.snapshot().state == "closed"


# ---------------------------------------------------------------------------------------------
# Auth kinds
# ---------------------------------------------------------------------------------------------


async def test_api_key_is_sent_in_its_header() -> None:
    """ApiKeyAuth puts the key in the configured header of every request."""
    upstream, sleeps = Upstream(), Sleeps()

    def guarded(request: Request, seen: Seen) -> Response:
        good = request.headers.get("X-Ordos-Key") == API_KEY
        return JSONResponse({"ok": good}, status_code=200 if good else 401)

    upstream.on("/v1/x", guarded)
    auth = ApiKeyAuth(API_KEY, header="X-Ordos-Key")
    async with make_client(upstream, sleeps, auth=auth) as client:
        data, _ = await client.get_json("/v1/x", op="read x")
    assert data == {"ok": True}


async def test_refused_api_key_is_auth_failed_without_retry() -> None:
    """A 401 on a static key cannot be renewed: UpstreamAuthFailed after one request."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.script("/v1/x", status(401))
    async with make_client(upstream, sleeps, auth=ApiKeyAuth(API_KEY)) as client:
        with pytest.raises(UpstreamAuthFailed, match=r"failed: 401$"):
            await client.get_json("/v1/x", op="read x")
    assert len(upstream.seen) == 1 and sleeps.calls == []


async def test_forbidden_is_auth_failed_without_renewal() -> None:
    """A 403 is not cured by a new token: UpstreamAuthFailed, with no second token request."""
    upstream, sleeps = Upstream(), Sleeps()
    tokens = TokenServer(upstream)
    upstream.script("/v1/x", status(403))
    async with make_client(upstream, sleeps, auth=tokens.auth(FakeClock())) as client:
        with pytest.raises(UpstreamAuthFailed, match=r"failed: 403$"):
            await client.get_json("/v1/x", op="read x")
    assert len(upstream.to("/oauth/token")) == 1 and len(upstream.to("/v1/x")) == 1


class TokenServer:
    """An OAuth2 token endpoint and a resource that accepts only the latest, unrevoked token."""

    def __init__(self, upstream: Upstream, *, expires_in: int = 600) -> None:
        self.expires_in = expires_in
        self.issued: list[str] = []
        self.revoked: set[str] = set()
        self.forms: list[dict[str, list[str]]] = []
        upstream.on("/oauth/token", self.token)
        upstream.on("/v1/data", self.data)

    def auth(self, clock: FakeClock, **options: Any) -> OAuth2ClientCredentials:
        return OAuth2ClientCredentials(
            token_url=f"{BASE_URL}/oauth/token",
            client_id="hub",
            client_secret=CLIENT_SECRET,
            scope="credit.read",
            clock=clock,
            **options,
        )

    def token(self, request: Request, seen: Seen) -> Response:
        form = parse_qs(seen.body.decode())
        self.forms.append(form)
        if form.get("client_secret") != [CLIENT_SECRET]:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        token = f"at-{uuid.uuid4().hex}"
        self.issued.append(token)
        return JSONResponse(
            {"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in}
        )

    def data(self, request: Request, seen: Seen) -> Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not self.issued or token != self.issued[-1] or token in self.revoked:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return JSONResponse({"token_number": self.issued.index(token) + 1})


async def test_oauth2_token_is_fetched_once_and_cached() -> None:
    """The client-credentials token is requested once and reused by later and concurrent calls."""
    upstream, sleeps = Upstream(), Sleeps()
    tokens = TokenServer(upstream)
    async with make_client(upstream, sleeps, auth=tokens.auth(FakeClock())) as client:
        results = await asyncio.gather(
            *(client.get_json("/v1/data", op="read data") for _ in range(5))
        )
        await client.get_json("/v1/data", op="read data")
    assert [data for data, _ in results] == [{"token_number": 1}] * 5
    assert len(tokens.issued) == 1
    [form] = tokens.forms
    assert form == {
        "grant_type": ["client_credentials"],
        "client_id": ["hub"],
        "client_secret": [CLIENT_SECRET],
        "scope": ["credit.read"],
    }
    assert upstream.to("/oauth/token")[0].method == "POST"


async def test_oauth2_token_is_renewed_before_it_expires() -> None:
    """A token is replaced once less than renew_margin seconds of its life remain."""
    upstream, sleeps, clock = Upstream(), Sleeps(), FakeClock()
    tokens = TokenServer(upstream, expires_in=600)
    auth = tokens.auth(clock, renew_margin=60)
    async with make_client(upstream, sleeps, auth=auth) as client:
        await client.get_json("/v1/data", op="read data")
        clock.advance(539)
        data, _ = await client.get_json("/v1/data", op="read data")
        assert data == {"token_number": 1}
        clock.advance(2)
        data, _ = await client.get_json("/v1/data", op="read data")
        assert data == {"token_number": 2}
    assert len(tokens.issued) == 2 and auth.token_requests == 2


async def test_oauth2_token_is_renewed_once_on_401() -> None:
    """A revoked token is dropped after a 401, a new one fetched, and the call sent again."""
    upstream, sleeps = Upstream(), Sleeps()
    tokens = TokenServer(upstream)
    async with make_client(upstream, sleeps, auth=tokens.auth(FakeClock())) as client:
        await client.get_json("/v1/data", op="read data")
        tokens.revoked.add(tokens.issued[-1])
        data, stats = await client.get_json("/v1/data", op="read data")
    assert data == {"token_number": 2}
    assert stats.retries == 0 and sleeps.calls == []
    assert client.breaker.snapshot().consecutive_failures == 0


async def test_second_401_after_renewal_is_auth_failed() -> None:
    """When the fresh token is refused too, the call fails with UpstreamAuthFailed."""
    upstream, sleeps = Upstream(), Sleeps()
    tokens = TokenServer(upstream)
    upstream.script("/v1/data", status(401))
    async with make_client(upstream, sleeps, auth=tokens.auth(FakeClock())) as client:
        with pytest.raises(UpstreamAuthFailed, match=r"failed: 401$"):
            await client.get_json("/v1/data", op="read data")
    assert len(tokens.issued) == 2 and len(upstream.to("/v1/data")) == 2


async def test_refused_client_credentials_are_auth_failed() -> None:
    """A token endpoint refusing our client is UpstreamAuthFailed, not retried."""
    upstream, sleeps = Upstream(), Sleeps()
    TokenServer(upstream)
    auth = OAuth2ClientCredentials(
        token_url=f"{BASE_URL}/oauth/token", client_id="hub", client_secret="wrong"
    )
    async with make_client(upstream, sleeps, auth=auth) as client:
        with pytest.raises(UpstreamAuthFailed, match="token endpoint 401"):
            await client.get_json("/v1/data", op="read data")
    assert len(upstream.seen) == 1


def hmac_verifier(timestamps: list[str]) -> Handler:
    """A resource that verifies the HMAC headers with ``hmac_canonical``, as the sandboxes do."""

    def verify(request: Request, seen: Seen) -> Response:
        h = seen.headers
        body_sha256 = hashlib.sha256(seen.body).hexdigest()
        canonical = hmac_canonical(
            seen.method, seen.raw_target, h["x-timestamp"], h["x-nonce"], body_sha256
        )
        expected = hmac.new(HMAC_SECRET.encode(), canonical.encode(), hashlib.sha256).hexdigest()
        good = (
            h["x-key-id"] == "hub-1"
            and h["x-content-sha256"] == body_sha256
            and hmac.compare_digest(expected, h["x-signature"])
        )
        timestamps.append(h["x-timestamp"])
        return JSONResponse({"verified": good}, status_code=200 if good else 401)

    return verify


async def test_hmac_signature_verifies_on_the_server() -> None:
    """Signed GETs carry key id, timestamp, fresh nonce, body hash and a signature that verifies."""
    upstream, sleeps, clock = Upstream(), Sleeps(), FakeClock(1_795_000_000.75)
    timestamps: list[str] = []
    upstream.on("/v1/signed", hmac_verifier(timestamps))
    auth = HmacSigning(key_id="hub-1", secret=HMAC_SECRET, clock=clock)
    params = {"name": "民悦 A区", "updatedFrom": "2026-11-25T04:00:00Z", "a": "1&b=2"}
    async with make_client(upstream, sleeps, auth=auth) as client:
        for _ in range(2):
            data, _ = await client.get_json("/v1/signed", params, op="read signed")
            assert data == {"verified": True}
    first, second = upstream.to("/v1/signed")
    assert timestamps == ["1795000000", "1795000000"]
    assert first.headers["x-nonce"] != second.headers["x-nonce"]
    assert len(first.headers["x-nonce"]) == 32
    assert first.headers["x-content-sha256"] == hashlib.sha256(b"").hexdigest()


async def test_hmac_body_hash_covers_the_body() -> None:
    """A signed request with a body carries that body's SHA-256, and the server verifies it."""
    upstream = Upstream()
    timestamps: list[str] = []
    upstream.on("/v1/signed", hmac_verifier(timestamps))
    auth = HmacSigning(key_id="hub-1", secret=HMAC_SECRET)
    body = b'{"uscc": "91150627MA0N2XKX3L"}'
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=upstream.app)) as http:
        request = http.build_request("POST", f"{BASE_URL}/v1/signed?x=1", content=body)
        await auth.authenticate(request, http)
        response = await http.send(request)
    assert response.json() == {"verified": True}
    [seen] = upstream.seen
    assert seen.headers["x-content-sha256"] == hashlib.sha256(body).hexdigest()


# ---------------------------------------------------------------------------------------------
# Paging
# ---------------------------------------------------------------------------------------------

RECORDS = [{"id": f"e{i}", "updatedAt": f"2026-11-24T05:00:0{i}Z"} for i in range(7)]


def spec(paging: Paging, *, page_size: int = 3, path: str = "/v1/enterprises") -> StreamSpec:
    return StreamSpec(
        name="enterprises",
        path=path,
        record_path=("data", "items"),
        primary_key="id",
        cursor_field="updatedAt",
        paging=paging,
        page_size=page_size,
        params={"region": "150627"},
    )


async def collect(
    client: UpstreamClient, stream: StreamSpec, start: PageToken = None
) -> list[Page]:
    return [page async for page in iter_pages(client, stream, WINDOW, start)]


def page_number_upstream(records: list[dict[str, str]], *, with_total: bool) -> Handler:
    def handle(request: Request, seen: Seen) -> Response:
        page, size = int(seen.params["page"]), int(seen.params["pageSize"])
        body: dict[str, Any] = {"data": {"items": records[(page - 1) * size : page * size]}}
        if with_total:
            body["total"] = len(records)
        return JSONResponse(body)

    return handle


async def test_page_number_paging_follows_total_and_stops_on_short_page() -> None:
    """Pages 1..3 of 7 records: next token is the page number, None after the short last page."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.on("/v1/enterprises", page_number_upstream(RECORDS, with_total=True))
    async with make_client(upstream, sleeps) as client:
        pages = await collect(client, spec(PageNumberPaging()))
    assert [(p.token, p.next_token, len(p.records), p.total) for p in pages] == [
        (None, 2, 3, 7),
        (2, 3, 3, 7),
        (3, None, 1, 7),
    ]
    assert [r["id"] for p in pages for r in p.records] == [r["id"] for r in RECORDS]
    first = upstream.seen[0].params
    assert first == {
        "region": "150627",
        "updatedFrom": "2026-11-24T04:00:00Z",
        "updatedTo": "2026-11-25T04:00:00Z",
        "page": "1",
        "pageSize": "3",
    }


async def test_page_number_paging_stops_at_total_without_an_empty_page() -> None:
    """With 6 records and a total, the second full page is the last: no third request."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.on("/v1/enterprises", page_number_upstream(RECORDS[:6], with_total=True))
    async with make_client(upstream, sleeps) as client:
        pages = await collect(client, spec(PageNumberPaging()))
    assert [p.next_token for p in pages] == [2, None]
    assert len(upstream.seen) == 2


async def test_page_number_paging_without_total_ends_on_an_empty_page() -> None:
    """Without a total, a full last page is followed by one empty page that ends the window."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.on("/v1/enterprises", page_number_upstream(RECORDS[:6], with_total=False))
    async with make_client(upstream, sleeps) as client:
        pages = await collect(client, spec(PageNumberPaging(total_path=None)))
    assert [(p.next_token, len(p.records), p.total) for p in pages] == [
        (2, 3, None),
        (3, 3, None),
        (None, 0, None),
    ]


async def test_paging_resumes_from_a_start_token() -> None:
    """Starting from a checkpointed token fetches only the pages after it."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.on("/v1/enterprises", page_number_upstream(RECORDS, with_total=True))
    async with make_client(upstream, sleeps) as client:
        pages = await collect(client, spec(PageNumberPaging()), start=3)
    assert [(p.token, len(p.records)) for p in pages] == [(3, 1)]


async def test_offset_paging_advances_by_records_and_stops_at_total() -> None:
    """Offsets advance by the records received and stop on the short last page."""
    upstream, sleeps = Upstream(), Sleeps()

    def handle(request: Request, seen: Seen) -> Response:
        offset, limit = int(seen.params["offset"]), int(seen.params["limit"])
        items = RECORDS[offset : offset + limit]
        return JSONResponse({"data": {"items": items}, "meta": {"count": len(RECORDS)}})

    upstream.on("/v1/enterprises", handle)
    paging = OffsetPaging(total_path=("meta", "count"))
    async with make_client(upstream, sleeps) as client:
        pages = await collect(client, spec(paging))
    assert [(p.token, p.next_token, p.total) for p in pages] == [
        (None, 3, 7),
        (3, 6, 7),
        (6, None, 7),
    ]
    assert [s.params["offset"] for s in upstream.seen] == ["0", "3", "6"]
    assert {s.params["limit"] for s in upstream.seen} == {"3"}


async def test_offset_paging_stops_when_offset_reaches_total() -> None:
    """A full page that reaches the total is the last one."""
    upstream, sleeps = Upstream(), Sleeps()

    def handle(request: Request, seen: Seen) -> Response:
        offset = int(seen.params["offset"])
        return JSONResponse({"data": {"items": RECORDS[offset : offset + 3]}, "total": 6})

    upstream.on("/v1/enterprises", handle)
    async with make_client(upstream, sleeps) as client:
        pages = await collect(client, spec(OffsetPaging()))
    assert [p.next_token for p in pages] == [3, None]


async def test_cursor_paging_passes_the_opaque_cursor() -> None:
    """The cursor from ``next_path`` goes back as the cursor parameter until it is null."""
    upstream, sleeps = Upstream(), Sleeps()

    def handle(request: Request, seen: Seen) -> Response:
        start = int(seen.params.get("after", "c0")[1:])
        limit = int(seen.params["limit"])
        end = start + limit
        following = f"c{end}" if end < len(RECORDS) else None
        return JSONResponse({"data": {"items": RECORDS[start:end]}, "paging": {"next": following}})

    upstream.on("/v1/enterprises", handle)
    paging = CursorPaging(cursor_param="after", next_path=("paging", "next"))
    async with make_client(upstream, sleeps) as client:
        pages = await collect(client, spec(paging))
    assert [(p.token, p.next_token, p.total) for p in pages] == [
        (None, "c3", None),
        ("c3", "c6", None),
        ("c6", None, None),
    ]
    assert "after" not in upstream.seen[0].params
    assert upstream.seen[1].params["after"] == "c3"
    assert upstream.seen[1].params["updatedTo"] == "2026-11-25T04:00:00Z"


async def test_next_links_are_followed_as_sent() -> None:
    """A relative next link is resolved against its page and fetched with no extra parameters."""
    upstream, sleeps = Upstream(), Sleeps()

    def handle(request: Request, seen: Seen) -> Response:
        start = int(seen.params.get("after", "0"))
        end = start + 3
        following = f"/api/v1/enterprises?after={end}&window=w1" if end < len(RECORDS) else None
        return JSONResponse({"data": {"items": RECORDS[start:end]}, "next": following})

    upstream.on("/api/v1/enterprises", handle)
    paging = CursorPaging(next_is_link=True)
    async with make_client(upstream, sleeps, base_url=f"{BASE_URL}/api") as client:
        pages = await collect(client, spec(paging))
    assert [p.next_token for p in pages] == [
        f"{BASE_URL}/api/v1/enterprises?after=3&window=w1",
        f"{BASE_URL}/api/v1/enterprises?after=6&window=w1",
        None,
    ]
    assert [s.raw_target for s in upstream.seen[1:]] == [
        "/api/v1/enterprises?after=3&window=w1",
        "/api/v1/enterprises?after=6&window=w1",
    ]
    assert sum(len(p.records) for p in pages) == 7


async def test_next_link_to_another_host_is_refused() -> None:
    """A next link leaving the upstream's origin is a protocol error (our credentials stay home)."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.script(
        "/v1/enterprises",
        ok({"data": {"items": RECORDS[:3]}, "next": "http://elsewhere.test/v1/enterprises?p=2"}),
    )
    async with make_client(upstream, sleeps, auth=ApiKeyAuth(API_KEY)) as client:
        with pytest.raises(UpstreamProtocolError, match="next link leaves the upstream"):
            await collect(client, spec(CursorPaging(next_is_link=True)))


@pytest.mark.parametrize(
    "body",
    [{"items": []}, {"data": {"items": {"id": "e1"}}}, {"data": {"items": ["e1"]}}],
)
async def test_missing_or_malformed_record_path_is_a_protocol_error(body: dict[str, Any]) -> None:
    """A response without a list of objects at the record path breaks the contract."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.script("/v1/enterprises", ok(body))
    async with make_client(upstream, sleeps) as client:
        with pytest.raises(UpstreamProtocolError, match=r"no record list at data\.items"):
            await client.fetch_page(spec(PageNumberPaging()), WINDOW, None)


async def test_repeated_page_token_is_a_paging_loop() -> None:
    """An upstream handing out the same cursor again makes iter_pages stop with PagingLoop."""
    upstream, sleeps = Upstream(), Sleeps()

    def handle(request: Request, seen: Seen) -> Response:
        start = 3 if "cursor" in seen.params else 0
        return JSONResponse({"data": {"items": RECORDS[start : start + 3]}, "next": "same"})

    upstream.on("/v1/enterprises", handle)
    received: list[Page] = []
    async with make_client(upstream, sleeps) as client:
        with pytest.raises(PagingLoop, match="page token repeated"):
            async for page in iter_pages(client, spec(CursorPaging()), WINDOW):
                received.append(page)
    assert len(received) == 2 and len(upstream.seen) == 2


async def test_repeated_page_is_a_paging_loop() -> None:
    """An upstream ignoring the page number (same records again) makes iter_pages stop."""
    upstream, sleeps = Upstream(), Sleeps()
    upstream.script("/v1/enterprises", ok({"data": {"items": RECORDS[:3]}}))
    received: list[Page] = []
    async with make_client(upstream, sleeps) as client:
        with pytest.raises(PagingLoop, match="same page came back twice") as loop:
            async for page in iter_pages(client, spec(PageNumberPaging()), WINDOW):
                received.append(page)
    assert len(received) == 1
    assert isinstance(loop.value, UpstreamProtocolError)


# ---------------------------------------------------------------------------------------------
# Secrets stay secret
# ---------------------------------------------------------------------------------------------


async def test_no_secret_in_errors_reprs_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Keys, client secrets, tokens and HMAC secrets appear in no error, repr or log line."""
    caplog.set_level(logging.DEBUG)
    upstream, sleeps = Upstream(), Sleeps()
    tokens = TokenServer(upstream)
    upstream.script("/v1/down", status(503))
    upstream.script("/v1/denied", status(401))
    texts: list[str] = []

    async def failing(client: UpstreamClient, path: str) -> None:
        with pytest.raises(UpstreamUnavailable) as failed:
            await client.get_json(path, op="read")
        translated = upstream_error(failed.value)
        texts.extend([str(failed.value), repr(failed.value), repr(failed.value.details())])
        texts.extend([translated.message, repr(translated.extensions())])

    retry = RetryPolicy(attempts=2)
    auths: list[Auth] = [
        ApiKeyAuth(API_KEY),
        tokens.auth(FakeClock()),
        HmacSigning(key_id="hub-1", secret=HMAC_SECRET),
    ]
    for auth in auths:
        async with make_client(upstream, sleeps, auth=auth, retry=retry) as client:
            await failing(client, "/v1/down")
            await failing(client, "/v1/denied")
            texts.extend([repr(auth), repr(client), repr(client.breaker)])
    bad_client = OAuth2ClientCredentials(
        token_url=f"{BASE_URL}/oauth/token?client_secret={CLIENT_SECRET}",
        client_id="hub",
        client_secret=CLIENT_SECRET,
    )
    texts.append(repr(bad_client))

    signatures = [s.headers["x-signature"] for s in upstream.seen if "x-signature" in s.headers]
    secrets = [API_KEY, CLIENT_SECRET, HMAC_SECRET, *tokens.issued, *signatures]
    assert tokens.issued and signatures
    assert any("retrying" in record.getMessage() for record in caplog.records)
    everything = "\n".join([*texts, caplog.text])
    for secret in secrets:
        assert secret not in everything


# ---------------------------------------------------------------------------------------------
# A real socket
# ---------------------------------------------------------------------------------------------


@pytest.fixture
async def loopback() -> AsyncIterator[tuple[Upstream, str]]:
    """A scripted upstream served by uvicorn on a free loopback port."""
    upstream = Upstream()
    config = uvicorn.Config(
        upstream.app, host="127.0.0.1", port=0, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while not server.started:
            if task.done():
                await task  # startup failed: show why
            await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield upstream, f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def test_read_timeout_over_a_socket_is_retried(loopback: tuple[Upstream, str]) -> None:
    """A response slower than the read timeout is a failed attempt; the retry gets the answer."""
    upstream, base_url = loopback
    calls = 0

    async def sometimes_slow(request: Request, seen: Seen) -> Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            await asyncio.sleep(0.5)
        return JSONResponse({"call": calls})

    upstream.on("/v1/x", sometimes_slow)
    sleeps = Sleeps()
    client = UpstreamClient(
        source="ordos", base_url=base_url, timeouts=Timeouts(connect=1, read=0.1), sleep=sleeps
    )
    async with client:
        data, stats = await client.get_json("/v1/x", op="read x")
    assert data == {"call": 2} and stats.retries == 1


async def test_refused_connection_over_a_socket_exhausts_retries() -> None:
    """A port nobody listens on fails every attempt with ConnectError."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()
    client = UpstreamClient(
        source="ordos",
        base_url=f"http://127.0.0.1:{port}",
        retry=RetryPolicy(attempts=2),
        sleep=sleeps,
    )
    async with client:
        with pytest.raises(UpstreamUnavailable, match="ConnectError after 2 attempts") as failed:
            await client.get_json("/v1/x", op="read x")
    assert isinstance(failed.value.__cause__, httpx.ConnectError)
    assert client.breaker.snapshot().consecutive_failures == 2
