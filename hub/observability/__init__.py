"""Observability of the hub: Prometheus metrics at ``/metrics``, structured logs with
a request id, and optional OpenTelemetry tracing.

A package rather than two modules beside ``hub/app.py``: the metrics, the log lines and the spans
all describe the same request, so they share the ASGI middleware and the note the hooks fill in
(``requests``); the three concerns stay in their own modules (``metrics``, ``logs``,
``tracing``). ``create_app`` calls ``observe`` once; ``hub serve`` calls ``configure_logging``.
Other modules call the hooks of ``requests`` (one call per request, batch or run); the sync layer,
which stands below this package, is handed its hook (``sync_run``) by the app that builds it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.routing import Route

from hub.observability.logs import configure_logging
from hub.observability.metrics import HubMetrics, SyncState, metrics_endpoint
from hub.observability.requests import Observer, sync_run
from hub.observability.tracing import TracingUnavailable, setup_tracing

if TYPE_CHECKING:
    from hub.config import Settings

__all__ = ["HubMetrics", "TracingUnavailable", "configure_logging", "observe", "sync_run"]


def observe(
    app: Starlette,
    *,
    settings: Settings,
    engine: AsyncEngine,
    sync: SyncState | None,
    clock: Callable[[], datetime],
) -> None:
    """Install the middleware, ``/metrics`` (with ``HUB_METRICS``) and tracing (with
    ``HUB_TRACING``; ``TracingUnavailable`` when its packages are missing) on the app.

    ``app.state.metrics`` and ``app.state.tracing`` hold what was installed (or None).
    """
    metrics = (
        HubMetrics(max_operations=settings.metrics_max_operations) if settings.metrics else None
    )
    if metrics is not None:
        endpoint = metrics_endpoint(
            metrics, settings=settings, engine=engine, sync=sync, clock=clock
        )
        app.router.routes.append(Route("/metrics", endpoint, methods=["GET"]))
    tracing = setup_tracing(settings)
    if tracing is not None:
        tracing.instrument(engine)
    app.add_middleware(Observer, metrics=metrics, tracing=tracing)
    app.state.metrics = metrics
    app.state.tracing = tracing
