"""The demo data set as the sandboxes see it: look-ups by id, and record stamps.

Every sandbox derives its records from ``hub.demo.build_dataset`` with the same seed, scale and day,
so that the upstreams and the demo store agree on USCCs and compounds (town code + name). The data
set is built once per arguments and shared, read-only, by all sandboxes of a process.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from hub.demo import build_dataset
from hub.demo.common import Row
from hub.demo.dataset import DemoDataset

Compound = tuple[str, str]
"""A compound as upstreams name it: (town code, compound name)."""


@dataclass(frozen=True, slots=True)
class DemoIndex:
    """The demo rows and the look-ups every sandbox needs."""

    dataset: DemoDataset
    today: date
    uscc: dict[int, str]
    """Enterprise id → USCC."""
    compound: dict[int, Compound]
    """Compound id → (town code, name)."""
    compound_rows: list[Row]
    unit_name: dict[int, str]
    """Member unit id → name."""
    tender_code: dict[int, str]
    """Tender id → code."""
    items_of: dict[int, list[Row]]
    """Assessment id → its items."""
    active_usccs: tuple[str, ...]
    """USCCs of the ACTIVE enterprises, in id order."""

    @property
    def midnight(self) -> datetime:
        """Start of ``today`` in UTC: every built record was last changed before it."""
        return datetime.combine(self.today, time(0, 0), tzinfo=UTC)

    def stamp(self, rng: random.Random, basis: date | datetime) -> datetime:
        """When the upstream last changed a record about ``basis``: a little after, before today.

        Whole milliseconds, like the stamps the upstream sends.
        """
        start = basis if isinstance(basis, datetime) else datetime.combine(basis, time(0, 0), UTC)
        moment = start + timedelta(seconds=rng.randint(600, 3 * 86_400))
        latest = self.midnight - timedelta(seconds=1)
        if moment > latest:
            # Close to today, or about a day still to come (a contract's end): the last change
            # was between the basis and today where there is room, else in the last hours.
            room = latest - start
            if room > timedelta(0):
                moment = start + room * rng.random()
            else:
                moment = latest - timedelta(seconds=rng.randint(0, 3600))
        return moment.replace(microsecond=rng.randrange(1000) * 1000)


@lru_cache(maxsize=4)
def demo_index(*, scale: int, seed: int, today: date) -> DemoIndex:
    """The demo data set of these arguments with its look-ups (built once, shared read-only)."""
    data = build_dataset(scale=scale, seed=seed, today=today)
    town_code = {j["id"]: j["code"] for j in data.jurisdictions}
    items_of: dict[int, list[Row]] = {}
    for item in data.assessment_items:
        items_of.setdefault(item["assessment_id"], []).append(item)
    return DemoIndex(
        dataset=data,
        today=today,
        uscc={e["id"]: e["uscc"] for e in data.enterprises},
        compound={c["id"]: (town_code[c["town_id"]], c["name"]) for c in data.compounds},
        compound_rows=data.compounds,
        unit_name={u["id"]: u["name"] for u in data.member_units},
        tender_code={t["id"]: t["code"] for t in data.tenders},
        items_of=items_of,
        active_usccs=tuple(e["uscc"] for e in data.enterprises if e["status"] == "ACTIVE"),
    )


def day(value: date | None) -> str | None:
    """A day as the upstreams write it (ISO 8601), or None."""
    return value.isoformat() if value is not None else None
