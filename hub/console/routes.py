"""The console's HTTP routes: the page, its static files and the development sign-in.

``console_routes`` is mounted by ``hub.app.create_app``. The console itself is static (plain ES
modules, no build step) and talks to the hub only through ``/graphql`` with a staff token.

Development sign-in: when the hub signs staff tokens with its own development key (not in
production, no identity provider's JWKS configured), ``GET /console/dev/units`` lists the member
units and ``POST /console/dev/token`` issues a short-lived token for one of them, so the console
can be tried as any unit. Otherwise both answer 404 and the sign-in screen asks for a token of
the banner's identity provider (or ``hub tokens issue``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.config import Settings
from hub.services import identity
from hub.store.models import MemberUnit

STATIC = Path(__file__).parent / "static"
DEV_TOKEN_LIFETIME = timedelta(hours=2)
"""Lifetime of a development sign-in token; the console returns to sign-in when it expires."""

ROLE_ORDER = [
    "competent_department",
    "inspection_office",
    "town",
    "community",
    "department",
    "party_publicity",
    "utility",
]

SECURITY_HEADERS = {
    # Everything from the hub itself: no CDN, no inline script. ECharts sets inline styles.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def dev_sign_in_enabled(settings: Settings) -> bool:
    """True when the hub accepts tokens signed with its own development key."""
    return (
        not settings.is_production
        and settings.jwt_jwks_file is None
        and settings.jwt_jwks_url is None
    )


class _Headers:
    """Adds the console's security headers to every response of the wrapped app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def console_routes(
    settings: Settings,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> list[BaseRoute]:
    """The routes under /console. ``now`` stamps development tokens (the real time by default:
    token expiry is checked against the real clock, whatever clock the app's requests use)."""

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers=SECURITY_HEADERS)

    async def dev_units(request: Request) -> Response:
        if not dev_sign_in_enabled(settings):
            return JSONResponse({"error": "development sign-in is off"}, status_code=404)
        async with sessionmaker() as session:
            units = (await session.scalars(sa.select(MemberUnit))).all()
        demo = set(identity.DEMO_UNITS.values())
        rows = sorted(
            units,
            key=lambda u: (
                ROLE_ORDER.index(u.role.value) if u.role.value in ROLE_ORDER else 99,
                u.code not in demo,
                u.code,
            ),
        )
        return JSONResponse(
            {
                "units": [
                    {"code": u.code, "name": u.name, "role": u.role.value, "demo": u.code in demo}
                    for u in rows
                ]
            },
            headers=SECURITY_HEADERS,
        )

    async def dev_token(request: Request) -> Response:
        if not dev_sign_in_enabled(settings):
            return JSONResponse({"error": "development sign-in is off"}, status_code=404)
        try:
            body = await request.json()
        except ValueError:
            body = None
        code = body.get("unit") if isinstance(body, dict) else None
        if not isinstance(code, str) or not code:
            return JSONResponse({"error": 'send {"unit": "<unit code>"}'}, status_code=400)
        async with sessionmaker() as session:
            known = await session.scalar(sa.select(MemberUnit.id).where(MemberUnit.code == code))
        if known is None:
            return JSONResponse({"error": "no member unit has this code"}, status_code=400)
        issued_at = now()
        token = identity.issue_token(
            identity.dev_signing_key(settings.dev_signing_key_file),
            unit_code=code,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            now=issued_at,
            lifetime=DEV_TOKEN_LIFETIME,
            subject=f"console-{code}",
        )
        expires = (issued_at + DEV_TOKEN_LIFETIME).isoformat()
        return JSONResponse({"token": token, "expiresAt": expires}, headers=SECURITY_HEADERS)

    return [
        Route("/console", page),
        Route("/console/", page),
        Route("/console/dev/units", dev_units, methods=["GET"]),
        Route("/console/dev/token", dev_token, methods=["POST"]),
        Mount("/console/static", app=_Headers(StaticFiles(directory=STATIC)), name="console"),
    ]
