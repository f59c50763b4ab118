"""The value types of the settings: the choices (environment, trusted documents), the JSON-valued
settings (an upstream source, the ranking's weights, the budget) and the personal-data keys as
bytes, with the parsing they share (base64 keys, rates).

Plain values only: ``hub.config`` imports nothing of ours. Whoever needs a domain object made of
them (a keyring, the ranking's or the budget's parameters) builds it in
``hub.services.parameters``.
"""

from __future__ import annotations

import base64
import binascii
import enum
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator


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
        from croniter import croniter  # type: ignore[import-untyped]  # croniter ships no types

        if not croniter.is_valid(value):
            raise ValueError(f"not a cron expression: {value!r} (e.g. '*/30 * * * *')")
        return value


class RankingValues(BaseModel):
    """Weights and thresholds of the annual ranking (``HUB_RANKING`` as JSON); the formula is
    in ``hub.domain.ranking``, whose ``RankingSettings`` has the same fields and defaults."""

    semi_annual_weight: float = Field(
        default=0.6, ge=0, description="Weight of the semi-annual average."
    )
    inspection_weight: float = Field(
        default=0.4, ge=0, description="Weight of 100 minus the daily-inspection deductions."
    )
    credit_weight: float = Field(default=0.0, ge=0, description="Weight of the credit score.")
    min_semi_annual: int = Field(
        default=2, ge=0, description="Semi-annual assessments needed in the year to be ranked."
    )
    top: int = Field(default=5, ge=0, description="How many top enterprises get a reward.")
    bottom: int = Field(default=5, ge=0, description="How many bottom enterprises are banned.")
    reward_yuan: float = Field(
        default=100_000.0, ge=0, description="Reward per REWARD sanction, from the special budget."
    )


class BudgetValues(BaseModel):
    """The special budget for rewards and subsidies (``HUB_BUDGET`` as JSON); the rules are in
    ``hub.domain.subsidies``, whose ``BudgetSettings`` has the same fields and defaults."""

    annual_yuan: float = Field(
        default=5_000_000.0, ge=0, description="The budget of each year (R13), in yuan."
    )
    by_year: dict[int, float] = Field(
        default_factory=dict, description="A different total for some years, in yuan."
    )


@dataclass(frozen=True, slots=True)
class PiiKeyMaterial:
    """The personal-data keys decoded from the settings: what a keyring is made of.

    The keys (by id, sorted) and the blind-index key are left out of ``repr``; the sizes and the
    other rules of the keys are checked where the keyring is built (``hub.domain.crypto``).
    """

    keys: tuple[tuple[str, bytes], ...] = field(repr=False)
    active: str
    index_key: bytes = field(repr=False)


def decode_key(text: str, *, name: str) -> bytes:
    """A key given as standard base64 text, or ``ValueError`` naming it (not showing it)."""
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{name}: not valid base64") from None


def check_rate(value: str) -> str:
    """A rate in the `limits` notation ("10/minute", "1000 per hour"), or a clear error."""
    from limits import parse

    try:
        parse(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a rate such as '10/minute' or '1000/hour'") from None
    return value
