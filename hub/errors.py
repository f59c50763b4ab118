"""Errors of the hub.

Every expected failure is a ``HubError`` with a stable ``code`` that clients can branch on; the
GraphQL layer turns it into ``extensions.code``. No HTTP status lives here.

    HubError
    ├── BadUserInput        (BAD_USER_INPUT)  malformed id, cursor, filter or value
    │   ├── InvalidValue    a domain validator refused a field (USCC, resident ID …)
    │   ├── InvalidCursor   an ``after`` cursor that this list did not write
    │   └── RequestRefused  an HTTP request refused before GraphQL read it (a batch, a GET
    │       │               without the CSRF header, a body that is not a JSON object)
    │       ├── NotAcceptable         the Accept header names no media type the hub answers
    │       ├── UnsupportedMediaType  a POST body that is not JSON
    │       ├── RequestTooLarge       a body over the cap
    │       └── QueryStringTooLong    a GET's query string over the cap
    ├── NotFound            (NOT_FOUND)
    ├── Forbidden           (FORBIDDEN)
    │   └── PartyNotPermitted   the role may not accept a repair for this party
    ├── Unauthenticated     (UNAUTHENTICATED)
    ├── RateLimited         (RATE_LIMITED)   too many requests, or the cost budget is spent
    ├── PersistedQueryNotFound (PERSISTED_QUERY_NOT_FOUND)  no trusted document has this id
    ├── PersistedQueryNotInList (PERSISTED_QUERY_NOT_IN_LIST)  free text where only trusted
    │                                                          documents run
    ├── PersistedQueryNotSupported (PERSISTED_QUERY_NOT_SUPPORTED)  trusted documents are off
    ├── UpstreamUnavailable (UPSTREAM_UNAVAILABLE)
    │   └── UpstreamPaused  the upstream asked to wait too long, or its breaker is open
    ├── SyncError           (INTERNAL)  a sync of a source cannot go on; its run keeps the message
    │   ├── SyncBusy                     another run of the source holds its lease
    │   ├── QuarantineThresholdExceeded  too large a share of a stream's records was invalid
    │   └── WindowInconsistent           a window's records kept moving while it was paged
    ├── DatabaseUnavailable (DATABASE_UNAVAILABLE)  the database cannot be reached now
    ├── DatabaseBehind      (INTERNAL)  the database is not migrated to head
    └── RequestEnded        (INTERNAL)  database work asked of a request that has ended

The HTTP door gives each ``RequestRefused`` its status (``hub.graphql.over_http``); an INTERNAL
error is a bug whatever its class, so clients see "Internal error", never its message.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any


class ErrorCode(enum.StrEnum):
    """Stable error codes, sent to clients as ``extensions.code``."""

    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    RATE_LIMITED = "RATE_LIMITED"
    # Trusted documents: the codes of Apollo's persisted queries, which clients already handle.
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
    PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
    INTERNAL = "INTERNAL"


class HubError(Exception):
    """An expected failure with a stable code and structured, PII-free details."""

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def extensions(self) -> dict[str, Any]:
        """The GraphQL ``extensions`` of this error."""
        return {**self.details, "code": self.code.value}


class BadUserInput(HubError):
    """The request carried a value the hub cannot use."""

    code = ErrorCode.BAD_USER_INPUT


class InvalidValue(BadUserInput):
    """A field's value failed a domain check; the message names the field and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}", field=field)
        self.field = field
        self.reason = reason


class InvalidCursor(BadUserInput):
    """An ``after`` cursor that is not one this list wrote; ``reason`` names the part that
    does not fit (the cursor itself is not echoed: a client may have put anything there)."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"after: the cursor is not one of this list's ({reason}); start again without it",
            field="after",
        )
        self.reason = reason


class RequestRefused(BadUserInput):
    """An HTTP request the hub refused before reading it as GraphQL."""


class NotAcceptable(RequestRefused):
    """The request accepts none of the media types the hub answers with."""


class UnsupportedMediaType(RequestRefused):
    """A POST body that is not JSON (a cross-site form could post it)."""


class RequestTooLarge(RequestRefused):
    """A request body larger than the hub reads."""


class QueryStringTooLong(RequestRefused):
    """A query string longer than the hub reads."""


class NotFound(HubError):
    """The record asked for does not exist (or is not visible to the caller)."""

    code = ErrorCode.NOT_FOUND


class Forbidden(HubError):
    """The caller may not do this."""

    code = ErrorCode.FORBIDDEN


class PartyNotPermitted(Forbidden):
    """The caller's role may not record a repair's acceptance for this party (R4: each party
    accepts through its own unit; the committee's acceptance is recorded by its community)."""


class Unauthenticated(HubError):
    """The credential sent is missing, malformed or expired."""

    code = ErrorCode.UNAUTHENTICATED


class RateLimited(HubError):
    """The caller sent too much in too little time; ``retry_after`` is the seconds to wait."""

    code = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, *, retry_after: int, **details: Any) -> None:
        super().__init__(message, retryAfter=retry_after, **details)
        self.retry_after = retry_after


class PersistedQueryNotFound(HubError):
    """No trusted document has the id the client sent."""

    code = ErrorCode.PERSISTED_QUERY_NOT_FOUND


class PersistedQueryNotInList(HubError):
    """The client sent a document that is not registered, and only registered ones may run."""

    code = ErrorCode.PERSISTED_QUERY_NOT_IN_LIST


class PersistedQueryNotSupported(HubError):
    """The client sent a document id, but trusted documents are off."""

    code = ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED


class UpstreamUnavailable(HubError):
    """An external platform could not be reached or answered badly."""

    code = ErrorCode.UPSTREAM_UNAVAILABLE


class UpstreamPaused(UpstreamUnavailable):
    """An external platform cannot be called for now: it asked to wait longer than the cap
    (``Retry-After``), or its circuit breaker is open. A sync stops PARTIAL and keeps its
    progress, where any other upstream failure fails it."""


class SyncError(HubError):
    """A sync of a source could not go on. Its message is kept on the run (``syncRuns.error``)
    and shown by ``hub sync``; it is not a client's error, so the code stays INTERNAL."""

    code = ErrorCode.INTERNAL


class SyncBusy(SyncError):
    """Another run of the same source holds its lease (in this process or another replica)."""

    def __init__(self, source: str, holder: str, expires_at: datetime) -> None:
        super().__init__(
            f"{source}: a sync is already running (until {expires_at:%H:%M:%S} UTC at the latest)",
            source=source,
        )
        self.holder = holder


class QuarantineThresholdExceeded(SyncError):
    """Too large a share of a stream's records was invalid: the upstream is probably broken."""


class WindowInconsistent(SyncError):
    """A window's records kept moving while it was paged; it will be read again next run."""


class DatabaseUnavailable(HubError):
    """The database could not be reached or dropped the connection (a restart, a failover, an
    exhausted pool); the client may retry after ``retry_after`` seconds."""

    code = ErrorCode.DATABASE_UNAVAILABLE

    def __init__(self, *, retry_after: int = 5) -> None:
        super().__init__(
            "the database is unavailable at the moment; try again shortly",
            retryAfter=retry_after,
        )
        self.retry_after = retry_after


class DatabaseBehind(HubError):
    """The database schema is not at the revision this code needs."""

    code = ErrorCode.INTERNAL


class RequestEnded(HubError):
    """Database work was asked of a request whose session has been closed (a resolver still
    running after the answer went out)."""

    code = ErrorCode.INTERNAL
