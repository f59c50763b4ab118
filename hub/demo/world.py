"""The demo data set as the sandboxes serve it: a ``connectors.sandbox.world.World``.

The sandboxes import nothing of the hub, and this module nothing of the connectors: ``DemoWorld``
has the shape the sandboxes' ``World`` protocol asks for. Whoever starts the sandboxes (``hub
sandbox``, ``hub serve --with-sandboxes``, the tests) builds it here, with the same seed, scale
and day as ``hub demo-data``, so that the upstreams and the demo store agree on USCCs and
compounds, and hands it to ``connectors.sandboxes.sandbox_apps``.

The grades the Ordos platform publishes with each score are computed here, with the demo's
thresholds, as data: the sandbox only looks them up (it must not grade with the hub's rule).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from hub.demo import identities
from hub.demo.assessments import INSPECTION_ITEMS, INSPECTION_NOTES
from hub.demo.dataset import DEFAULT_SEED, DEFAULT_TODAY, build_dataset
from hub.demo.enterprises import BAD_TITLES, GOOD_TITLES, GRADE_THRESHOLDS
from hub.domain.credit import credit_grade

NEW_GRADE_SCORES = (550, 950)
"""Scores, in tenths, of the grades the Ordos sandbox publishes later: 55.0 to 95.0."""


@dataclass(frozen=True, eq=False)
class DemoWorld:
    """The demo data set of one seed, scale and day, with the demo's words and names for what
    the upstreams create later."""

    seed: int
    today: date
    tables: Mapping[str, Sequence[dict[str, Any]]]
    published_grades: Mapping[float, str]
    good_titles: Sequence[str] = GOOD_TITLES
    bad_titles: Sequence[str] = BAD_TITLES
    inspection_items: Sequence[tuple[str, str]] = INSPECTION_ITEMS
    inspection_notes: Sequence[str | None] = INSPECTION_NOTES

    def __repr__(self) -> str:
        return f"<DemoWorld seed={self.seed} today={self.today}>"

    def uscc(self, rng: random.Random, *, area_code: str, founded_on: date) -> str:
        """A valid USCC of an enterprise registered in the area on that day."""
        return identities.uscc(rng, area_code=area_code, founded_on=founded_on)

    def brand(self, rng: random.Random) -> str:
        """The distinctive part of an enterprise's name."""
        return identities.brand(rng)

    def person_name(self, rng: random.Random) -> str:
        """A person's name."""
        return identities.person_name(rng)


def published_grades() -> dict[float, str]:
    """Score (one decimal) → the grade the demo's thresholds give it."""
    low, high = NEW_GRADE_SCORES
    scores = (round(tenths / 10, 1) for tenths in range(low, high + 1))
    return {score: credit_grade(score, GRADE_THRESHOLDS) for score in scores}


@lru_cache(maxsize=4)
def demo_world(
    *, seed: int = DEFAULT_SEED, scale: int = 1, today: date = DEFAULT_TODAY
) -> DemoWorld:
    """The sandboxes' world of the demo data set of these arguments (built once, read-only)."""
    data = build_dataset(scale=scale, seed=seed, today=today)
    return DemoWorld(
        seed=seed,
        today=today,
        tables=MappingProxyType(data.tables()),
        published_grades=MappingProxyType(published_grades()),
    )
