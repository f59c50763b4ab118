"""The special maintenance fund (住宅专项维修资金, MISSION.md R5): the owners' vote and the money.

Civil Code art. 278: owners holding at least 2/3 of the compound's floor area AND at least 2/3 of
the owners take part; using the fund needs more than half of the participating area AND of the
participating owners. Older local rules used "two thirds approve", so the thresholds are a
``VoteRule`` built from settings. All arithmetic is exact (``Fraction`` over ``Decimal`` areas):
a vote at exactly 2/3 must not fail by a rounding error.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from hub.errors import InvalidValue


class FundApplicationStatus(enum.StrEnum):
    """Where an application stands."""

    VOTING = "VOTING"  # 待表决: waiting for the owners' vote
    APPROVED = "APPROVED"  # 表决通过: money may be disbursed up to the amount
    REJECTED = "REJECTED"  # 未通过


class FundExecutor(enum.StrEnum):
    """Who carries out the work paid by the fund (R5: the committee itself or the enterprise)."""

    COMMITTEE = "COMMITTEE"  # 业主委员会自行组织
    ENTERPRISE = "ENTERPRISE"  # 物业服务企业
    CONTRACTOR = "CONTRACTOR"  # 其他施工单位


def parse_fraction(text: str, *, field: str) -> Fraction:
    """A threshold written as ``2/3`` or ``0.5``, between 0 and 1."""
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError) as exc:
        raise InvalidValue(field, "write a fraction such as 2/3 or 0.5") from exc
    if not 0 < value <= 1:
        raise InvalidValue(field, "a threshold lies above 0 and at most 1")
    return value


@dataclass(frozen=True, slots=True)
class VoteRule:
    """The thresholds of a fund vote. ``approval_inclusive``: approval needs ≥ the share (old
    "two thirds approve" rules) instead of more than it (art. 278: more than half)."""

    participation: Fraction = Fraction(2, 3)
    approval: Fraction = Fraction(1, 2)
    approval_inclusive: bool = False

    def __str__(self) -> str:
        op = "≥" if self.approval_inclusive else ">"
        return f"participation ≥ {self.participation}, approval {op} {self.approval}"


@dataclass(frozen=True, slots=True)
class VoteTally:
    """The aggregates of a vote (never the individual owners): floor area in m² and headcount."""

    total_area: Decimal
    total_owners: int
    participating_area: Decimal
    participating_owners: int
    approving_area: Decimal
    approving_owners: int


@dataclass(frozen=True, slots=True)
class VoteDecision:
    """The outcome, with each of the four conditions, so that a rejection says why."""

    participation_area: bool
    participation_owners: bool
    approval_area: bool
    approval_owners: bool

    @property
    def approved(self) -> bool:
        return all(
            (
                self.participation_area,
                self.participation_owners,
                self.approval_area,
                self.approval_owners,
            )
        )

    @property
    def failed(self) -> list[str]:
        """The conditions not met, in words."""
        names = {
            "participation_area": "participating floor area",
            "participation_owners": "participating owners",
            "approval_area": "approving floor area",
            "approval_owners": "approving owners",
        }
        return [text for key, text in names.items() if not getattr(self, key)]


def validate_tally(tally: VoteTally) -> None:
    """Refuse a tally whose parts do not nest: approving ≤ participating ≤ total, none negative."""
    pairs = (
        ("totalArea", tally.total_area, None),
        ("totalOwners", tally.total_owners, None),
        ("participatingArea", tally.participating_area, tally.total_area),
        ("participatingOwners", tally.participating_owners, tally.total_owners),
        ("approvingArea", tally.approving_area, tally.participating_area),
        ("approvingOwners", tally.approving_owners, tally.participating_owners),
    )
    for field, value, bound in pairs:
        if value < 0:
            raise InvalidValue(field, "must not be negative")
        if bound is not None and value > bound:
            raise InvalidValue(field, "is larger than the figure it is part of")
    if tally.total_area <= 0 or tally.total_owners <= 0:
        raise InvalidValue("totalArea", "the compound's total floor area and owners must be > 0")


def decide(tally: VoteTally, rule: VoteRule) -> VoteDecision:
    """The decision of art. 278 under ``rule``, in exact arithmetic."""
    validate_tally(tally)

    def share(part: Decimal | int, whole: Decimal | int) -> Fraction:
        return Fraction(part) / Fraction(whole) if whole else Fraction(0)

    def approves(part: Decimal | int, whole: Decimal | int) -> bool:
        if not whole:
            return False
        value = share(part, whole)
        return value >= rule.approval if rule.approval_inclusive else value > rule.approval

    return VoteDecision(
        participation_area=share(tally.participating_area, tally.total_area) >= rule.participation,
        participation_owners=share(tally.participating_owners, tally.total_owners)
        >= rule.participation,
        approval_area=approves(tally.approving_area, tally.participating_area),
        approval_owners=approves(tally.approving_owners, tally.participating_owners),
    )


def check_disbursement(*, approved: Decimal, disbursed: Decimal, amount: Decimal) -> None:
    """Refuse a disbursement that is not positive or would pass the approved amount."""
    if amount <= 0:
        raise InvalidValue("amount", "a disbursement is a positive amount")
    left = approved - disbursed
    if amount > left:
        raise InvalidValue(
            "amount",
            f"the disbursement of {amount} yuan would pass the approved amount: {left} yuan left "
            f"of {approved}",
        )
