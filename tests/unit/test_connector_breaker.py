"""The circuit breaker: closed, open after repeated failures, one half-open probe, a verdict."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from connectors.breaker import BreakerPolicy, CircuitBreaker
from connectors.errors import CircuitOpen, UpstreamUnavailable


class FakeClock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def open_breaker(
    clock: FakeClock, *, threshold: int = 3, reset_after: float = 30.0
) -> CircuitBreaker:
    breaker = CircuitBreaker(
        BreakerPolicy(failure_threshold=threshold, reset_after=reset_after),
        clock=clock,
        source="ordos",
    )
    for _ in range(threshold):
        breaker.allow()
        breaker.record_failure()
    return breaker


def test_closed_breaker_lets_calls_through_below_the_threshold() -> None:
    """Failures under the threshold leave the circuit closed and calls allowed."""
    breaker = CircuitBreaker(BreakerPolicy(failure_threshold=3), clock=FakeClock())
    for _ in range(2):
        breaker.allow()
        breaker.record_failure()
    breaker.allow()
    snapshot = breaker.snapshot()
    assert (snapshot.state, snapshot.consecutive_failures) == ("closed", 2)
    assert snapshot.opened_at is None and snapshot.retry_at is None


def test_a_success_resets_the_consecutive_failures() -> None:
    """Only consecutive failures count: a success in between starts the count again."""
    breaker = CircuitBreaker(BreakerPolicy(failure_threshold=3), clock=FakeClock())
    for _ in range(2):
        breaker.record_failure()
    breaker.record_success()
    for _ in range(2):
        breaker.record_failure()
    assert breaker.snapshot().state == "closed"
    assert breaker.snapshot().consecutive_failures == 2


def test_breaker_opens_at_the_threshold_and_refuses_calls() -> None:
    """The threshold-th consecutive failure opens the circuit, and calls are refused."""
    clock = FakeClock()
    breaker = open_breaker(clock, threshold=3, reset_after=30.0)
    snapshot = breaker.snapshot()
    assert snapshot.state == "open"
    assert snapshot.consecutive_failures == 3
    assert snapshot.opened_at is not None and snapshot.opened_at.tzinfo == UTC
    assert snapshot.retry_at == snapshot.opened_at + timedelta(seconds=30)

    clock.advance(29.9)
    with pytest.raises(CircuitOpen) as refused:
        breaker.allow()
    assert isinstance(refused.value, UpstreamUnavailable)
    assert refused.value.source == "ordos"
    assert str(refused.value).startswith("ordos: ")


def test_half_open_lets_exactly_one_probe_through() -> None:
    """After reset_after one probe may go out; a second call while it is out is refused."""
    clock = FakeClock()
    breaker = open_breaker(clock)
    clock.advance(30.0)
    breaker.allow()
    assert breaker.snapshot().state == "half_open"
    with pytest.raises(CircuitOpen, match="probe"):
        breaker.allow()


def test_successful_probe_closes_the_circuit() -> None:
    """A probe that succeeds closes the circuit and clears the failures."""
    clock = FakeClock()
    breaker = open_breaker(clock)
    clock.advance(31.0)
    breaker.allow()
    breaker.record_success()
    snapshot = breaker.snapshot()
    assert (snapshot.state, snapshot.consecutive_failures) == ("closed", 0)
    assert snapshot.opened_at is None and snapshot.retry_at is None
    breaker.allow()
    breaker.allow()


def test_failed_probe_reopens_for_another_reset_period() -> None:
    """A probe that fails opens the circuit again, counted from the probe's failure."""
    clock = FakeClock()
    breaker = open_breaker(clock, reset_after=30.0)
    clock.advance(30.0)
    breaker.allow()
    breaker.record_failure()
    assert breaker.snapshot().state == "open"

    clock.advance(29.0)
    with pytest.raises(CircuitOpen):
        breaker.allow()
    clock.advance(1.0)
    breaker.allow()
    assert breaker.snapshot().state == "half_open"


def test_failures_in_flight_do_not_push_back_the_probe() -> None:
    """Calls that were already out when the circuit opened do not extend the open period."""
    clock = FakeClock()
    breaker = open_breaker(clock, reset_after=30.0)
    opened_at = breaker.snapshot().opened_at
    clock.advance(20.0)
    breaker.record_failure()
    assert breaker.snapshot().opened_at == opened_at
    clock.advance(10.0)
    breaker.allow()


def test_released_probe_lets_the_next_call_probe() -> None:
    """A probe cancelled without a verdict frees the half-open slot instead of wedging it."""
    clock = FakeClock()
    breaker = open_breaker(clock)
    clock.advance(30.0)
    breaker.allow()
    breaker.release()
    breaker.allow()
    assert breaker.snapshot().state == "half_open"


def test_breaker_policy_rejects_a_threshold_below_one() -> None:
    """A breaker that could never be closed is a configuration error."""
    with pytest.raises(ValueError, match="failure_threshold"):
        CircuitBreaker(BreakerPolicy(failure_threshold=0))
