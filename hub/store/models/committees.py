"""Tables of owners' committees (R9): the committee of a compound, its terms and members (personal
data, stored sealed), the trainings of its members and the community's annual assessments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.domain.committees import CommitteeAssessmentResult
from hub.domain.enums import CommitteeMemberRole, CommitteeStatus
from hub.domain.membership import LeaveReason
from hub.store.base import MONEY, SEALED_NAME, SEALED_SHORT, Base, foreign_key, str_enum


class OwnersCommittee(Base):
    """An owners' committee (业主委员会) of a compound (R9)."""

    __tablename__ = "owners_committees"

    compound_id: Mapped[int] = mapped_column(
        sa.ForeignKey("compounds.id", ondelete="RESTRICT"), unique=True
    )
    founded_on: Mapped[date]
    status: Mapped[CommitteeStatus] = mapped_column(
        str_enum(CommitteeStatus), default=CommitteeStatus.ACTIVE
    )

    terms: Mapped[list[CommitteeTerm]] = relationship(
        back_populates="committee", lazy="raise", order_by="CommitteeTerm.term_no"
    )


class CommitteeTerm(Base):
    """One term of a committee, elected by an owners' assembly (业主大会); ≤ 5 years."""

    __tablename__ = "committee_terms"
    __table_args__ = (sa.UniqueConstraint("committee_id", "term_no"),)

    committee_id: Mapped[int] = foreign_key("owners_committees.id", ondelete="CASCADE")
    term_no: Mapped[int]
    assembly_held_on: Mapped[date]
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    committee: Mapped[OwnersCommittee] = relationship(back_populates="terms", lazy="raise")


class CommitteeMember(Base):
    """A member of a committee in one term. Name and phone are personal data, stored sealed
    (``hub.services.personal_data`` opens them)."""

    __tablename__ = "committee_members"

    term_id: Mapped[int] = foreign_key("committee_terms.id", ondelete="CASCADE")
    name_encrypted: Mapped[str] = mapped_column(sa.String(SEALED_NAME))
    phone_encrypted: Mapped[str | None] = mapped_column(sa.String(SEALED_SHORT))
    role: Mapped[CommitteeMemberRole] = mapped_column(str_enum(CommitteeMemberRole))
    joined_on: Mapped[date]
    left_on: Mapped[date | None]
    # The kind of reason of a member who left during the term (None for members recorded before
    # the kinds existed, whose text alone says why); ``left_reason`` is its Chinese text.
    left_reason_kind: Mapped[LeaveReason | None] = mapped_column(str_enum(LeaveReason))
    left_reason: Mapped[str | None] = mapped_column(sa.String(100))


class CommitteeTraining(Base):
    """A training session attended by a committee's members (R9: towns and communities train)."""

    __tablename__ = "committee_trainings"

    committee_id: Mapped[int] = foreign_key("owners_committees.id", ondelete="CASCADE")
    held_on: Mapped[date]
    topic: Mapped[str] = mapped_column(sa.String(200))
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(5, 1))
    attendees: Mapped[int]
    recorded_by_id: Mapped[int] = foreign_key("member_units.id")


class CommitteeAssessment(Base):
    """The community's annual assessment of a committee (R9); one per committee and year."""

    __tablename__ = "committee_assessments"
    __table_args__ = (sa.UniqueConstraint("committee_id", "year"),)

    committee_id: Mapped[int] = foreign_key("owners_committees.id", ondelete="CASCADE")
    year: Mapped[int]
    result: Mapped[CommitteeAssessmentResult] = mapped_column(str_enum(CommitteeAssessmentResult))
    assessed_on: Mapped[date]
    reward: Mapped[str | None] = mapped_column(sa.String(200))
    reward_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    assessed_by_id: Mapped[int] = foreign_key("member_units.id")
