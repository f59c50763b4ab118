"""The Prometheus metrics of one app (``/metrics``), in a registry of its own.

``HubMetrics`` holds the metric objects. Counters and histograms are updated as things happen
(``hub.observability.requests`` records requests, rate-limit refusals, DataLoader batches and sync
runs through it); gauges that describe a state — the database pool, the circuit breakers, the lag
of each source — are read when ``/metrics`` is scraped (``refresh``), so they cost nothing between
scrapes. The sync side is read through interfaces (``SyncState``: the process's sync manager;
``RunCounts``: a run's report) and the service ``hub.services.sync.list_confirmed_at``, not by
importing the sync engine. A registry per app (not prometheus-client's global one) lets the tests
and the benchmarks build several apps in one process.

Labels are bounded: operation names are the client's words, so a name is kept only if it is a
plain GraphQL name without a long run of digits (an identifier could hide there) and only for the
first ``max_operations`` distinct names; the rest are counted as ``other``. Outcomes are ``ok`` or
one of the error codes of ``hub.errors.ErrorCode``; sources are the configured ones.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.domain.enums import SyncRunStatus
from hub.errors import ErrorCode
from hub.services.sync import list_confirmed_at

if TYPE_CHECKING:
    from hub.config import Settings

logger = logging.getLogger("hub.metrics")

ANONYMOUS = "anonymous"
"""The operation label of a document without an operation name."""
OTHER = "other"
"""The label of what is not kept as its own value (beyond the cap, or not a plain name)."""
OUTCOMES = frozenset({"ok", *(code.value for code in ErrorCode)})
_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")
_DIGITS = re.compile(r"[0-9]{6}")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000)
BREAKER_STATES = ("closed", "open", "half_open")
WRITTEN = ("inserted", "updated", "deleted")


class BreakerState(Protocol):
    """A circuit breaker of an upstream as the metrics read it."""

    @property
    def state(self) -> str: ...
    @property
    def consecutive_failures(self) -> int: ...


class SyncState(Protocol):
    """What ``/metrics`` reads of the process's sync manager: its sources and their breakers."""

    @property
    def sources(self) -> Mapping[str, object]: ...
    def breakers(self) -> Mapping[str, BreakerState]:
        """The breakers of the sources this process has called so far."""
        ...


class RunCounts(Protocol):
    """A finished run's report as the metrics count it."""

    @property
    def status(self) -> SyncRunStatus: ...
    def total(self, name: str) -> int:
        """A counter of the run summed over its streams (``fetched``, ``inserted`` …)."""
        ...


class HubMetrics:
    """The metrics of one app; see the module docstring."""

    def __init__(self, *, max_operations: int = 100) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.max_operations = max_operations
        self._operations: set[str] = set()
        registry = self.registry
        self.requests = Counter(
            "hub_graphql_requests",
            "GraphQL requests by operation name, operation type and outcome (ok or error code).",
            ["operation", "type", "outcome"],
            registry=registry,
        )
        self.latency = Histogram(
            "hub_graphql_request_duration_seconds",
            "Time from receiving a GraphQL request to its last byte, by operation name.",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.batches = Histogram(
            "hub_dataloader_batch_size",
            "Keys per DataLoader batch (one SQL statement each).",
            buckets=BATCH_BUCKETS,
            registry=registry,
        )
        self.rejections = Counter(
            "hub_rate_limit_rejections",
            "Requests refused by a rate limit: request (per client or IP), field (per-IP rate of "
            "a root field such as ownerCredit) or cost (the client's cost budget).",
            ["limit"],
            registry=registry,
        )
        self.sync_runs = Counter(
            "hub_sync_runs",
            "Sync runs of this process by source and result (SUCCEEDED, PARTIAL, FAILED; BUSY: "
            "another replica held the source; CANCELLED; ERROR: the run raised).",
            ["source", "result"],
            registry=registry,
        )
        self.fetched = Counter(
            "hub_sync_records_fetched",
            "Records fetched from each upstream source by this process.",
            ["source"],
            registry=registry,
        )
        self.written = Counter(
            "hub_sync_records_written",
            "Records written to the store by this process's syncs, by source and change.",
            ["source", "change"],
            registry=registry,
        )
        self.lag = Gauge(
            "hub_sync_lag_seconds",
            "Seconds since every stream of the source last completed a window (absent: never).",
            ["source"],
            registry=registry,
        )
        self.breaker = Gauge(
            "hub_upstream_breaker_state",
            "Circuit breaker of each upstream in this process: 1 for its current state.",
            ["source", "state"],
            registry=registry,
        )
        self.breaker_failures = Gauge(
            "hub_upstream_breaker_consecutive_failures",
            "Consecutive failed calls to each upstream as its breaker counts them.",
            ["source"],
            registry=registry,
        )
        self.pool_size = Gauge(
            "hub_db_pool_size", "Connections the database pool keeps.", registry=registry
        )
        self.pool_checked_out = Gauge(
            "hub_db_pool_checked_out",
            "Database connections in use by requests and syncs.",
            registry=registry,
        )
        self.pool_overflow = Gauge(
            "hub_db_pool_overflow",
            "Connections open beyond the pool size (negative: pool not yet filled).",
            registry=registry,
        )

    # -- labels --

    def operation_label(self, name: str | None) -> str:
        """The label of an operation name: the name, ``anonymous`` or ``other``."""
        if not name:
            return ANONYMOUS
        if name in self._operations:
            return name
        if not _NAME.match(name) or _DIGITS.search(name):
            return OTHER
        if len(self._operations) >= self.max_operations:
            return OTHER
        self._operations.add(name)
        return name

    # -- events --

    def request(self, *, operation: str | None, kind: str, outcome: str, seconds: float) -> None:
        label = self.operation_label(operation)
        self.requests.labels(label, kind, outcome if outcome in OUTCOMES else OTHER).inc()
        self.latency.labels(label).observe(seconds)

    def sync_run(self, source: str, report: RunCounts | None, *, result: str | None = None) -> None:
        """A finished run (``report``), or one that did not produce a report (``result``)."""
        if report is None:
            self.sync_runs.labels(source, result or "ERROR").inc()
            return
        self.sync_runs.labels(source, report.status.value).inc()
        self.fetched.labels(source).inc(report.total("fetched"))
        for change in WRITTEN:
            self.written.labels(source, change).inc(report.total(change))

    # -- state, read at scrape time --

    async def refresh(self, *, engine: AsyncEngine, sync: SyncState | None, now: datetime) -> None:
        """Read the pool, the breakers and the lag of each source into their gauges."""
        pool: Any = engine.pool
        for gauge, method in (
            (self.pool_size, "size"),
            (self.pool_checked_out, "checkedout"),
            (self.pool_overflow, "overflow"),
        ):
            read = getattr(pool, method, None)
            if callable(read):
                gauge.set(read())
        if sync is None:
            return
        for name, snapshot in sync.breakers().items():
            for state in BREAKER_STATES:
                self.breaker.labels(name, state).set(1 if snapshot.state == state else 0)
            self.breaker_failures.labels(name).set(snapshot.consecutive_failures)
        try:
            confirmed = await _confirmed(engine, sorted(sync.sources))
        except Exception as exc:  # the database may be down: serve the other metrics
            logger.warning("sync lag not read for /metrics: %s", type(exc).__name__)
            return
        for name, last in confirmed.items():
            if last is not None:
                self.lag.labels(name).set(max(0.0, (now - last).total_seconds()))
            else:
                with contextlib.suppress(KeyError):
                    self.lag.remove(name)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


async def _confirmed(engine: AsyncEngine, sources: list[str]) -> dict[str, datetime | None]:
    """Per source: until when it confirmed its records (as ``syncSources.lastSuccessAt``)."""
    async with AsyncSession(engine) as session:
        times = await list_confirmed_at(session, sources=sources)
    return dict(zip(sources, times, strict=True))


def metrics_endpoint(
    metrics: HubMetrics,
    *,
    settings: Settings,
    engine: AsyncEngine,
    sync: SyncState | None,
    clock: Callable[[], datetime],
) -> Callable[[Request], Any]:
    """The ``/metrics`` route: Prometheus text format, behind ``HUB_METRICS_TOKEN`` when set.

    Production without a token refuses (403): the figures describe the deployment's traffic and
    upstreams, which are not for every caller of the public endpoint.
    """
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None

    async def endpoint(request: Request) -> Response:
        if token is None and settings.is_production:
            return JSONResponse(
                {"error": "set HUB_METRICS_TOKEN to scrape /metrics in production"},
                status_code=403,
            )
        if token is not None:
            sent = request.headers.get("authorization", "")
            if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
                return JSONResponse(
                    {"error": "/metrics needs Authorization: Bearer <HUB_METRICS_TOKEN>"},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
        await metrics.refresh(engine=engine, sync=sync, now=clock())
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return endpoint
