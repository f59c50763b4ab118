"""Errors a connector raises when an upstream platform fails it.

A hierarchy of its own, like httpx's: connectors know nothing of the hub. The sync layer
(``hub.sync.translate.upstream_error``) turns them into the hub's ``UpstreamUnavailable`` (code
``UPSTREAM_UNAVAILABLE``) where they cross into it, keeping the distinction the sync engine
needs: a pause (``RetryAfterTooLong``, ``CircuitOpen``) stops a run as PARTIAL and keeps its
progress, any other failure fails it.

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

from typing import Any

__all__ = [
    "CircuitOpen",
    "PagingLoop",
    "RetryAfterTooLong",
    "UpstreamAuthFailed",
    "UpstreamProtocolError",
    "UpstreamUnavailable",
]


class UpstreamUnavailable(Exception):
    """The upstream could not be reached or kept failing until the retries ran out."""

    def __init__(self, source: str, *, op: str, reason: str) -> None:
        super().__init__(f"{source}: {op} failed: {reason}")
        self.source = source
        self.op = op
        self.reason = reason

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(source={self.source!r}, op={self.op!r}, reason={self.reason!r})"
        )

    def details(self) -> dict[str, Any]:
        """The failure's structured fields (no credentials, no personal data)."""
        return {"source": self.source, "op": self.op, "reason": self.reason}


class CircuitOpen(UpstreamUnavailable):
    """The circuit breaker of the upstream is open; the call was refused without a request."""


class RetryAfterTooLong(UpstreamUnavailable):
    """The upstream asked to wait longer than the configured cap (``Retry-After``)."""

    def __init__(self, source: str, *, op: str, reason: str, retry_after: float) -> None:
        super().__init__(source, op=op, reason=reason)
        self.retry_after = retry_after

    def details(self) -> dict[str, Any]:
        """The failure's structured fields, with the seconds the upstream asked us to wait."""
        return {**super().details(), "retry_after": self.retry_after}


class UpstreamAuthFailed(UpstreamUnavailable):
    """The upstream refused our credential (401 or 403) and renewing it did not help."""


class UpstreamProtocolError(UpstreamUnavailable):
    """The upstream answered, but not as its contract says (status, JSON, envelope)."""


class PagingLoop(UpstreamProtocolError):
    """Paging went round in a circle: a token repeated, or the same page came back twice."""
