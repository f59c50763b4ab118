"""Tables of owners' residential credit (R11): the records a community keeps of a resident, and
the objections (异议) against them."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain.enums import OwnerCreditCategory, OwnerCreditStatus
from hub.store.base import Base, foreign_key, str_enum


class OwnerCreditRecord(Base):
    """A residential credit record of an owner or occupant, kept by the community (R11)."""

    __tablename__ = "owner_credit_records"

    resident_id: Mapped[int] = foreign_key("residents.id", ondelete="CASCADE")
    category: Mapped[OwnerCreditCategory] = mapped_column(str_enum(OwnerCreditCategory))
    basis: Mapped[str] = mapped_column(sa.String(200))
    recorded_on: Mapped[date]
    valid_until: Mapped[date | None]
    status: Mapped[OwnerCreditStatus] = mapped_column(
        str_enum(OwnerCreditStatus), default=OwnerCreditStatus.ACTIVE
    )
    recorded_by_id: Mapped[int | None] = foreign_key("member_units.id", nullable=True)
    # 信用修复: the day a RESTORED record stopped counting (it counted before).
    ended_on: Mapped[date | None]


class OwnerCreditObjection(Base):
    """An objection (异议) against an owner credit record: the record is suspended until it is
    decided (upheld → revoked, rejected → in effect again)."""

    __tablename__ = "owner_credit_objections"

    record_id: Mapped[int] = foreign_key("owner_credit_records.id", ondelete="CASCADE")
    filed_on: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.String(500))
    filed_by_id: Mapped[int] = foreign_key("member_units.id")
    decided_on: Mapped[date | None]
    upheld: Mapped[bool | None]
    decision_note: Mapped[str | None] = mapped_column(sa.String(500))
    decided_by_id: Mapped[int | None] = foreign_key("member_units.id", nullable=True)
