"""The rules of an owners' committee election (R9): members, roles and term length."""

from __future__ import annotations

from datetime import date

import pytest

from hub.domain.committees import (
    CommitteeAssessmentResult,
    Election,
    awaits_reelection,
    latest_term_end,
    validate_election,
)
from hub.domain.enums import CommitteeMemberRole
from hub.errors import InvalidValue

CHAIR, VICE, MEMBER = (
    CommitteeMemberRole.CHAIR,
    CommitteeMemberRole.VICE_CHAIR,
    CommitteeMemberRole.MEMBER,
)


def election(size: int, *, ends_on: date = date(2029, 3, 31)) -> Election:
    roles = [CHAIR, VICE] + [MEMBER] * (size - 2)
    return Election(date(2024, 3, 20), date(2024, 4, 1), ends_on, roles)


@pytest.mark.parametrize("size", [5, 7, 9, 11])
def test_odd_committees_of_five_to_eleven_are_valid(size: int) -> None:
    """5, 7, 9 and 11 members are allowed."""
    validate_election(election(size))


@pytest.mark.parametrize("size", [4, 6, 10, 12])
def test_other_sizes_are_refused(size: int) -> None:
    """4 and 12 are out of range; 6 and 10 are even: all refused on the members field."""
    with pytest.raises(InvalidValue) as caught:
        validate_election(election(size))
    assert caught.value.details["field"] == "members"


def test_exactly_one_chair_and_a_vice_chair() -> None:
    """Two chairs, or no vice-chair, are refused."""
    with pytest.raises(InvalidValue, match="exactly one chair"):
        validate_election(
            Election(date(2024, 3, 1), date(2024, 4, 1), date(2025, 1, 1), [CHAIR] * 2 + [VICE] * 3)
        )
    with pytest.raises(InvalidValue, match="vice-chair"):
        validate_election(
            Election(date(2024, 3, 1), date(2024, 4, 1), date(2025, 1, 1), [CHAIR] + [MEMBER] * 4)
        )


def test_a_term_of_five_years_is_the_limit() -> None:
    """Five years less a day is allowed; one day more is refused, naming the last allowed day."""
    assert latest_term_end(date(2024, 4, 1)) == date(2029, 3, 31)
    validate_election(election(5, ends_on=date(2029, 3, 31)))
    with pytest.raises(InvalidValue, match="2029-03-31") as caught:
        validate_election(election(5, ends_on=date(2029, 4, 1)))
    assert caught.value.details["field"] == "endsOn"


def test_unqualified_awaits_a_later_assembly() -> None:
    """UNQUALIFIED waits for an assembly after the assessment; other results never wait."""
    unq = CommitteeAssessmentResult.UNQUALIFIED
    on = date(2026, 1, 10)
    assert awaits_reelection(result=unq, assessed_on=on, last_assembly_on=date(2023, 5, 1))
    assert awaits_reelection(result=unq, assessed_on=on, last_assembly_on=on)
    assert not awaits_reelection(result=unq, assessed_on=on, last_assembly_on=date(2026, 3, 1))
    assert not awaits_reelection(
        result=CommitteeAssessmentResult.QUALIFIED, assessed_on=on, last_assembly_on=None
    )
