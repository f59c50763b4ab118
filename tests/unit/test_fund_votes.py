"""The fund vote of Civil Code art. 278 (R5) in exact arithmetic, at its boundaries."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from hub.domain.fund import VoteRule, VoteTally, check_disbursement, decide, parse_fraction
from hub.errors import InvalidValue

ART_278 = VoteRule()


def tally(
    *,
    area: str = "9000",
    owners: int = 90,
    part_area: str = "6000",
    part_owners: int = 60,
    yes_area: str = "3000.01",
    yes_owners: int = 31,
) -> VoteTally:
    return VoteTally(
        total_area=Decimal(area),
        total_owners=owners,
        participating_area=Decimal(part_area),
        participating_owners=part_owners,
        approving_area=Decimal(yes_area),
        approving_owners=yes_owners,
    )


def test_participation_of_exactly_two_thirds_is_enough() -> None:
    """6000 of 9000 m² and 60 of 90 owners is exactly 2/3: participation is met."""
    decision = decide(tally(), ART_278)
    assert decision.participation_area and decision.participation_owners
    assert decision.approved


def test_participation_just_below_two_thirds_fails() -> None:
    """One hundredth of a m² or one owner short of 2/3 rejects the use."""
    by_area = decide(tally(part_area="5999.99"), ART_278)
    assert not by_area.participation_area and not by_area.approved
    assert by_area.failed == ["participating floor area"]
    by_owners = decide(tally(part_owners=59), ART_278)
    assert not by_owners.participation_owners and not by_owners.approved


def test_approval_of_exactly_half_is_not_enough() -> None:
    """Art. 278 asks for MORE than half: exactly 1/2 of the area or of the owners rejects."""
    assert not decide(tally(yes_area="3000"), ART_278).approval_area
    assert not decide(tally(yes_owners=30), ART_278).approval_owners
    assert not decide(tally(yes_area="3000", yes_owners=30), ART_278).approved


def test_approval_just_above_half_passes() -> None:
    """One hundredth of a m² and one owner above half approve."""
    decision = decide(tally(yes_area="3000.01", yes_owners=31), ART_278)
    assert decision.approved and decision.failed == []


def test_thirds_that_decimals_cannot_hold_are_exact() -> None:
    """A total of 100 m² and 3 owners: 2 owners are exactly 2/3, no float rounding."""
    decision = decide(
        tally(area="100", owners=3, part_area="66.67", part_owners=2, yes_area="40", yes_owners=2),
        ART_278,
    )
    assert decision.participation_owners and decision.participation_area


def test_an_old_two_thirds_approve_rule_is_configurable() -> None:
    """An inclusive 2/3 approval (older local rules) accepts exactly 2/3 of the votes."""
    rule = VoteRule(approval=parse_fraction("2/3", field="x"), approval_inclusive=True)
    assert rule.approval == Fraction(2, 3)
    assert decide(tally(yes_area="4000", yes_owners=40), rule).approved
    assert not decide(tally(yes_area="3999.99", yes_owners=40), rule).approved


def test_a_tally_whose_parts_do_not_nest_is_refused() -> None:
    """More approving than participating owners is an input error naming the field."""
    with pytest.raises(InvalidValue) as caught:
        decide(tally(yes_owners=61), ART_278)
    assert caught.value.details["field"] == "approvingOwners"


def test_disbursements_never_pass_the_approved_amount() -> None:
    """Paying the rest is fine; one fen more is refused with the amount left."""
    check_disbursement(approved=Decimal("1000"), disbursed=Decimal("400"), amount=Decimal("600"))
    with pytest.raises(InvalidValue, match=r"600\.00 yuan left"):
        check_disbursement(
            approved=Decimal("1000.00"), disbursed=Decimal("400.00"), amount=Decimal("600.01")
        )
