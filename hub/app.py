"""The Starlette application: /graphql, /healthz, /readyz.

``create_app`` is the only way to build it; the CLI, the tests and the benchmarks call it with
their own settings or engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute

from hub.config import Settings, get_settings
from hub.console.routes import console_routes
from hub.errors import DatabaseBehind
from hub.graphql.view import HubGraphQL
from hub.observability import observe, sync_run
from hub.services.findings import evaluate_findings
from hub.services.parameters import check_parameters
from hub.store.base import utcnow
from hub.store.migrate import current_revision, ensure_at_head, head_revision
from hub.store.session import create_sessionmaker, engine_from_settings, for_writing
from hub.sync.manager import SyncManager

logger = logging.getLogger("hub.app")


async def _periodic_checks(
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Callable[[], datetime],
    settings: Settings,
) -> None:
    """The scheduler's periodic job: escalate overdue ledger items, then evaluate the findings
    (``hub.services.findings.periodic_checks``), every ``HUB_CHECKS_EVERY_MINUTES``."""
    from hub.services.findings import periodic_checks

    while True:
        try:
            async with for_writing(sessionmaker)() as session, session.begin():
                await periodic_checks(session, now=clock())
        except Exception:
            logger.exception("periodic ledger and findings checks failed")
        await asyncio.sleep(settings.checks_every_minutes * 60)


def create_app(
    settings: Settings | None = None,
    *,
    engine: AsyncEngine | None = None,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    check_migrations: bool = True,
    clock: Callable[[], datetime] = utcnow,
    sync: SyncManager | None = None,
) -> Starlette:
    """The hub as an ASGI app.

    Without an engine one is created from the settings (and disposed of at shutdown). At start-up
    the app refuses to serve from a database that is not at the head revision. ``clock`` gives
    each request its "now" (tests fix it so that "current" and "stale" do not drift).
    """
    settings = settings or get_settings()
    check_parameters(settings)  # a wrong personal-data key refuses the start, not a request
    owns_engine = engine is None
    engine = engine or engine_from_settings(settings)  # every database wait bounded
    sessionmaker = sessionmaker or create_sessionmaker(engine)
    owns_sync = sync is None
    # The sync layer stands below the services and the observability: its metrics hook and the
    # findings that follow synced data are handed to it here.
    sync = sync or SyncManager(
        settings, sessionmaker, reporter=sync_run, after_sync=evaluate_findings
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if check_migrations:
            await ensure_at_head(engine)
        # Everything built so far (modules, schema, settings) lives as long as the process: keep
        # it out of the garbage collector's generations, which then scan far less per request.
        gc.collect()
        gc.freeze()
        scheduler = asyncio.create_task(sync.run_schedule()) if settings.scheduler else None
        checks = (
            asyncio.create_task(_periodic_checks(sessionmaker, clock, settings))
            if settings.scheduler
            else None
        )
        if settings.sync_on_start:
            for name, source in sorted(sync.sources.items()):
                if source.enabled and not sync.running(name):
                    sync.trigger(name, trigger="start")
        yield
        for task in (scheduler, checks):
            if task is not None:
                task.cancel()
        if owns_sync:
            await sync.aclose()
        if owns_engine:
            await engine.dispose()

    graphql = HubGraphQL(settings=settings, sessionmaker=sessionmaker, clock=clock, sync=sync)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        # Bounded by HUB_READINESS_TIMEOUT_SECONDS: a database that does not answer (frozen,
        # partitioned) makes the hub "not ready" within the probe's patience, not never.
        try:
            async with asyncio.timeout(settings.readiness_timeout_seconds):
                async with engine.connect() as connection:
                    await connection.execute(sa.text("SELECT 1"))
                await ensure_at_head(engine)
                revision = await current_revision(engine)
        except DatabaseBehind as exc:
            return JSONResponse({"status": "not ready", "reason": exc.message}, status_code=503)
        except Exception as exc:  # any driver error, or no answer in time, means: not ready
            logger.warning("readiness check failed: %s", type(exc).__name__)
            timed_out = isinstance(exc, TimeoutError)
            reason = "database not answering" if timed_out else "database unreachable"
            return JSONResponse({"status": "not ready", "reason": reason}, status_code=503)
        return JSONResponse({"status": "ready", "revision": revision})

    async def index(request: Request) -> Response:
        if settings.is_production:
            return JSONResponse({"graphql": "/graphql", "revision": head_revision()})
        return RedirectResponse("/graphql")

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),  # subscriptions (graphql-transport-ws)
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *console_routes(settings, sessionmaker=sessionmaker),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sync = sync
    app.state.limits = graphql.limits
    observe(app, settings=settings, engine=engine, sync=sync, clock=clock)  # /metrics, logs
    return app
