"""The domain's parameters made of the settings: the personal-data keyring, the annual ranking's
weights and the special budget.

``hub.config`` holds plain values and imports nothing of ours; ``hub.domain`` has its own
parameter types and reads no settings. This is the one place that turns the first into the
second, for the GraphQL resolvers, the CLI and the demo loader alike. The entry points
(``hub.cli``, ``hub.app.create_app``) call ``check_parameters`` at start, so that a wrong key
stops the hub before it serves instead of failing the first read of personal data.
"""

from __future__ import annotations

from functools import lru_cache

from hub.config import PiiKeyMaterial, Settings
from hub.domain.crypto import Keyring
from hub.domain.ranking import RankingSettings
from hub.domain.subsidies import BudgetSettings


def pii_keyring(settings: Settings) -> Keyring:
    """The keyring of personal data (``HUB_PII_*``; the demo keys in development when unset), or
    ``ValueError`` saying which key is wrong without showing it."""
    return _keyring(settings.pii_key_material())


@lru_cache(maxsize=8)
def _keyring(material: PiiKeyMaterial) -> Keyring:
    # Settings are rebuilt per test and per command: the AES key schedules need not be.
    try:
        return Keyring.create(
            dict(material.keys), active=material.active, index_key=material.index_key
        )
    except ValueError as exc:
        raise ValueError(f"personal-data keys: {exc}") from None


def ranking_settings(settings: Settings) -> RankingSettings:
    """The weights and thresholds of the annual ranking (``HUB_RANKING``)."""
    return RankingSettings(**settings.ranking.model_dump())


def budget_settings(settings: Settings) -> BudgetSettings:
    """The special budget of rewards and subsidies (``HUB_BUDGET``)."""
    values = settings.budget
    return BudgetSettings(annual_yuan=values.annual_yuan, by_year=dict(values.by_year))


def check_parameters(settings: Settings) -> None:
    """Build every parameter once: ``ValueError`` if one of the settings cannot make its own."""
    pii_keyring(settings)
    ranking_settings(settings)
    budget_settings(settings)
