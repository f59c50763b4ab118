"""The circuit breaker of one upstream, so that a dead platform cannot stall the hub.

``UpstreamClient`` asks ``allow()`` before every attempt and reports each attempt's outcome. After
``failure_threshold`` consecutive failures the circuit opens and calls are refused at once
(``CircuitOpen``, no request sent). Once ``reset_after`` seconds have passed, exactly one probe is
let through (half-open): its success closes the circuit, its failure opens it again for another
``reset_after``. The state lives in memory, one breaker per client; ``snapshot()`` is what
``syncSources`` shows.

The breaker measures *reachability*: an upstream that answers 404 or 401 is up, and the client
reports such answers as successes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from connectors.errors import CircuitOpen

BreakerState = Literal["closed", "open", "half_open"]


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    """When the circuit opens, and how long it stays open before a probe."""

    failure_threshold: int = 5
    reset_after: float = 30.0


@dataclass(frozen=True, slots=True)
class BreakerSnapshot:
    """The breaker's state at one moment; times are timezone-aware UTC wall times."""

    state: BreakerState
    consecutive_failures: int
    opened_at: datetime | None
    retry_at: datetime | None
    """When the next probe may go out (``opened_at + reset_after``), while not closed."""


class CircuitBreaker:
    """Counts consecutive failures of one upstream and refuses calls while it is down."""

    def __init__(
        self,
        policy: BreakerPolicy = BreakerPolicy(),
        *,
        clock: Callable[[], float] = time.monotonic,
        source: str = "upstream",
    ) -> None:
        if policy.failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.policy = policy
        self.source = source
        self._clock = clock
        self._state: BreakerState = "closed"
        self._failures = 0
        self._opened_at = 0.0  # on ``clock``, for the decisions; meaningful while not closed
        self._opened_at_wall: datetime | None = None  # for people
        self._probe_out = False

    def __repr__(self) -> str:
        return (
            f"CircuitBreaker(source={self.source!r}, state={self._state!r}, "
            f"consecutive_failures={self._failures})"
        )

    @property
    def state(self) -> BreakerState:
        """The current state (an open circuit past ``reset_after`` stays ``open`` until a call)."""
        return self._state

    def allow(self) -> None:
        """Let a call through, or raise ``CircuitOpen`` when the upstream is considered down."""
        if self._state == "closed":
            return
        if self._state == "open":
            if self._clock() - self._opened_at < self.policy.reset_after:
                raise self._refusal("circuit open")
            self._state = "half_open"
            self._probe_out = True
            return
        if self._probe_out:
            raise self._refusal("circuit half-open, a probe is out")
        self._probe_out = True

    def record_success(self) -> None:
        """The call reached the upstream: close the circuit and forget earlier failures."""
        self._state = "closed"
        self._failures = 0
        self._opened_at_wall = None
        self._probe_out = False

    def record_failure(self) -> None:
        """The call failed: count it, and open the circuit at the threshold or after a probe."""
        self._failures += 1
        if self._state == "half_open":
            self._open()
        elif self._state == "closed" and self._failures >= self.policy.failure_threshold:
            self._open()
        # Already open: calls that were in flight when it opened do not push the probe back.

    def release(self) -> None:
        """Give back a half-open probe that ended without a verdict (it was cancelled)."""
        if self._state == "half_open":
            self._probe_out = False

    def snapshot(self) -> BreakerSnapshot:
        """The state, failure count and open/probe times, for status pages."""
        retry_at = None
        if self._opened_at_wall is not None:
            retry_at = self._opened_at_wall + timedelta(seconds=self.policy.reset_after)
        return BreakerSnapshot(
            state=self._state,
            consecutive_failures=self._failures,
            opened_at=self._opened_at_wall,
            retry_at=retry_at,
        )

    def _open(self) -> None:
        self._state = "open"
        self._opened_at = self._clock()
        self._opened_at_wall = datetime.now(UTC)
        self._probe_out = False

    def _refusal(self, what: str) -> CircuitOpen:
        retry_at = self.snapshot().retry_at
        until = f", next probe at {retry_at:%Y-%m-%dT%H:%M:%SZ}" if retry_at else ""
        return CircuitOpen(self.source, op="call", reason=f"{what}{until}")
