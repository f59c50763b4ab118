"""Tables of property service enterprises and their credit: records and published grades (R7)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain.enums import CreditCategory, CreditLevel, EnterpriseStatus
from hub.store.base import Base, Provenance, foreign_key, provenance_key, str_enum


class Enterprise(Provenance, Base):
    """A property service enterprise (物业服务企业), identified by its USCC."""

    __tablename__ = "enterprises"
    __table_args__ = (provenance_key(),)

    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    legal_representative: Mapped[str] = mapped_column(sa.String(50))
    registered_address: Mapped[str] = mapped_column(sa.String(200))
    area_code: Mapped[str] = mapped_column(sa.String(6))
    registered_capital: Mapped[float] = mapped_column(sa.Float)  # 万元
    founded_on: Mapped[date]
    status: Mapped[EnterpriseStatus] = mapped_column(
        str_enum(EnterpriseStatus), default=EnterpriseStatus.ACTIVE, index=True
    )
    # The latest published grade, kept here so that lists can filter and order by it; the
    # history is in enterprise_credit_grades.
    credit_score: Mapped[float | None] = mapped_column(sa.Float)
    credit_grade: Mapped[str | None] = mapped_column(sa.String(8), index=True)
    credit_evaluated_on: Mapped[date | None]
    generated: Mapped[bool] = mapped_column(default=False)


class EnterpriseCreditRecord(Provenance, Base):
    """A basic, good or bad credit record of an enterprise; ``points`` is never negative."""

    __tablename__ = "enterprise_credit_records"
    __table_args__ = (provenance_key(),)

    enterprise_id: Mapped[int] = foreign_key("enterprises.id", ondelete="CASCADE")
    category: Mapped[CreditCategory] = mapped_column(str_enum(CreditCategory))
    title: Mapped[str] = mapped_column(sa.String(200))
    points: Mapped[float] = mapped_column(sa.Float)
    level: Mapped[CreditLevel] = mapped_column(str_enum(CreditLevel))
    recorded_on: Mapped[date]
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]


class EnterpriseCreditGrade(Provenance, Base):
    """A credit score and grade of an enterprise as published on a date (R7)."""

    __tablename__ = "enterprise_credit_grades"
    __table_args__ = (provenance_key(), sa.UniqueConstraint("enterprise_id", "evaluated_on"))

    enterprise_id: Mapped[int] = foreign_key("enterprises.id", ondelete="CASCADE")
    evaluated_on: Mapped[date]
    score: Mapped[float] = mapped_column(sa.Float)
    grade: Mapped[str] = mapped_column(sa.String(8))
