"""Settings of the hub, read from the environment (prefix ``HUB_``) and an optional ``.env`` file.

Every other module receives a ``Settings`` object; nothing else reads the environment.
"""

from __future__ import annotations

import enum
import hmac
import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub.domain.crypto import Keyring, decode_key
from hub.domain.ranking import RankingSettings
from hub.domain.subsidies import BudgetSettings

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/hub.db"

# Development only, and public (they are in the source): so that `make run` and the tests work
# without configuration. Production refuses them (Settings._production_needs_pii_keys).
DEMO_PII_KEY_ID = "demo"
DEMO_PII_KEY = b"DEMO-ONLY-pii-key-not-a-secret!!"
DEMO_PII_INDEX_KEY = b"DEMO-ONLY-index-key-not-secret!!"


class Environment(enum.StrEnum):
    """Where the hub runs; production turns off developer conveniences."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


class TrustedDocuments(enum.StrEnum):
    """Which GraphQL documents the hub runs (see ``hub documents``)."""

    OFF = "off"  # any document sent as text; document ids are not looked up
    ALLOW = "allow"  # text, or the id of a registered document
    REQUIRE = "require"  # registered documents only (by id, or their exact text)


class SourceSettings(BaseModel):
    """One upstream platform the hub syncs from (a connector and its schedule)."""

    kind: Literal["ordos", "tender", "utility"] = Field(description="Which connector to use.")
    base_url: str = Field(description="Base URL of the upstream API.")
    enabled: bool = Field(default=True, description="Sync this source on its schedule.")
    schedule: str = Field(
        default="*/30 * * * *", description="Cron expression (UTC) of the scheduled syncs."
    )
    max_age_hours: float = Field(
        default=36, gt=0, description="Records older than this since their last sync are stale."
    )
    lookback_minutes: int = Field(
        default=10, ge=0, description="Each window starts this long before the last watermark."
    )
    quarantine_threshold: float = Field(
        default=0.05, ge=0, le=1, description="A stream fails above this share of invalid records."
    )
    connect_timeout: float = Field(default=5.0, gt=0, description="Seconds to connect.")
    read_timeout: float = Field(default=30.0, gt=0, description="Seconds to wait for an answer.")
    retry_attempts: int = Field(default=5, ge=1, description="Attempts per request.")
    retry_after_cap: float = Field(
        default=60.0, ge=0, description="Longest Retry-After honoured; longer stops the run."
    )
    credentials: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Credentials of the connector's auth kind (client_id/client_secret, "
        "key_id/secret or api_key); better given in the secrets file.",
    )

    @field_validator("schedule")
    @classmethod
    def _cron_expression(cls, value: str) -> str:
        from croniter import croniter

        if not croniter.is_valid(value):
            raise ValueError(f"not a cron expression: {value!r} (e.g. '*/30 * * * *')")
        return value


class Settings(BaseSettings):
    """All configuration of the hub; see README.md, section Configuration."""

    # Inputs stay out of error messages: they may hold keys and credentials.
    model_config = SettingsConfigDict(
        env_prefix="HUB_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    env: Environment = Field(
        default=Environment.DEVELOPMENT,
        description="development | production; production disables GraphiQL and demo helpers.",
    )
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy async URL: sqlite+aiosqlite:///… or postgresql+asyncpg://…",
    )
    database_echo: bool = Field(default=False, description="Log every SQL statement (development).")
    database_pool_size: int = Field(
        default=10, ge=1, description="PostgreSQL connection pool size."
    )
    host: str = Field(default="127.0.0.1", description="Address `hub serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `hub serve` listens on.")
    stale_after_hours: int = Field(
        default=36,
        ge=1,
        description="A synced record older than this is reported as stale in its provenance.",
    )
    # Credit-grade thresholds (MISSION.md, domain facts): they differ by city, so they are settings.
    # Each pair is (grade, lowest score of that grade), from the best grade down.
    credit_grade_thresholds: list[tuple[str, float]] = Field(
        default=[("AAA", 85.0), ("AA", 80.0), ("A", 70.0), ("B", 60.0), ("C", 0.0)],
        description="Credit grades and the lowest score of each, best first.",
    )
    timezone: str = Field(
        default="Asia/Shanghai", description="Time zone of business dates (deadlines, today)."
    )
    # R5, Civil Code art. 278: older local rules used "two thirds approve", so these are settings.
    fund_vote_participation: str = Field(
        default="2/3",
        description="Maintenance fund votes: least share of the floor area and of the owners "
        "that must take part (a fraction such as 2/3).",
    )
    fund_vote_approval: str = Field(
        default="1/2",
        description="Maintenance fund votes: share of the participating area and owners that "
        "approval must pass (more than it, or at least it with fund_vote_approval_inclusive).",
    )
    fund_vote_approval_inclusive: bool = Field(
        default=False,
        description="Approval needs at least (not more than) fund_vote_approval.",
    )
    # R8, R13: the annual ranking's weights and the special budget (JSON, e.g.
    # HUB_RANKING='{"credit_weight": 0.2}'); formulas in hub/domain/ranking.py and subsidies.py.
    ranking: RankingSettings = Field(
        default_factory=RankingSettings, description="Annual ranking weights and sanctions."
    )
    budget: BudgetSettings = Field(
        default_factory=BudgetSettings, description="The special budget of rewards and subsidies."
    )

    # Abuse limits (issue #4): see hub/graphql/limits.py and README.md, "Production settings:
    # limits". Rates and budgets are in the notation of the `limits` library ("600/minute").
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
        return _check_rate(str(value))

    @field_validator("rate_limit_fields")
    @classmethod
    def _field_rates(cls, value: dict[str, str]) -> dict[str, str]:
        return {name: _check_rate(rate) for name, rate in value.items()}

    # Personal data (issue #4, PIPL): the keys of the encryption at rest and of the blind index of
    # resident ID numbers. Development falls back to the public DEMO_PII_* keys below so that
    # `make run` works; production has no default (see _production_needs_pii_keys).
    pii_keys: dict[str, SecretStr] | None = Field(
        default=None,
        description="Encryption keys of personal data as JSON {key id: base64 of 32 bytes}; "
        "old keys stay listed until `hub keys rotate` has re-sealed their values. Required in "
        "production; development uses a public demo key.",
    )
    pii_active_key: str | None = Field(
        default=None,
        description="Id of the key in HUB_PII_KEYS that seals new values and that `hub keys "
        "rotate` re-seals with; may be omitted when HUB_PII_KEYS has one key.",
    )
    pii_index_key: SecretStr | None = Field(
        default=None,
        description="Base64 key (at least 32 bytes) of the blind index of resident ID numbers, "
        "separate from the encryption keys. Required in production; changing it means "
        "re-indexing every resident.",
    )

    sources: dict[str, SourceSettings] | None = Field(
        default=None,
        description="Upstream sources by name (`ordos`, `tender`, `utility:<unit code>`), as "
        "JSON; in development the default is the sandboxes of `hub sandbox`.",
    )
    secrets_file: Path | None = Field(
        default=None,
        description="JSON file {source: {credential: value}} merged into the sources' "
        "credentials, so that secrets stay out of the environment.",
    )
    checks_every_minutes: int = Field(
        default=15,
        ge=1,
        description="With the scheduler: minutes between escalations of overdue ledger items "
        "and evaluations of the compliance findings.",
    )
    scheduler: bool = Field(
        default=False, description="Run scheduled syncs inside `hub serve` (one replica or all)."
    )
    sync_on_start: bool = Field(
        default=False, description="Sync every enabled source once when `hub serve` starts."
    )

    # Staff tokens (issue #4): JWTs from the banner's identity provider, checked against its JWKS.
    jwt_jwks_file: Path | None = Field(
        default=None, description="JWKS file of the identity provider (staff sign-in)."
    )
    jwt_jwks_url: str | None = Field(
        default=None, description="JWKS URL of the identity provider, fetched and cached hourly."
    )
    jwt_issuer: str = Field(default="hub-dev", description="Expected `iss` of staff tokens.")
    jwt_audience: str = Field(default="property-hub", description="Expected `aud` of staff tokens.")
    jwt_leeway_seconds: int = Field(
        default=60, ge=0, le=600, description="Clock skew allowed on `exp`/`iat` of tokens."
    )
    dev_signing_key_file: Path = Field(
        default=Path("var/dev-signing-key.pem"),
        description="Development only: the hub's own key for demo staff tokens "
        "(`hub tokens issue`); created on first use. Ignored in production.",
    )

    # Observability (issue #7): see hub/observability/ and docs/performance.md.
    metrics: bool = Field(default=True, description="Serve Prometheus metrics at /metrics.")
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token that /metrics requires; in production /metrics answers 403 "
        "until one is set.",
    )
    metrics_max_operations: int = Field(
        default=100,
        ge=1,
        description="Distinct GraphQL operation names counted as their own label; later ones "
        "are counted as `other`.",
    )
    log_format: Literal["auto", "json", "console"] = Field(
        default="auto",
        description="Log lines of `hub serve`: json, console, or auto (JSON in production).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Lowest level of the lines `hub serve` logs."
    )
    tracing: Literal["off", "console", "otlp"] = Field(
        default="off",
        description="OpenTelemetry spans (one per request, one per SQL statement): otlp sends "
        "them to HUB_OTEL_ENDPOINT, console prints them; needs the `otel` extra.",
    )
    otel_endpoint: str | None = Field(
        default=None,
        description="OTLP/HTTP URL of the trace collector (e.g. http://collector:4318/v1/traces).",
    )
    otel_service: str = Field(
        default="ejin-horo-property-hub", description="service.name of the hub's spans."
    )

    # --- A hung database and slow clients (issue #12) -----------------------------------------
    # Every wait of a request is bounded, so that a database that does not answer and a client
    # that sends slowly cost a bounded time each: see docs/operations.md, "Timeouts and limits".
    # The database's (hub.store.session.create_engine): a request that runs into one of them
    # ends with DATABASE_UNAVAILABLE.
    database_connect_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        description="Longest wait for a new PostgreSQL connection, start-up answer included.",
    )
    database_command_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="Longest wait for one SQL statement's answer (asyncpg's command_timeout); "
        "on SQLite, the longest wait for another connection's write lock.",
    )
    database_pool_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        description="Longest wait for a free connection of the pool (PostgreSQL).",
    )
    readiness_timeout_seconds: float = Field(
        default=3.0,
        gt=0,
        description="/readyz answers 503 when the database has not answered within this.",
    )
    # `hub serve` (uvicorn, and the guards of hub.http_limits): the limits of one process. A
    # reverse proxy in front keeps its own (docker/nginx.conf).
    server_header_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="A connection whose request line and headers are not complete this long "
        "after it opened (or after its previous response) is closed (408).",
    )
    server_body_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A request whose body has not fully arrived this long after its headers "
        "is answered 408.",
    )
    server_keep_alive_seconds: int = Field(
        default=5,
        ge=1,
        description="An idle keep-alive connection is closed after this (uvicorn's "
        "timeout_keep_alive; a proxy's upstream keep-alive must be shorter).",
    )
    server_limit_concurrency: int | None = Field(
        default=1000,
        ge=1,
        description="Most connections (WebSockets included) and requests in progress of one "
        "process; above it requests get 503. Empty: no limit.",
    )
    server_max_header_bytes: int = Field(
        default=16_384,
        ge=1_024,
        description="Largest request line and headers accepted (h11's incomplete-event size; "
        "larger: 400).",
    )
    server_graceful_shutdown_seconds: int = Field(
        default=8,
        ge=0,
        description="On SIGTERM, the longest wait for open requests and WebSockets before the "
        "process exits (below Docker's 10 s before SIGKILL).",
    )
    server_ws_ping_interval_seconds: float | None = Field(
        default=20.0,
        gt=0,
        description="WebSocket ping every this many seconds (keeps proxies from closing idle "
        "subscriptions, finds dead peers); empty: none.",
    )
    server_ws_ping_timeout_seconds: float | None = Field(
        default=20.0,
        gt=0,
        description="A WebSocket whose peer does not answer a ping within this is closed.",
    )
    server_ws_max_size_bytes: int = Field(
        default=1_048_576,
        ge=1_024,
        description="Largest WebSocket message the server reads (uvicorn's ws_max_size; larger: "
        "close 1009), a ceiling above the hub's own per-message limit.",
    )

    @field_validator("server_limit_concurrency", "server_ws_ping_interval_seconds", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    # --- end of issue #12's timeouts and limits ------------------------------------------------

    @model_validator(mode="after")
    def _production_needs_a_real_database(self) -> Settings:
        if self.env is Environment.PRODUCTION and self.database_url == DEFAULT_DATABASE_URL:
            raise ValueError(
                "HUB_DATABASE_URL must be set explicitly when HUB_ENV=production "
                "(the embedded SQLite default is for development)"
            )
        return self

    @model_validator(mode="after")
    def _production_needs_pii_keys(self) -> Settings:
        # Refuse at start-up rather than at the first read of personal data; messages name the
        # setting, never a key.
        if self.is_production:
            for name, value in (
                ("HUB_PII_KEYS", self.pii_keys),
                ("HUB_PII_INDEX_KEY", self.pii_index_key),
            ):
                if value is None:
                    raise ValueError(
                        f"{name} must be set when HUB_ENV=production (personal data is "
                        "encrypted at rest; the demo key is for development): see README.md, "
                        "section Personal data"
                    )
        try:
            keyring = self.pii_keyring()
        except ValueError as exc:
            raise ValueError(f"personal-data keys: {exc}") from None
        if self.is_production:
            demo = self._settings_holding_demo_keys()
            if demo or DEMO_PII_KEY_ID in keyring.key_ids:
                named = ", ".join(demo) or f"HUB_PII_KEYS[{DEMO_PII_KEY_ID!r}]"
                raise ValueError(
                    f"{named}: HUB_PII_KEYS and HUB_PII_INDEX_KEY must not use the public demo "
                    "keys when HUB_ENV=production (they are in the source code); generate new "
                    "ones, see README.md, section Personal data"
                )
        return self

    def _settings_holding_demo_keys(self) -> list[str]:
        """The key settings whose value is one of the public demo keys, under any key id."""
        # By value, not by id: HUB_PII_KEYS={"k1": <the demo key>} is as public as "demo". Both
        # demo values are refused in both settings.
        demo_values = (DEMO_PII_KEY, DEMO_PII_INDEX_KEY)
        given = [
            (f"HUB_PII_KEYS[{key_id!r}]", value) for key_id, value in (self.pii_keys or {}).items()
        ]
        if self.pii_index_key is not None:
            given.append(("HUB_PII_INDEX_KEY", self.pii_index_key))
        named = []
        for name, value in given:
            key = decode_key(value.get_secret_value(), name=name)
            if any(hmac.compare_digest(key, demo) for demo in demo_values):
                named.append(name)
        return named

    def pii_keyring(self) -> Keyring:
        """The keyring of personal data (the demo keys in development when none is set)."""
        if self.pii_keys is None:
            keys = {DEMO_PII_KEY_ID: DEMO_PII_KEY}
        else:
            keys = {
                key_id: decode_key(value.get_secret_value(), name=f"HUB_PII_KEYS[{key_id!r}]")
                for key_id, value in self.pii_keys.items()
            }
        active = self.pii_active_key
        if active is None:
            if len(keys) != 1:
                raise ValueError("HUB_PII_ACTIVE_KEY must name one of several HUB_PII_KEYS")
            active = next(iter(keys))
        return _keyring(tuple(sorted(keys.items())), active, self.pii_index_key_bytes())

    def pii_index_key_bytes(self) -> bytes:
        if self.pii_index_key is None:
            return DEMO_PII_INDEX_KEY
        return decode_key(self.pii_index_key.get_secret_value(), name="HUB_PII_INDEX_KEY")

    def source_settings(
        self, *, development: Callable[[], dict[str, SourceSettings]] | None = None
    ) -> dict[str, SourceSettings]:
        """The configured sources with the secrets file's credentials merged in.

        Without ``HUB_SOURCES``, development syncs from ``development()`` (the sync manager
        passes the sandboxes, ``hub.sync.sandboxes.sandbox_sources``); production from none.
        """
        if self.sources is not None:
            sources = {name: source.model_copy(deep=True) for name, source in self.sources.items()}
        elif self.is_production or development is None:
            sources = {}  # production has no default upstreams and no default credentials
        else:
            sources = development()
        if self.secrets_file is not None:
            try:
                secrets = json.loads(self.secrets_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ValueError(
                    f"HUB_SECRETS_FILE {self.secrets_file}: cannot be read as JSON "
                    f"({type(exc).__name__})"
                ) from None
            for name, values in secrets.items():
                if name not in sources:
                    raise ValueError(f"HUB_SECRETS_FILE names an unknown source {name!r}")
                sources[name].credentials.update({k: SecretStr(str(v)) for k, v in values.items()})
        return sources

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The file of a file-backed SQLite database, or None."""
        if not self.is_sqlite:
            return None
        _, _, rest = self.database_url.partition(":///")
        if not rest or rest.startswith(":memory:"):
            return None
        return Path(rest.split("?", 1)[0])


@lru_cache(maxsize=8)
def _keyring(keys: tuple[tuple[str, bytes], ...], active: str, index_key: bytes) -> Keyring:
    # Settings are rebuilt per test and per command: the AES key schedules need not be.
    return Keyring.create(dict(keys), active=active, index_key=index_key)


def _check_rate(value: str) -> str:
    """A rate in the `limits` notation ("10/minute", "1000 per hour"), or a clear error."""
    from limits import parse

    try:
        parse(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a rate such as '10/minute' or '1000/hour'") from None
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
