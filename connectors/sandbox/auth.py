"""The three auth kinds an upstream can ask of us, as a sandbox checks them.

Each checker's ``authenticate(request)`` gives None to let a data request through, or the 401 to
send (built by the platform's ``refuse``, so the body has the platform's error shape):

- ``ApiKeyCheck``: a static key in a header;
- ``OAuth2Issuer``: a client-credentials token endpoint (``issue``) and the bearer-token check,
  tokens expiring on the sandbox's clock;
- ``HmacVerifier``: a request signed over ``connectors.auth.hmac_canonical`` with a shared
  secret; stale timestamps (more than ``max_skew`` seconds off) and replayed nonces are refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from urllib.parse import parse_qs, unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connectors.auth import hmac_canonical

Refuse = Callable[[str, str], Response]
"""The platform's 401: (short code, message) → response."""
Now = Callable[[], datetime]


class ApiKeyCheck:
    """A request is let through when ``header`` carries one of the keys."""

    def __init__(self, keys: Iterable[str], *, refuse: Refuse, header: str = "X-Api-Key") -> None:
        self.header = header
        self._keys = [key.encode() for key in keys]
        self._refuse = refuse

    def __repr__(self) -> str:
        return f"<ApiKeyCheck header={self.header!r} keys={len(self._keys)}>"

    async def authenticate(self, request: Request) -> Response | None:
        """None for a known key, the platform's 401 otherwise."""
        given = request.headers.get(self.header, "").encode()
        if given and any(hmac.compare_digest(given, key) for key in self._keys):
            return None
        return self._refuse("invalid_api_key", f"missing or unknown {self.header}")


class OAuth2Issuer:
    """A client-credentials token endpoint (RFC 6749 §4.4) and the bearer-token check."""

    def __init__(
        self, clients: Mapping[str, str], *, ttl: int, now: Now, refuse: Refuse, realm: str
    ) -> None:
        self.ttl = ttl
        self.issued = 0
        """Tokens issued so far."""
        self._clients = dict(clients)
        self._now = now
        self._refuse = refuse
        self._realm = realm
        self._tokens: dict[str, datetime] = {}

    def __repr__(self) -> str:
        return f"<OAuth2Issuer clients={len(self._clients)} tokens={len(self._tokens)}>"

    async def issue(self, request: Request) -> Response:
        """The token endpoint: form ``grant_type=client_credentials`` and the client's id and
        secret as form fields or HTTP Basic; 400 for another grant, 401 for a bad client."""
        body = (await request.body()).decode("utf-8", "replace")
        form = {key: values[0] for key, values in parse_qs(body).items()}
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(encoded).decode().partition(":")
            except ValueError:
                user = password = ""
            client_id, secret = unquote(user), unquote(password)
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, 400)
        expected = self._clients.get(client_id)
        if expected is None or not hmac.compare_digest(expected.encode(), secret.encode()):
            headers = {"WWW-Authenticate": f'Basic realm="{self._realm}"'}
            return JSONResponse({"error": "invalid_client"}, 401, headers=headers)
        now = self._now()
        self._tokens = {token: exp for token, exp in self._tokens.items() if exp > now}
        token = secrets.token_urlsafe(32)
        self._tokens[token] = now + timedelta(seconds=self.ttl)
        self.issued += 1
        payload = {"access_token": token, "token_type": "Bearer", "expires_in": self.ttl}
        return JSONResponse(payload, headers={"Cache-Control": "no-store"})

    async def authenticate(self, request: Request) -> Response | None:
        """None for a live bearer token; the platform's 401 for a missing, unknown or old one."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        expires = self._tokens.get(token) if scheme.lower() == "bearer" else None
        if expires is not None and self._now() < expires:
            return None
        refusal = self._refuse(
            "invalid_token", "token expired" if expires is not None else "missing or unknown token"
        )
        refusal.headers["WWW-Authenticate"] = f'Bearer realm="{self._realm}", error="invalid_token"'
        return refusal


class HmacVerifier:
    """Checks ``X-Key-Id``, ``X-Timestamp``, ``X-Nonce``, ``X-Content-SHA256``, ``X-Signature``."""

    def __init__(
        self, secrets_by_key: Mapping[str, str], *, now: Now, refuse: Refuse, max_skew: int = 300
    ) -> None:
        self.max_skew = max_skew
        self._secrets = {key: secret.encode() for key, secret in secrets_by_key.items()}
        self._now = now
        self._refuse = refuse
        self._nonces: dict[str, int] = {}  # nonce → timestamp, kept while it could be replayed

    def __repr__(self) -> str:
        return f"<HmacVerifier keys={len(self._secrets)} nonces={len(self._nonces)}>"

    async def authenticate(self, request: Request) -> Response | None:
        """None for a fresh, correctly signed request; the platform's 401 saying why not."""
        h = request.headers
        key_id, stamp, nonce = h.get("X-Key-Id", ""), h.get("X-Timestamp", ""), h.get("X-Nonce", "")
        body_sha256, signature = h.get("X-Content-SHA256", ""), h.get("X-Signature", "")
        secret = self._secrets.get(key_id)
        if secret is None or not (stamp and nonce and body_sha256 and signature):
            return self._refuse("invalid_signature", "missing signature headers or unknown key")
        now = int(self._now().timestamp())
        if not stamp.isdigit() or abs(now - int(stamp)) > self.max_skew:
            return self._refuse("stale_request", "timestamp too far from the server's clock")
        if hashlib.sha256(await request.body()).hexdigest() != body_sha256:
            return self._refuse("invalid_signature", "body does not match X-Content-SHA256")
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        target = raw_path.split(b"?")[0].decode("ascii")
        query = request.scope.get("query_string", b"").decode("ascii")
        canonical = hmac_canonical(
            request.method, f"{target}?{query}" if query else target, stamp, nonce, body_sha256
        )
        expected = hmac.new(secret, canonical.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return self._refuse("invalid_signature", "signature does not match")
        # Only a verified request may take a nonce, so garbage cannot fill the cache.
        self._nonces = {n: t for n, t in self._nonces.items() if now - t <= 2 * self.max_skew}
        if nonce in self._nonces:
            return self._refuse("replayed_request", "nonce already used")
        self._nonces[nonce] = int(stamp)
        return None
