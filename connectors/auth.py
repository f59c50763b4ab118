"""How a connector proves who it is to an upstream: the three auth kinds of our sandboxes.

``UpstreamClient`` builds each request, calls ``authenticate`` once the body is final, and sends
it; after a 401 it calls ``renew`` once and, when that says a retry may help, sends again.

- ``ApiKeyAuth``: a static key in a header.
- ``OAuth2ClientCredentials``: a bearer token from a token endpoint, cached and renewed before it
  expires (and once on a 401).
- ``HmacSigning``: every request signed with a shared secret over method, path and query,
  timestamp, nonce and body hash (``hmac_canonical``, which the sandboxes use to verify).

Secrets live in private attributes and never appear in a ``repr``, a log line or an error.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
import uuid
from collections.abc import Callable
from typing import Protocol

import httpx

__all__ = [
    "ApiKeyAuth",
    "Auth",
    "HmacSigning",
    "OAuth2ClientCredentials",
    "TokenRequestFailed",
    "hmac_canonical",
]


class Auth(Protocol):
    """An auth kind: adds credentials to a request, and may renew them after a 401."""

    async def authenticate(self, request: httpx.Request, client: httpx.AsyncClient) -> None:
        """Add the credential headers to ``request`` (its body is final)."""
        ...

    async def renew(self, client: httpx.AsyncClient) -> bool:
        """Forget a credential the upstream refused; True if sending again may help."""
        ...


class TokenRequestFailed(Exception):
    """The token endpoint did not give us a token; ``retryable`` when it looked transient."""

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class ApiKeyAuth:
    """A static API key sent in a header on every request."""

    def __init__(self, key: str, *, header: str = "X-Api-Key") -> None:
        self.header = header
        self._key = key

    def __repr__(self) -> str:
        return f"ApiKeyAuth(header={self.header!r}, key='***')"

    async def authenticate(self, request: httpx.Request, client: httpx.AsyncClient) -> None:
        request.headers[self.header] = self._key

    async def renew(self, client: httpx.AsyncClient) -> bool:
        return False  # a static key refused once is refused again


class OAuth2ClientCredentials:
    """OAuth2 client-credentials grant (RFC 6749 §4.4) with a cached bearer token.

    The token is renewed when less than ``renew_margin`` seconds of its life remain (at most half
    of its life, so that a short-lived token is still reused), and dropped on ``renew`` after a
    401. Concurrent callers wait on one token request instead of each sending their own.
    """

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
        renew_margin: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self.scope = scope
        self.renew_margin = renew_margin
        self._client_secret = client_secret
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._renew_at: float | None = None  # None: no expiry given, keep until refused
        self.token_requests = 0
        """Token requests sent so far (for status pages and tests)."""

    def __repr__(self) -> str:
        url = httpx.URL(self.token_url).copy_with(query=None, username=None, password=None)
        return f"OAuth2ClientCredentials(token_url={str(url)!r}, client_id={self.client_id!r})"

    async def authenticate(self, request: httpx.Request, client: httpx.AsyncClient) -> None:
        token = self._current()
        if token is None:
            async with self._lock:
                token = self._current()  # another caller may have fetched it while we waited
                if token is None:
                    token = await self._fetch(client)
        request.headers["Authorization"] = f"Bearer {token}"

    async def renew(self, client: httpx.AsyncClient) -> bool:
        self._token = None
        self._renew_at = None
        return True

    def _current(self) -> str | None:
        if self._token is None:
            return None
        if self._renew_at is not None and self._clock() >= self._renew_at:
            return None
        return self._token

    async def _fetch(self, client: httpx.AsyncClient) -> str:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
        }
        if self.scope is not None:
            form["scope"] = self.scope
        self.token_requests += 1
        sent_at = self._clock()
        response = await client.post(
            self.token_url, data=form, headers={"Accept": "application/json"}
        )
        status = response.status_code
        if status in (408, 429) or status >= 500:
            raise TokenRequestFailed(f"token endpoint {status}", retryable=True)
        if status != 200:
            raise TokenRequestFailed(f"token endpoint {status}", retryable=False)
        try:
            payload = response.json()
        except ValueError:
            raise TokenRequestFailed("token endpoint sent invalid JSON", retryable=True) from None
        token = payload.get("access_token") if isinstance(payload, dict) else None
        token_type = payload.get("token_type", "Bearer") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token or str(token_type).lower() != "bearer":
            raise TokenRequestFailed("token endpoint sent no bearer token", retryable=False)
        expires_in = payload.get("expires_in")
        if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
            margin = min(self.renew_margin, expires_in / 2)
            self._renew_at = sent_at + expires_in - margin
        else:
            self._renew_at = None
        self._token = token
        return token


def hmac_canonical(
    method: str, path_with_query: str, timestamp: str, nonce: str, body_sha256: str
) -> str:
    """The string an HMAC signature covers; the sandboxes verify with this same function.

    ``path_with_query`` is the raw path plus ``?`` and the raw query, exactly as sent.
    """
    return "\n".join([method.upper(), path_with_query, timestamp, nonce, body_sha256])


class HmacSigning:
    """Signs every request with HMAC-SHA256 over ``hmac_canonical`` of the request.

    Headers: ``X-Key-Id``, ``X-Timestamp`` (unix seconds), ``X-Nonce`` (uuid4 hex),
    ``X-Content-SHA256`` (hex SHA-256 of the body) and ``X-Signature`` (hex HMAC). The timestamp
    and nonce let the upstream refuse stale and replayed requests.
    """

    def __init__(self, *, key_id: str, secret: str, clock: Callable[[], float] = time.time) -> None:
        self.key_id = key_id
        self._secret = secret.encode()
        self._clock = clock

    def __repr__(self) -> str:
        return f"HmacSigning(key_id={self.key_id!r}, secret='***')"

    async def authenticate(self, request: httpx.Request, client: httpx.AsyncClient) -> None:
        body = await request.aread()
        timestamp = str(int(self._clock()))
        nonce = uuid.uuid4().hex
        body_sha256 = hashlib.sha256(body).hexdigest()
        # raw_path is the path and query exactly as they go on the wire.
        path_with_query = request.url.raw_path.decode("ascii")
        canonical = hmac_canonical(request.method, path_with_query, timestamp, nonce, body_sha256)
        signature = hmac.new(self._secret, canonical.encode(), hashlib.sha256).hexdigest()
        request.headers.update(
            {
                "X-Key-Id": self.key_id,
                "X-Timestamp": timestamp,
                "X-Nonce": nonce,
                "X-Content-SHA256": body_sha256,
                "X-Signature": signature,
            }
        )

    async def renew(self, client: httpx.AsyncClient) -> bool:
        return False  # a fresh timestamp and nonce go with every attempt anyway
