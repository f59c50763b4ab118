"""The life of an owner credit record (R11): objection, decision and restoration."""

from __future__ import annotations

from datetime import date

import pytest

from hub.domain.enums import OwnerCreditCategory, OwnerCreditStatus
from hub.domain.owner_credit import (
    OwnerCreditEntry,
    OwnerCreditGrade,
    in_effect,
    on_objection_decided,
    on_objection_filed,
    on_restored,
    owner_credit,
)
from hub.errors import InvalidValue

FEES = OwnerCreditCategory.UNPAID_FEES
S = OwnerCreditStatus


def entry(status: S = S.ACTIVE, ended_on: date | None = None) -> OwnerCreditEntry:
    return OwnerCreditEntry(FEES, status, date(2026, 1, 1), date(2026, 12, 31), ended_on)


def test_an_objection_suspends_and_its_decision_settles() -> None:
    """Filed: suspended (no longer counts); upheld: revoked; rejected: in effect again."""
    pending = on_objection_filed(S.ACTIVE)
    assert pending is S.OBJECTION_PENDING
    assert not in_effect(entry(pending), date(2026, 6, 1))
    assert on_objection_decided(pending, upheld=True) is S.REVOKED
    assert on_objection_decided(pending, upheld=False) is S.ACTIVE
    with pytest.raises(InvalidValue, match="already been decided"):
        on_objection_decided(S.ACTIVE, upheld=True)
    with pytest.raises(InvalidValue):
        on_objection_filed(S.REVOKED)


def test_a_restoration_ends_a_record_from_its_day_on() -> None:
    """A restored record counted before the restoration day, not from it on."""
    assert on_restored(entry(), restored_on=date(2026, 6, 1)) is S.RESTORED
    restored = entry(S.RESTORED, ended_on=date(2026, 6, 1))
    assert in_effect(restored, date(2026, 5, 31))
    assert not in_effect(restored, date(2026, 6, 1))
    assert owner_credit([restored], on=date(2026, 6, 1)).grade is OwnerCreditGrade.NORMAL


def test_only_a_bad_record_in_effect_is_restored() -> None:
    """Commendations, suspended records and dates outside the validity are refused."""
    good = OwnerCreditEntry(OwnerCreditCategory.COMMENDATION, S.ACTIVE, date(2026, 1, 1), None)
    with pytest.raises(InvalidValue, match="good record"):
        on_restored(good, restored_on=date(2026, 2, 1))
    with pytest.raises(InvalidValue, match="in effect"):
        on_restored(entry(S.OBJECTION_PENDING), restored_on=date(2026, 2, 1))
    with pytest.raises(InvalidValue, match="expired"):
        on_restored(entry(), restored_on=date(2027, 1, 1))
