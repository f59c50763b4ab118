"""Turning exceptions into GraphQL errors with a stable ``extensions.code``.

- ``HubError``: its message and code go to the client as they are (they are written for it),
  except an INTERNAL one, which is a bug like any other (below).
- Errors of the GraphQL document or of variables (no field was running): BAD_USER_INPUT.
- The database unreachable or its connection lost (``hub.store.session.database_unavailable``):
  DATABASE_UNAVAILABLE with ``retryAfter``, and a warning in the log; an outage, not a bug.
- Anything else is a bug: the client sees "Internal error", the log gets the exception. Never a
  stack trace, never personal data in the message.

Every error carries the request's correlation id as ``extensions.requestId`` (the id of the logs
and of ``X-Request-ID``). In production, GraphQL's "Did you mean …?" suggestions are cut from the
messages: they would tell a stranger the names of fields and values the schema hides from them
(introspection is off there). graphql-core can omit them itself (``hide_suggestions``), but
strawberry does not pass that option to validation nor to execution, so they are cut here, once,
for every path.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from graphql import OperationDefinitionNode
from graphql.error import GraphQLError
from strawberry.extensions import ParserCache, SchemaExtension

from hub.errors import DatabaseUnavailable, ErrorCode, HubError
from hub.store.session import database_unavailable

logger = logging.getLogger("hub.graphql")

# graphql-core's did_you_mean(): " Did you mean 'a', 'b', or 'c'?" (names never contain "?").
_SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")


def classify(error: GraphQLError) -> tuple[str, dict[str, Any]]:
    """The message a client should see and the extensions to send with it."""
    original = error.original_error
    if isinstance(original, HubError) and original.code is not ErrorCode.INTERNAL:
        return original.message, original.extensions()
    if original is None or isinstance(original, GraphQLError) or error.path is None:
        return error.message, {"code": ErrorCode.BAD_USER_INPUT.value}
    if database_unavailable(original):
        unavailable = DatabaseUnavailable()
        return unavailable.message, unavailable.extensions()
    return "Internal error", {"code": ErrorCode.INTERNAL.value}


def coded_error(exc: HubError, request_id: str) -> GraphQLError:
    """A refusal that never reached a resolver (a rate, a trusted document, a credential) as
    the GraphQL error either door sends: its code and the request id."""
    return GraphQLError(exc.message, extensions={**exc.extensions(), "requestId": request_id})


def is_unexpected(error: GraphQLError) -> bool:
    """True when the error is a bug worth logging with its traceback."""
    code: object = classify(error)[1]["code"]
    return code == ErrorCode.INTERNAL.value


class ErrorCodes(SchemaExtension):
    """Gives every error of a result its ``extensions.code`` and hides internal details.

    On both doors: an HTTP result when the operation ends (``on_operation``), each result of a
    stream — every operation over a WebSocket — before it is sent (``on_stream_result``; the
    operation ends only after its results have gone out).
    """

    def on_operation(self) -> Iterator[None]:
        yield
        self._rewrite(self.execution_context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        self._rewrite(result)
        yield

    def _rewrite(self, result: Any) -> None:
        errors = getattr(result, "errors", None)
        if not errors:
            return
        context = self.execution_context.context
        request_id = getattr(context, "request_id", None)
        settings = getattr(context, "settings", None)
        production = settings is not None and settings.is_production
        rewritten = []
        for error in errors:
            if error.extensions and "requestId" in error.extensions:
                rewritten.append(error)  # rewritten already (a stream's result, then the end)
                continue
            message, extensions = classify(error)
            if extensions["code"] == ErrorCode.DATABASE_UNAVAILABLE.value:
                logger.warning(
                    "database unavailable in %s: %s",
                    ".".join(str(p) for p in error.path or ()),
                    type(error.original_error).__name__,
                )
            if production:
                message = _SUGGESTION.sub("", message)
            if request_id:
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
        result.errors = rewritten


class CodedParserCache(ParserCache):
    """Strawberry's parse cache, except that a document that does not parse is left unparsed.

    Strawberry's ``ParserCache`` parses in its ``on_parse`` hook, where a syntax error (or the
    token limit) escapes every extension, ``ErrorCodes`` included: the client would get an error
    without a code or request id. Left unparsed, the document is parsed again by strawberry
    itself, whose syntax errors become the operation's result like any other error. Only
    documents that fail are parsed twice.
    """

    def on_parse(self) -> Iterator[None]:
        execution_context = self.execution_context
        try:
            execution_context.graphql_document = self.cached_parse_document(
                execution_context.query, **execution_context.parse_options
            )
        except GraphQLError:
            execution_context.graphql_document = None
        yield


class OperationChoice(SchemaExtension):
    """Refuses a document of several operations sent without ``operationName``.

    The specification makes it a request error; strawberry would run the first operation. It
    runs after the validation cache (listed after it), whose result it extends.
    """

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        # What the client sent: strawberry's ``operation_name`` falls back to the first one's.
        if document is not None and execution._provided_operation_name is None:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > 1:
                error = GraphQLError(
                    "the document holds several operations: name the one to run in operationName",
                    nodes=operations,
                )
                execution.pre_execution_errors = [*(execution.pre_execution_errors or []), error]
        yield
