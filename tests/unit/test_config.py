"""The settings stand on the ground floor and the domain's parameters are made of them in one
place (hub.services.parameters), with the same defaults on both sides."""

from __future__ import annotations

import ast
import base64
import dataclasses
import os
from pathlib import Path

import pytest

from hub.config import BudgetValues, RankingValues, Settings
from hub.domain.ranking import RankingSettings
from hub.domain.subsidies import BudgetSettings
from hub.services.parameters import (
    budget_settings,
    check_parameters,
    pii_keyring,
    ranking_settings,
)
from tests.architecture import imported

CONFIG = Path(__file__).resolve().parents[2] / "hub" / "config"


def test_config_imports_nothing_of_ours_but_itself() -> None:
    """hub.config is the ground floor: no module of it imports another part of the hub."""
    for path in sorted(CONFIG.glob("*.py")):
        module = "hub.config" if path.stem == "__init__" else f"hub.config.{path.stem}"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ours = {
            name
            for name in imported(tree, module)
            if name.split(".")[0] in ("hub", "connectors") and not name.startswith("hub.config")
        }
        assert not ours, f"{path.name} imports {sorted(ours)}"


def test_the_settings_defaults_are_the_domain_defaults() -> None:
    """Without HUB_RANKING and HUB_BUDGET the hub ranks and budgets with the documented
    defaults of the domain, field for field."""
    settings = Settings()
    assert ranking_settings(settings) == RankingSettings()
    assert budget_settings(settings) == BudgetSettings()
    assert set(RankingValues.model_fields) == {f.name for f in dataclasses.fields(RankingSettings)}
    assert set(BudgetValues.model_fields) == {f.name for f in dataclasses.fields(BudgetSettings)}


def test_ranking_and_budget_settings_reach_the_domain() -> None:
    """HUB_RANKING and HUB_BUDGET (JSON) become the domain's parameters, bounds checked first."""
    settings = Settings(
        ranking={"credit_weight": 0.2, "top": 3}, budget={"by_year": {"2026": 6_000_000}}
    )
    assert ranking_settings(settings) == RankingSettings(credit_weight=0.2, top=3)
    budget = budget_settings(settings)
    assert (budget.total(2026), budget.total(2027)) == (6_000_000.0, 5_000_000.0)
    with pytest.raises(ValueError, match=r"ranking\.top"):
        Settings(ranking={"top": -1})


def test_a_wrong_key_is_refused_when_the_parameters_are_checked() -> None:
    """A key of the wrong size passes the settings' own checks (base64, the active key) but not
    the keyring's, which the entry points build at start; the message names the key, not its
    value."""
    short = base64.b64encode(os.urandom(16)).decode()
    settings = Settings(pii_keys={"k1": short})
    with pytest.raises(
        ValueError, match="personal-data keys: key 'k1': must be 32 bytes"
    ) as caught:
        check_parameters(settings)
    assert short not in str(caught.value)
    assert pii_keyring(Settings()) is pii_keyring(Settings())  # built once per set of keys
    assert "DEMO" not in repr(Settings().pii_key_material())  # the key bytes stay out of repr
