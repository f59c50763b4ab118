"""Turning exceptions into GraphQL errors with a stable ``extensions.code``.

- ``HubError``: its message and code go to the client as they are (they are written for it).
- Errors of the GraphQL document or of variables (no field was running): BAD_USER_INPUT.
- Anything else is a bug: the client sees "Internal error" with the request id, the log gets the
  exception. Never a stack trace, never personal data in the message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql.error import GraphQLError
from strawberry.extensions import SchemaExtension

from hub.errors import ErrorCode, HubError

logger = logging.getLogger("hub.graphql")


def classify(error: GraphQLError) -> tuple[str, dict[str, Any]]:
    """The message a client should see and the extensions to send with it."""
    original = error.original_error
    if isinstance(original, HubError):
        return original.message, original.extensions()
    if original is None or isinstance(original, GraphQLError) or error.path is None:
        return error.message, {"code": ErrorCode.BAD_USER_INPUT.value}
    return "Internal error", {"code": ErrorCode.INTERNAL.value}


def is_unexpected(error: GraphQLError) -> bool:
    """True when the error is a bug worth logging with its traceback."""
    return classify(error)[1]["code"] == ErrorCode.INTERNAL.value


class ErrorCodes(SchemaExtension):
    """Gives every error of a result its ``extensions.code`` and hides internal details."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if not errors:
            return
        request_id = getattr(self.execution_context.context, "request_id", None)
        rewritten = []
        for error in errors:
            message, extensions = classify(error)
            if request_id and extensions["code"] == ErrorCode.INTERNAL.value:
                extensions = {**extensions, "requestId": request_id}
            rewritten.append(
                GraphQLError(
                    message,
                    nodes=error.nodes,
                    source=error.source,
                    positions=error.positions,
                    path=error.path,
                    original_error=error.original_error,
                    extensions=extensions,
                )
            )
        result.errors = rewritten  # type: ignore[union-attr]
