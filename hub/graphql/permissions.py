"""Who is asking (authentication) and whether they may (authorization), for the GraphQL API.

``Authenticator`` turns the request's ``Authorization: Bearer …`` header into a ``Principal``: an
API key (``hub_…``) of a member-unit system or a staff token (JWT). No header: the public. A
header that does not check out is refused with 401 — never silently downgraded to the public,
so that a client with a broken key notices.

``require`` is the check at the top of a root field or mutation; the role table it reads is
``hub.domain.access.ROLE_TABLE``. What a permitted caller then sees is narrowed by its scope
where the data is read (``hub.services.scope``).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.config import Settings
from hub.domain.access import PUBLIC, Permission, Principal
from hub.errors import Forbidden, Unauthenticated
from hub.graphql.context import Info
from hub.services import identity
from hub.store.session import for_writing

logger = logging.getLogger("hub.auth")

JWKS_MAX_AGE_SECONDS = 3600


class Authenticator:
    """Resolves the credential of a request to a principal (see the module's doc)."""

    def __init__(self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._settings = settings
        self._sessionmaker = sessionmaker
        self._jwks: dict[str, Any] | None = None
        self._jwks_loaded_at = 0.0

    async def principal(self, authorization: str | None, *, now: datetime) -> Principal:
        """The principal of an ``Authorization`` header value (None: the public)."""
        if authorization is None or not authorization.strip():
            return PUBLIC
        scheme, _, credential = authorization.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise Unauthenticated("send the credential as `Authorization: Bearer <key or token>`")
        if credential.startswith(f"{identity.KEY_PREFIX}_"):
            return await self._api_key(credential, now=now)
        async with self._sessionmaker() as session:
            return await identity.authenticate_token(
                session, token=credential, settings=self._token_settings()
            )

    async def _api_key(self, key: str, *, now: datetime) -> Principal:
        async with self._sessionmaker() as session:
            principal, touch = await identity.authenticate_key(
                session, key=key, now=now, allow_demo=not self._settings.is_production
            )
        if touch:
            # Last-used time, at most once a minute per key, in a short transaction of its own.
            async with for_writing(self._sessionmaker)() as session, session.begin():
                await identity.touch_client(session, key=key, now=now)
        return principal

    def _token_settings(self) -> identity.TokenSettings:
        settings = self._settings
        return identity.TokenSettings(
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            leeway_seconds=settings.jwt_leeway_seconds,
            jwks=self._current_jwks(),
        )

    def _current_jwks(self) -> dict[str, Any] | None:
        settings = self._settings
        fresh = time.monotonic() - self._jwks_loaded_at < JWKS_MAX_AGE_SECONDS
        if self._jwks is not None and fresh:
            return self._jwks
        jwks: dict[str, Any] | None = None
        if settings.jwt_jwks_file is not None:
            jwks = json.loads(settings.jwt_jwks_file.read_text(encoding="utf-8"))
        elif settings.jwt_jwks_url is not None:
            try:
                response = httpx.get(settings.jwt_jwks_url, timeout=5.0)
                response.raise_for_status()
                jwks = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                # The kind of failure, not its text: httpx's repeats the whole URL.
                where = _shown_url(settings.jwt_jwks_url)
                logger.warning("JWKS %s could not be fetched: %s", where, type(exc).__name__)
                return self._jwks  # keep the last good set, if any
        elif not settings.is_production:
            jwks = identity.jwks_of(identity.dev_signing_key(settings.dev_signing_key_file))
        self._jwks, self._jwks_loaded_at = jwks, time.monotonic()
        return jwks


def _shown_url(url: str) -> str:
    """A URL fit for the log: without user, password or query, which may carry a secret."""
    try:
        return str(httpx.URL(url).copy_with(username=None, password=None, query=None))
    except (httpx.InvalidURL, TypeError, ValueError):
        return "(an invalid URL)"


def require(info: Info, permission: Permission, *, what: str) -> None:
    """Refuse (FORBIDDEN; UNAUTHENTICATED for the public) unless the viewer has the permission.

    ``what`` names the field for the message, e.g. ``"compounds"``.
    """
    viewer = info.context.viewer
    if viewer.may(permission):
        return
    if not viewer.authenticated:
        raise Unauthenticated(
            f"{what} needs a member unit's credential", permission=permission.value
        )
    raise Forbidden(
        f"{what} is not open to the role {viewer.role.value}", permission=permission.value
    )
