"""An owner's (occupant's) residential credit as of a date (MISSION.md R11).

Only records in effect count: ACTIVE (an objection being handled suspends a record, an upheld
objection revokes it, a restoration ends it early) and recorded on or before the date and valid
until at least the date. A commendation is a good record; every other category is a bad one.

The life of a record (异议、信用修复, required by the Personal Information Protection Law's spirit
of a path back): ACTIVE → OBJECTION_PENDING (an objection filed) → REVOKED (upheld) or ACTIVE
(rejected); ACTIVE → RESTORED (信用修复, from the restoration date on).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from hub.domain.enums import OwnerCreditCategory, OwnerCreditStatus
from hub.errors import InvalidValue

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
    ended_on: date | None = None  # the restoration date of a RESTORED record


@dataclass(frozen=True, slots=True)
class OwnerCreditSummary:
    """Counts of the records in effect on a date, and the grade they give."""

    grade: OwnerCreditGrade
    good: int
    bad: int


def in_effect(entry: OwnerCreditEntry, on: date) -> bool:
    """Whether a record counts on the date (validity inclusive at both ends; a restored record
    counted until the day before its restoration)."""
    restored_later = (
        entry.status is OwnerCreditStatus.RESTORED
        and entry.ended_on is not None
        and on < entry.ended_on
    )
    return (
        (entry.status is OwnerCreditStatus.ACTIVE or restored_later)
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


def validate_record(
    *, category: OwnerCreditCategory, recorded_on: date, valid_until: date | None, today: date
) -> None:
    """Refuse a record dated in the future or valid until before it was made."""
    if recorded_on > today:
        raise InvalidValue("recordedOn", "a credit record cannot be dated in the future")
    if valid_until is not None and valid_until < recorded_on:
        raise InvalidValue("validUntil", "the validity ends on or after the record's date")


def on_objection_filed(status: OwnerCreditStatus) -> OwnerCreditStatus:
    """An objection suspends an ACTIVE record until it is decided."""
    if status is not OwnerCreditStatus.ACTIVE:
        raise InvalidValue(
            "recordId", f"an objection is filed against a record in effect, this one is {status}"
        )
    return OwnerCreditStatus.OBJECTION_PENDING


def on_objection_decided(status: OwnerCreditStatus, *, upheld: bool) -> OwnerCreditStatus:
    """An upheld objection revokes the record; a rejected one puts it back in effect."""
    if status is not OwnerCreditStatus.OBJECTION_PENDING:
        raise InvalidValue("objectionId", "this objection has already been decided")
    return OwnerCreditStatus.REVOKED if upheld else OwnerCreditStatus.ACTIVE


def on_restored(entry: OwnerCreditEntry, *, restored_on: date) -> OwnerCreditStatus:
    """信用修复 ends a bad record in effect early, from ``restored_on`` on."""
    if entry.category in GOOD_CATEGORIES:
        raise InvalidValue("recordId", "a good record (表彰) needs no restoration")
    if entry.status is not OwnerCreditStatus.ACTIVE:
        raise InvalidValue(
            "recordId", f"only a record in effect can be restored, this one is {entry.status}"
        )
    if restored_on < entry.recorded_on:
        raise InvalidValue("restoredOn", "a restoration comes on or after the record's date")
    if entry.valid_until is not None and restored_on > entry.valid_until:
        raise InvalidValue("restoredOn", "the record had already expired on that date")
    return OwnerCreditStatus.RESTORED
