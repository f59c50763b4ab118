"""Bounds on every wait of a request (``HUB_DATABASE_*_TIMEOUT_SECONDS``, ``HUB_SERVER_*``,
``HUB_READINESS_TIMEOUT_SECONDS``): a group of fields of ``hub.config.Settings``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator


class TimeoutSettings(BaseModel):
    """The database's waits and the limits of one `hub serve` process."""

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
