"""Pieces shared by the demo-data builders: the build context, row ids, dates and provenance.

Every builder receives a ``Context`` and draws its randomness from ``Context.rng(topic)``, a
``random.Random`` seeded from the data set's seed and the topic's name: the output depends on the
arguments alone, and a change in one topic does not reshuffle the others.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

Row = dict[str, Any]

# Columns that are not part of a record's business content (see ``content_hash``).
_NOT_CONTENT = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "source",
        "source_id",
        "synced_at",
        "content_hash",
        "source_updated_at",
        "deleted_at",
    }
)
# Provenance of a purely local record.
LOCAL: Row = {
    "source": None,
    "source_id": None,
    "synced_at": None,
    "content_hash": None,
    "source_updated_at": None,
    "deleted_at": None,
}

# Master data in use: not retired (hub.store.base.Retirement).
IN_USE: Row = {"retired_at": None, "retired_reason": None}


@dataclass(frozen=True, slots=True)
class Context:
    """The arguments of one build: seed, scale and the day the data describes."""

    seed: int
    scale: int
    today: date

    @property
    def stamp(self) -> datetime:
        """``created_at`` / ``updated_at`` of every row: midnight UTC of ``today``."""
        return datetime.combine(self.today, time(0, 0), tzinfo=UTC)

    def rng(self, topic: str) -> random.Random:
        """The random generator of one topic (string seeds are hashed with SHA-512: stable)."""
        return random.Random(f"{self.seed}/{topic}")

    def add(self, rows: list[Row], **values: Any) -> int:
        """Append a row with the next id and the fixed timestamps; return its id."""
        row_id = len(rows) + 1
        rows.append({"id": row_id, **values, "created_at": self.stamp, "updated_at": self.stamp})
        return row_id

    def add_synced(
        self, rows: list[Row], rng: random.Random, source: str, source_id: str, **values: Any
    ) -> int:
        """Append a row copied from an upstream platform; ``source_id`` may use ``{id}``.

        Most rows were synced within the day before ``today``, a few 3–10 days ago (stale).
        ``content_hash`` is filled in by ``fill_content_hashes`` once the row is complete.
        """
        if rng.random() < 0.05:
            age = timedelta(days=rng.uniform(3, 10))
        else:
            age = timedelta(seconds=rng.randint(300, 86_400))
        return self.add(
            rows,
            **values,
            source=str(source),
            source_id=source_id.format(id=len(rows) + 1),
            synced_at=(self.stamp - age).replace(microsecond=0),
            content_hash=None,
            source_updated_at=None,
            deleted_at=None,
        )


def content_hash(row: Row) -> str:
    """SHA-256 of a canonical JSON of the row's business fields (own id, stamps, provenance out)."""
    fields = {key: value for key, value in row.items() if key not in _NOT_CONTENT}
    text = json.dumps(
        fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_value
    )
    return hashlib.sha256(text.encode()).hexdigest()


def fill_content_hashes(rows: list[Row]) -> None:
    """Set ``content_hash`` on every synced row (those with a ``source``)."""
    for row in rows:
        if row.get("source"):
            row["content_hash"] = content_hash(row)


def _json_value(value: Any) -> str:
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def random_date(rng: random.Random, first: date, last: date) -> date:
    """A uniformly drawn day in [first, last]; ``first`` when the range is empty."""
    span = (last - first).days
    return first + timedelta(days=rng.randint(0, span)) if span > 0 else first


def add_working_days(day: date, count: int) -> date:
    """The day ``count`` working days (Monday to Friday) after ``day``; holidays are ignored."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def quarter_ends(first: date, last: date) -> list[date]:
    """The quarter-end days (31 Mar, 30 Jun, 30 Sep, 31 Dec) in [first, last], oldest first."""
    days = []
    for year in range(first.year, last.year + 1):
        for month, day in ((3, 31), (6, 30), (9, 30), (12, 31)):
            end = date(year, month, day)
            if first <= end <= last:
                days.append(end)
    return days
