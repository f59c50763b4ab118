"""Tables of the special maintenance fund (住宅专项维修资金, R5): applications per compound with
the owners' vote (aggregates only: floor area and headcount, never individual owners), and the
disbursements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain.fund import FundApplicationStatus, FundExecutor
from hub.store.base import AREA, MONEY, Base, foreign_key, str_enum


class FundApplication(Base):
    """An application to use the special maintenance fund for a compound (R5), with the owners'
    vote once it is recorded and the running total disbursed."""

    __tablename__ = "fund_applications"

    compound_id: Mapped[int] = foreign_key("compounds.id")
    purpose: Mapped[str] = mapped_column(sa.String(500))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    executor: Mapped[FundExecutor] = mapped_column(str_enum(FundExecutor))
    executor_name: Mapped[str | None] = mapped_column(sa.String(200))
    applied_on: Mapped[date]
    status: Mapped[FundApplicationStatus] = mapped_column(
        str_enum(FundApplicationStatus), default=FundApplicationStatus.VOTING, index=True
    )
    created_by_id: Mapped[int] = foreign_key("member_units.id")
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

    application_id: Mapped[int] = foreign_key("fund_applications.id", ondelete="CASCADE")
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_on: Mapped[date]
    note: Mapped[str | None] = mapped_column(sa.String(200))
    recorded_by_id: Mapped[int] = foreign_key("member_units.id")
