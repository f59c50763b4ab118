"""Abuse limits of the GraphQL endpoint: no client can bring the hub down with a query.

The view (``hub.graphql.view``) screens HTTP requests and WebSocket messages and then asks this
module, for every operation of either door:

- **Request** (``Limits.admit_request``, once the viewer is known): requests per API client, or
  per IP for anonymous callers: RATE_LIMITED with ``retryAfter`` (HTTP 429). Then trusted
  documents (``Limits.resolve_document``): a persisted-query id becomes its registered text, an
  unknown one is PERSISTED_QUERY_NOT_FOUND.
- **Document** (schema extensions): tokens (parser), depth, aliases, directives, repeats of a
  field and, in production, introspection (validation rules, cached with the validation result;
  the hub's own are in ``hub.graphql.document_rules``).
- **Operation** (``OperationLimits``, after validation, with the variables): the cost
  (``hub.graphql.cost``) against the per-request maximum (BAD_USER_INPUT), the stricter per-IP rate
  of some root fields (``ownerCredit``), then the client's cost budget per window (RATE_LIMITED).

Counters live in the `limits` library's storage: memory by default, Redis when ``HUB_REDIS_URL``
is set so that replicas share them. If Redis cannot be reached the request is let through and a
warning is logged: the limits protect the hub, an outage of theirs should not stop it.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

from graphql import DocumentNode, GraphQLError
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.validation import ASTValidationRule
from limits import RateLimitItem, parse
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter
from limits.storage import storage_from_string
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.http import GraphQLRequestData
from strawberry.types.graphql import OperationType

from hub.config import Settings, TrustedDocuments
from hub.domain.access import Principal
from hub.errors import (
    BadUserInput,
    HubError,
    PersistedQueryNotFound,
    PersistedQueryNotInList,
    PersistedQueryNotSupported,
    RateLimited,
)
from hub.graphql.context import HubContext
from hub.graphql.cost import Estimate, operation_cost
from hub.graphql.document_rules import (
    NoIntrospectionRule,
    max_directives_rule,
    max_field_repeats_rule,
)
from hub.observability.requests import rate_limited
from hub.services import documents

logger = logging.getLogger("hub.limits")

_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
DOCUMENT_CACHE_SIZE = 1024
"""Registered documents kept in memory by id (they never change, so the cache never goes stale)."""


# --- identity -------------------------------------------------------------------------------


def client_ip(request: HTTPConnection | None) -> str:
    """The caller's address as the ASGI server saw it (behind a proxy: run uvicorn with
    ``--forwarded-allow-ips`` so that this is the client's, not the proxy's)."""
    if request is None or request.client is None:
        return "unknown"
    return request.client.host


def client_key(viewer: Principal, request: HTTPConnection | None) -> str:
    """Whose counters a request uses: its API client or staff subject, else its IP."""
    if viewer.authenticated:
        return f"client:{viewer.client or viewer.unit_code}"
    return f"ip:{client_ip(request)}"


# --- the limits of one app ------------------------------------------------------------------


class Limits:
    """The abuse limits of one app, built from the settings: rules, counters, document cache."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.enabled = settings.limits_enabled
        if settings.redis_url:
            url = settings.redis_url
            url = url if url.startswith("async+") else f"async+{url}"
            prefix = settings.limits_key_prefix
            storage = storage_from_string(url, key_prefix=prefix, wrap_exceptions=True)
        else:
            storage = storage_from_string("async+memory://")
        self.storage = storage
        # Request counts use a moving window (no burst at a window's edge); the cost budget a
        # fixed window, since it counts thousands of units a request, not entries.
        self.requests = MovingWindowRateLimiter(storage)
        self.spending = FixedWindowRateLimiter(storage)
        self.client_rate = _rate(settings.rate_limit_client)
        self.ip_rate = _rate(settings.rate_limit_ip)
        self.budget = _rate(settings.cost_budget)
        self.field_rates = {name: parse(rate) for name, rate in settings.rate_limit_fields.items()}
        self._documents: OrderedDict[str, str] = OrderedDict()
        # Built once: the validation cache is keyed by the rule classes, new classes per request
        # would never hit it.
        rules: list[type[ASTValidationRule]] = []
        if self.enabled:
            rules += QueryDepthLimiter(max_depth=settings.max_depth).validation_rules
            rules += MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules
            rules.append(max_directives_rule(settings.max_directives))
            rules.append(max_field_repeats_rule(settings.max_field_repeats))
        if settings.is_production:
            rules.append(NoIntrospectionRule)
        self.validation_rules = rules

    def __repr__(self) -> str:
        return f"<Limits enabled={self.enabled} storage={type(self.storage).__name__}>"

    def schema_extensions(self) -> list[Callable[[], SchemaExtension]]:
        """The extensions that apply these limits (factories: one instance per request)."""
        extensions: list[Callable[[], SchemaExtension]] = []
        if self.validation_rules:
            rules = self.validation_rules
            extensions.append(lambda: AddValidationRules(rules))
        if self.enabled:
            tokens = self.settings.max_tokens
            extensions.append(lambda: MaxTokensLimiter(max_token_count=tokens))
            extensions.append(lambda: OperationLimits(self))
        return extensions

    # -- counters --

    async def admit_request(self, key: str) -> RateLimited | None:
        """Count one request of a client (or anonymous IP); the refusal when over its rate."""
        if not self.enabled:
            return None
        rate = self.client_rate if key.startswith("client:") else self.ip_rate
        if rate is None:
            return None
        wait = await self._hit(self.requests, rate, "request", key)
        if wait is None:
            return None
        return RateLimited(
            f"too many requests: at most {_say(rate)}; try again in {wait} s",
            retry_after=wait,
            limit=_say(rate),
        )

    async def admit_operation(self, estimate: Estimate, *, key: str, ip: str) -> HubError | None:
        """Check an operation's cost, its root fields' rates and the client's budget."""
        maximum = self.settings.max_cost
        if estimate.cost > maximum:
            return BadUserInput(
                f"the operation would cost {estimate.cost:,}, more than the {maximum:,} one "
                "request may cost: ask for fewer items (`first`) or fewer nested lists",
                cost=estimate.cost,
                maximum=maximum,
            )
        for name in sorted(estimate.root_fields & self.field_rates.keys()):
            rate = self.field_rates[name]
            wait = await self._hit(self.requests, rate, "field", name, f"ip:{ip}")
            if wait is not None:
                return RateLimited(
                    f"{name}: at most {_say(rate)} from one address; try again in {wait} s",
                    retry_after=wait,
                    field=name,
                    limit=_say(rate),
                )
        if self.budget is not None:
            wait = await self._hit(self.spending, self.budget, "cost", key, cost=estimate.cost)
            if wait is not None:
                return RateLimited(
                    f"cost budget spent: this operation would cost {estimate.cost:,} and a client "
                    f"may spend {_say(self.budget)}; try again in {wait} s",
                    retry_after=wait,
                    cost=estimate.cost,
                    budget=_say(self.budget),
                )
        return None

    async def _hit(
        self,
        limiter: MovingWindowRateLimiter | FixedWindowRateLimiter,
        rate: RateLimitItem,
        *identifiers: str,
        cost: int = 1,
    ) -> int | None:
        """Count a hit; None when within the rate, else the seconds until it would pass."""
        try:
            if await limiter.hit(rate, *identifiers, cost=cost):
                return None
            rate_limited(identifiers[0])  # the metric of refusals, by limit
            stats = await limiter.get_window_stats(rate, *identifiers)
        except Exception as exc:  # storage down: admit (see the module docstring)
            logger.warning("rate-limit storage failed, request admitted: %s", type(exc).__name__)
            return None
        return max(1, math.ceil(stats.reset_time - time.time()))

    # -- trusted documents --

    async def resolve_document(
        self, data: GraphQLRequestData, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> GraphQLRequestData:
        """The request with a persisted-query id replaced by its registered text; refuses what
        ``HUB_TRUSTED_DOCUMENTS`` does not allow."""
        mode = self.settings.trusted_documents
        persisted = (data.extensions or {}).get("persistedQuery")
        if persisted is not None:
            sha256 = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
            if not isinstance(sha256, str) or not _SHA256.match(sha256):
                raise BadUserInput(
                    "extensions.persistedQuery must be {version: 1, sha256Hash: <64 hex digits>}"
                )
            sha256 = sha256.lower()
            if mode is TrustedDocuments.OFF:
                raise PersistedQueryNotSupported(
                    "this hub does not run registered documents (HUB_TRUSTED_DOCUMENTS=off): "
                    "send the query text"
                )
            if data.query is not None and documents.document_id(data.query) != sha256:
                raise BadUserInput("extensions.persistedQuery.sha256Hash is not the query's sha256")
            body = await self._document(sha256, sessionmaker)
            if body is not None:
                return replace(data, query=body)
            if data.query is not None and mode is TrustedDocuments.ALLOW:
                return data
            raise PersistedQueryNotFound(
                f"no registered document has the id {sha256}: register it with "
                "`hub documents add FILE`, or send the query text",
                sha256Hash=sha256,
            )
        if mode is TrustedDocuments.REQUIRE and data.query is not None:
            if await self._document(documents.document_id(data.query), sessionmaker) is None:
                raise PersistedQueryNotInList(
                    "this hub runs registered documents only (HUB_TRUSTED_DOCUMENTS=require): "
                    "send the id of one in extensions.persistedQuery.sha256Hash"
                )
        return data

    async def _document(
        self, sha256: str, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> str | None:
        body = self._documents.get(sha256)
        if body is None:
            async with sessionmaker() as session:
                row = await documents.get_by_sha256(session, sha256=sha256)
            if row is None:
                return None  # not remembered: it may be registered a moment later
            body = self._documents[sha256] = row.body
            if len(self._documents) > DOCUMENT_CACHE_SIZE:
                self._documents.popitem(last=False)
        return body


def _rate(value: str | None) -> RateLimitItem | None:
    return parse(value) if value else None


def _say(rate: RateLimitItem) -> str:
    """A rate as people write it: "600 per 1 minute" → "600/minute"."""
    unit = rate.GRANULARITY.name
    return (
        f"{rate.amount}/{unit}"
        if rate.multiples == 1
        else f"{rate.amount}/{rate.multiples} {unit}s"
    )


class OperationLimits(SchemaExtension):
    """Refuses an operation whose cost, root fields or client budget are over the limits.

    It runs after validation (the document is known to be valid) and before execution; a refusal
    becomes the operation's result, so ``ErrorCodes`` gives it its code like any other error.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        if execution.graphql_document is not None and isinstance(context, HubContext):
            try:
                refusal = await self._check(execution.graphql_document, context)
            except HubError as exc:
                refusal = exc
            except Exception:  # a bug of the estimate must not stop the hub: run unchecked
                logger.exception("operation limits could not be checked; operation admitted")
                refusal = None
            if refusal is not None:
                if execution.operation_type is OperationType.SUBSCRIPTION:
                    # A subscription ignores a result set here; strawberry turns what its
                    # execution hook raises into the subscription's first (error) result.
                    raise refusal
                error = GraphQLError(refusal.message, original_error=refusal)
                execution.result = GraphQLExecutionResult(data=None, errors=[error])
        yield

    async def _check(self, document: DocumentNode, context: HubContext) -> HubError | None:
        execution = self.execution_context
        estimate = operation_cost(
            execution.schema._schema,
            document,
            operation_name=execution.operation_name,
            variables=execution.variables,
            list_size=self.limits.settings.cost_list_size,
        )
        if estimate is None:
            return None
        return await self.limits.admit_operation(
            estimate,
            key=client_key(context.viewer, context.request),
            ip=client_ip(context.request),
        )
