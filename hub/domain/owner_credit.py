"""An owner's (occupant's) residential credit as of a date (MISSION.md R11).

Only records in effect count: ACTIVE (an objection being handled or a restoration ends a record's
effect) and recorded on or before the date and valid until at least the date. A commendation is a
good record; every other category is a bad one.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from hub.domain.enums import OwnerCreditCategory, OwnerCreditStatus

GOOD_CATEGORIES = frozenset({OwnerCreditCategory.COMMENDATION})


class OwnerCreditGrade(enum.StrEnum):
    """The residential credit grade of an owner or occupant."""

    GOOD = "GOOD"  # 守信: a commendation in effect and no bad record in effect
    NORMAL = "NORMAL"  # 一般: no record in effect
    WARNING = "WARNING"  # 警示: one bad record in effect
    POOR = "POOR"  # 失信: two or more bad records in effect


@dataclass(frozen=True, slots=True)
class OwnerCreditEntry:
    """The part of an owner credit record that the grade needs."""

    category: OwnerCreditCategory
    status: OwnerCreditStatus
    recorded_on: date
    valid_until: date | None


@dataclass(frozen=True, slots=True)
class OwnerCreditSummary:
    """Counts of the records in effect on a date, and the grade they give."""

    grade: OwnerCreditGrade
    good: int
    bad: int


def in_effect(entry: OwnerCreditEntry, on: date) -> bool:
    """Whether a record counts on the date (validity inclusive at both ends)."""
    return (
        entry.status is OwnerCreditStatus.ACTIVE
        and entry.recorded_on <= on
        and (entry.valid_until is None or on <= entry.valid_until)
    )


def owner_credit(entries: Iterable[OwnerCreditEntry], *, on: date) -> OwnerCreditSummary:
    """The grade and counts over the records in effect on the date."""
    good = bad = 0
    for entry in entries:
        if not in_effect(entry, on):
            continue
        if entry.category in GOOD_CATEGORIES:
            good += 1
        else:
            bad += 1
    if bad >= 2:
        grade = OwnerCreditGrade.POOR
    elif bad == 1:
        grade = OwnerCreditGrade.WARNING
    elif good:
        grade = OwnerCreditGrade.GOOD
    else:
        grade = OwnerCreditGrade.NORMAL
    return OwnerCreditSummary(grade=grade, good=good, bad=bad)
