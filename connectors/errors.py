"""Errors a connector raises when an upstream platform fails it.

All of them are ``hub.errors.UpstreamUnavailable`` (code ``UPSTREAM_UNAVAILABLE``), so the GraphQL
layer and the sync engine can treat any upstream failure alike and branch on the subclass when
the difference matters (``RetryAfterTooLong`` stops a sync run as PARTIAL and keeps its progress).

    UpstreamUnavailable      retries exhausted: connection errors, timeouts, 408, 429, 5xx
    ├── CircuitOpen          the breaker refused the call; no request was sent
    ├── RetryAfterTooLong    the upstream asked us to wait longer than the cap
    ├── UpstreamAuthFailed   401 or 403 that renewing the credential did not cure
    └── UpstreamProtocolError  not JSON after retries, record path missing, unexpected status
        └── PagingLoop       a page token repeats, or the same page comes back twice in a row

Messages name the source, the operation and a short reason (a status code or an exception class
name); they never carry credentials, tokens, signatures, headers, bodies or query strings.
"""

from __future__ import annotations

from hub.errors import UpstreamUnavailable as _HubUpstreamUnavailable

__all__ = [
    "CircuitOpen",
    "PagingLoop",
    "RetryAfterTooLong",
    "UpstreamAuthFailed",
    "UpstreamProtocolError",
    "UpstreamUnavailable",
]


class UpstreamUnavailable(_HubUpstreamUnavailable):
    """The upstream could not be reached or kept failing until the retries ran out."""

    def __init__(self, source: str, *, op: str, reason: str) -> None:
        super().__init__(f"{source}: {op} failed: {reason}", source=source, op=op, reason=reason)
        self.source = source
        self.op = op
        self.reason = reason

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(source={self.source!r}, op={self.op!r}, reason={self.reason!r})"
        )


class CircuitOpen(UpstreamUnavailable):
    """The circuit breaker of the upstream is open; the call was refused without a request."""


class RetryAfterTooLong(UpstreamUnavailable):
    """The upstream asked to wait longer than the configured cap (``Retry-After``)."""

    def __init__(self, source: str, *, op: str, reason: str, retry_after: float) -> None:
        super().__init__(source, op=op, reason=reason)
        self.retry_after = retry_after
        self.details["retry_after"] = retry_after


class UpstreamAuthFailed(UpstreamUnavailable):
    """The upstream refused our credential (401 or 403) and renewing it did not help."""


class UpstreamProtocolError(UpstreamUnavailable):
    """The upstream answered, but not as its contract says (status, JSON, envelope)."""


class PagingLoop(UpstreamProtocolError):
    """Paging went round in a circle: a token repeated, or the same page came back twice."""
