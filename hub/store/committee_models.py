"""Tables of the committee, fund and owner-credit workflows (issue #5, sections 4, 6 and 7).

Owners' committees get their training records and the community's annual assessments (R9); the
special maintenance fund gets its applications, the owners' vote (aggregates only: floor area and
headcount, never individual owners) and disbursements (R5); owner credit records get objections
(异议) and their restoration date (R11). Money is ``Numeric`` so sums are exact on both databases.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain.committees import CommitteeAssessmentResult
from hub.domain.fund import FundApplicationStatus, FundExecutor
from hub.store.base import Base, str_enum

MONEY = sa.Numeric(14, 2)  # yuan
AREA = sa.Numeric(14, 2)  # m²


def _fk(target: str, *, nullable: bool = False, ondelete: str = "RESTRICT") -> Mapped[int]:
    return mapped_column(sa.ForeignKey(target, ondelete=ondelete), index=True, nullable=nullable)


class CommitteeTraining(Base):
    """A training session attended by a committee's members (R9: towns and communities train)."""

    __tablename__ = "committee_trainings"

    committee_id: Mapped[int] = _fk("owners_committees.id", ondelete="CASCADE")
    held_on: Mapped[date]
    topic: Mapped[str] = mapped_column(sa.String(200))
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(5, 1))
    attendees: Mapped[int]
    recorded_by_id: Mapped[int] = _fk("member_units.id")


class CommitteeAssessment(Base):
    """The community's annual assessment of a committee (R9); one per committee and year."""

    __tablename__ = "committee_assessments"
    __table_args__ = (sa.UniqueConstraint("committee_id", "year"),)

    committee_id: Mapped[int] = _fk("owners_committees.id", ondelete="CASCADE")
    year: Mapped[int]
    result: Mapped[CommitteeAssessmentResult] = mapped_column(str_enum(CommitteeAssessmentResult))
    assessed_on: Mapped[date]
    reward: Mapped[str | None] = mapped_column(sa.String(200))
    reward_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    assessed_by_id: Mapped[int] = _fk("member_units.id")


class FundApplication(Base):
    """An application to use the special maintenance fund for a compound (R5), with the owners'
    vote once it is recorded and the running total disbursed."""

    __tablename__ = "fund_applications"

    compound_id: Mapped[int] = _fk("compounds.id")
    purpose: Mapped[str] = mapped_column(sa.String(500))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    executor: Mapped[FundExecutor] = mapped_column(str_enum(FundExecutor))
    executor_name: Mapped[str | None] = mapped_column(sa.String(200))
    applied_on: Mapped[date]
    status: Mapped[FundApplicationStatus] = mapped_column(
        str_enum(FundApplicationStatus), default=FundApplicationStatus.VOTING, index=True
    )
    created_by_id: Mapped[int] = _fk("member_units.id")
    voted_on: Mapped[date | None]
    total_area: Mapped[Decimal | None] = mapped_column(AREA)
    total_owners: Mapped[int | None]
    participating_area: Mapped[Decimal | None] = mapped_column(AREA)
    participating_owners: Mapped[int | None]
    approving_area: Mapped[Decimal | None] = mapped_column(AREA)
    approving_owners: Mapped[int | None]
    disbursed: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))


class FundDisbursement(Base):
    """Money paid out for an approved application; the sum never passes the approved amount."""

    __tablename__ = "fund_disbursements"

    application_id: Mapped[int] = _fk("fund_applications.id", ondelete="CASCADE")
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_on: Mapped[date]
    note: Mapped[str | None] = mapped_column(sa.String(200))
    recorded_by_id: Mapped[int] = _fk("member_units.id")


class OwnerCreditObjection(Base):
    """An objection (异议) against an owner credit record: the record is suspended until it is
    decided (upheld → revoked, rejected → in effect again)."""

    __tablename__ = "owner_credit_objections"

    record_id: Mapped[int] = _fk("owner_credit_records.id", ondelete="CASCADE")
    filed_on: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.String(500))
    filed_by_id: Mapped[int] = _fk("member_units.id")
    decided_on: Mapped[date | None]
    upheld: Mapped[bool | None]
    decision_note: Mapped[str | None] = mapped_column(sa.String(500))
    decided_by_id: Mapped[int | None] = _fk("member_units.id", nullable=True)
