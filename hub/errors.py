"""Errors of the hub.

Every expected failure is a ``HubError`` with a stable ``code`` that clients can branch on; the
GraphQL layer turns it into ``extensions.code``. No HTTP status lives here.

    HubError
    ├── BadUserInput        (BAD_USER_INPUT)  malformed id, cursor, filter or value
    │   └── InvalidValue    a domain validator refused a field (USCC, resident ID …)
    ├── NotFound            (NOT_FOUND)
    ├── Forbidden           (FORBIDDEN)
    ├── Unauthenticated     (UNAUTHENTICATED)
    ├── RateLimited         (RATE_LIMITED)
    ├── UpstreamUnavailable (UPSTREAM_UNAVAILABLE)
    └── DatabaseBehind      (INTERNAL)  the database is not migrated to head
"""

from __future__ import annotations

import enum
from typing import Any


class ErrorCode(enum.StrEnum):
    """Stable error codes, sent to clients as ``extensions.code``."""

    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    RATE_LIMITED = "RATE_LIMITED"
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
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


class NotFound(HubError):
    """The record asked for does not exist (or is not visible to the caller)."""

    code = ErrorCode.NOT_FOUND


class Forbidden(HubError):
    """The caller may not do this."""

    code = ErrorCode.FORBIDDEN


class Unauthenticated(HubError):
    """The credential sent is missing, malformed or expired."""

    code = ErrorCode.UNAUTHENTICATED


class RateLimited(HubError):
    """The caller sent too much in too little time."""

    code = ErrorCode.RATE_LIMITED


class UpstreamUnavailable(HubError):
    """An external platform could not be reached or answered badly."""

    code = ErrorCode.UPSTREAM_UNAVAILABLE


class DatabaseBehind(HubError):
    """The database schema is not at the revision this code needs."""

    code = ErrorCode.INTERNAL
