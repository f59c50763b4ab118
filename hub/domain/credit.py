"""Enterprise credit: score and grade as of a date (MISSION.md R7, domain facts).

score = basic information + good records − bad records, counting only records valid on the date.
The grade thresholds differ by city, so they are passed in (from settings), best grade first.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date


class CreditCategory(enum.StrEnum):
    """Kind of an enterprise credit record."""

    BASIC = "BASIC"  # 基本信息
    GOOD = "GOOD"  # 良好信息
    BAD = "BAD"  # 不良信息


@dataclass(frozen=True, slots=True)
class CreditEntry:
    """The part of a credit record that the score needs."""

    category: CreditCategory
    points: float
    valid_from: date
    valid_until: date | None


def is_valid_on(entry: CreditEntry, on: date) -> bool:
    """Whether a record counts on a date (validity is inclusive at both ends)."""
    return entry.valid_from <= on and (entry.valid_until is None or on <= entry.valid_until)


def credit_score(entries: Iterable[CreditEntry], *, on: date) -> float:
    """Basic + good − bad, over the records valid on the date; ``points`` are never negative."""
    score = 0.0
    for entry in entries:
        if not is_valid_on(entry, on):
            continue
        score += -entry.points if entry.category is CreditCategory.BAD else entry.points
    return round(score, 2)


def credit_grade(score: float, thresholds: Sequence[tuple[str, float]]) -> str:
    """The best grade whose lowest score the score reaches; the last grade otherwise."""
    for grade, lowest in thresholds:
        if score >= lowest:
            return grade
    return thresholds[-1][0]
