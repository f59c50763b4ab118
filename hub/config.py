"""Settings of the hub, read from the environment (prefix ``HUB_``) and an optional ``.env`` file.

Every other module receives a ``Settings`` object; nothing else reads the environment.
"""

from __future__ import annotations

import enum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/hub.db"


class Environment(enum.StrEnum):
    """Where the hub runs; production turns off developer conveniences."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """All configuration of the hub; see README.md, section Configuration."""

    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

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

    @model_validator(mode="after")
    def _production_needs_a_real_database(self) -> Settings:
        if self.env is Environment.PRODUCTION and self.database_url == DEFAULT_DATABASE_URL:
            raise ValueError(
                "HUB_DATABASE_URL must be set explicitly when HUB_ENV=production "
                "(the embedded SQLite default is for development)"
            )
        return self

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
