"""The abuse limits of GraphQL requests and of the WebSocket door (``HUB_MAX_*``,
``HUB_RATE_LIMIT_*``, ``HUB_COST_*``, ``HUB_WS_*`` …): a group of fields of ``hub.config.Settings``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from hub.config.values import TrustedDocuments, check_rate


class LimitSettings(BaseModel):
    """What one request, one client and one WebSocket connection may cost."""

    # See hub/graphql/limits.py and README.md, "Production settings: limits". Rates and budgets
    # are in the notation of the `limits` library ("600/minute").
    limits_enabled: bool = Field(
        default=True,
        description="Apply the abuse limits below; false only for benchmarks or a closed network.",
    )
    max_depth: int = Field(default=10, ge=1, description="Deepest nesting of fields allowed.")
    max_aliases: int = Field(default=30, ge=0, description="Most aliases in one document.")
    max_directives: int = Field(
        default=50, ge=0, description="Most directives (@include, @skip …) in one document."
    )
    max_field_repeats: int = Field(
        default=20,
        ge=1,
        description="Most times one field may be selected in one selection, fragments included.",
    )
    max_tokens: int = Field(default=5000, ge=1, description="Most tokens in one document.")
    max_cost: int = Field(
        default=50_000,
        ge=1,
        description="Highest cost of one operation: each field costs 1, and a list multiplies the "
        "cost of its fields by `first` (the default page size when absent) or, when it takes no "
        "`first`, by HUB_COST_LIST_SIZE.",
    )
    cost_list_size: int = Field(
        default=10, ge=1, description="Length assumed of a list field that takes no `first`."
    )
    cost_budget: str | None = Field(
        default="500000/minute",
        description="Cost a client (an anonymous caller: its IP) may spend per window; empty "
        "for none.",
    )
    rate_limit_client: str | None = Field(
        default="600/minute", description="Requests per API client (or staff token); empty: none."
    )
    rate_limit_ip: str | None = Field(
        default="300/minute", description="Requests per IP of anonymous callers; empty: none."
    )
    rate_limit_fields: dict[str, str] = Field(
        default={"ownerCredit": "10/minute"},
        description="Stricter per-IP limits of operations that select these root fields, as "
        "JSON {field: rate}.",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis for the counters of the limits (redis://host:6379/0), shared by all "
        "replicas; without it each process counts on its own.",
    )
    limits_key_prefix: str = Field(
        default="hub-limits", description="Prefix of the limit counters' keys in Redis."
    )
    max_body_bytes: int = Field(
        default=100_000, ge=1_000, description="Largest request body accepted (413 above)."
    )
    trusted_documents: TrustedDocuments = Field(
        default=TrustedDocuments.OFF,
        description="off | allow | require: `require` runs only documents registered with "
        "`hub documents add` (recommended in production).",
    )
    # The WebSocket door (graphql-transport-ws at /graphql, hub/graphql/websocket.py): every
    # limit above applies to each of its operations; these cap the connection itself.
    ws_max_message_bytes: int = Field(
        default=100_000,
        ge=1_000,
        description="Largest WebSocket message accepted; a larger one closes the connection "
        "(1009). uvicorn drops larger ones still before reading them (server_ws_max_size_bytes).",
    )
    ws_max_connections_per_client: int = Field(
        default=20,
        ge=1,
        description="Open WebSocket connections per API client (or per IP for the public), in "
        "each replica; one more is closed (4429).",
    )
    ws_max_operations_per_connection: int = Field(
        default=20,
        ge=1,
        description="Operations (subscriptions included) running at once on one WebSocket; one "
        "more closes the connection (4429).",
    )
    ws_init_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="Seconds a WebSocket may stay open without connection_init (4408 after).",
    )
    ws_legacy_protocol: bool = Field(
        default=False,
        description="Also speak the legacy `graphql-ws` subprotocol (subscriptions-transport-ws) "
        "for old clients; off by default.",
    )

    @field_validator("cost_budget", "rate_limit_client", "rate_limit_ip", mode="before")
    @classmethod
    def _rate_or_none(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return check_rate(str(value))

    @field_validator("rate_limit_fields")
    @classmethod
    def _field_rates(cls, value: dict[str, str]) -> dict[str, str]:
        return {name: check_rate(rate) for name, rate in value.items()}
