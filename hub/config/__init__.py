"""Settings of the hub, read from the environment (prefix ``HUB_``) and an optional ``.env`` file.

Every other module receives a ``Settings`` object; nothing else reads the environment, and only the
entry points (``hub.cli``, ``hub.app.create_app``) call ``get_settings``. This is the ground floor:
it imports nothing of ours but its own modules, ``values`` (the value types of the settings),
``limits`` (the abuse limits) and ``timeouts`` (the bounds on every wait), whose fields
``Settings`` gathers under the same ``HUB_*`` names. Domain objects made of settings (the keyring,
the ranking's and the budget's parameters) are built in ``hub.services.parameters``.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub.config.limits import LimitSettings
from hub.config.timeouts import TimeoutSettings
from hub.config.values import (
    BudgetValues,
    Environment,
    PiiKeyMaterial,
    RankingValues,
    SourceSettings,
    TrustedDocuments,
    decode_key,
)

__all__ = [
    "DEFAULT_DATABASE_URL",
    "DEMO_PII_INDEX_KEY",
    "DEMO_PII_KEY",
    "DEMO_PII_KEY_ID",
    "BudgetValues",
    "Environment",
    "PiiKeyMaterial",
    "RankingValues",
    "Settings",
    "SourceSettings",
    "TrustedDocuments",
    "get_settings",
]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/hub.db"

# Development only, and public (they are in the source): so that `make run` and the tests work
# without configuration. Production refuses them (Settings._production_needs_pii_keys).
DEMO_PII_KEY_ID = "demo"
DEMO_PII_KEY = b"DEMO-ONLY-pii-key-not-a-secret!!"
DEMO_PII_INDEX_KEY = b"DEMO-ONLY-index-key-not-secret!!"


class Settings(LimitSettings, TimeoutSettings, BaseSettings):
    """All configuration of the hub; see README.md, section Configuration.

    The abuse limits (``LimitSettings``) and the bounds on waits (``TimeoutSettings``) are fields
    of their own modules, read under the same flat ``HUB_*`` names as the rest.
    """

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
    ranking: RankingValues = Field(
        default_factory=RankingValues, description="Annual ranking weights and sanctions."
    )
    budget: BudgetValues = Field(
        default_factory=BudgetValues, description="The special budget of rewards and subsidies."
    )

    # Personal data (PIPL): the keys of the encryption at rest and of the blind index of
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
    import_max_bytes: int = Field(
        default=20 * 1024 * 1024,
        ge=1,
        description="Largest spreadsheet `hub import run` reads (bytes); a larger file is "
        "refused before it is read.",
    )

    # Staff tokens: JWTs from the banner's identity provider, checked against its JWKS.
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

    # Observability: see hub/observability/ and docs/performance.md.
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
        # The keys' sizes and ids are the keyring's to check: the entry points build it at start
        # (hub.services.parameters.check_parameters).
        try:
            material = self.pii_key_material()
        except ValueError as exc:
            raise ValueError(f"personal-data keys: {exc}") from None
        if self.is_production:
            demo = self._settings_holding_demo_keys()
            if demo or DEMO_PII_KEY_ID in dict(material.keys):
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

    def pii_key_material(self) -> PiiKeyMaterial:
        """The personal-data keys as bytes (the demo keys in development when none is set), of
        which ``hub.services.parameters.pii_keyring`` builds the keyring."""
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
        if self.pii_index_key is None:
            index_key = DEMO_PII_INDEX_KEY
        else:
            secret = self.pii_index_key.get_secret_value()
            index_key = decode_key(secret, name="HUB_PII_INDEX_KEY")
        return PiiKeyMaterial(keys=tuple(sorted(keys.items())), active=active, index_key=index_key)

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
