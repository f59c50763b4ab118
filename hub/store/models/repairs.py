"""Tables of post-warranty repairs (R4): the repair of a compound and the parties' acceptances
that earn its subsidy from the special budget (R13)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain.subsidies import RepairParty, RepairStatus
from hub.store.base import Base, foreign_key, str_enum


class RepairProject(Base):
    """A repair of a compound past its warranty, and the subsidy it earns once accepted (R4)."""

    __tablename__ = "repair_projects"

    compound_id: Mapped[int] = foreign_key("compounds.id")
    enterprise_id: Mapped[int] = foreign_key("enterprises.id")
    title: Mapped[str] = mapped_column(sa.String(200))
    completed_on: Mapped[date]
    subsidy_yuan: Mapped[float] = mapped_column(sa.Float)
    status: Mapped[RepairStatus] = mapped_column(
        str_enum(RepairStatus), default=RepairStatus.AWAITING_ACCEPTANCE
    )
    created_by_id: Mapped[int | None] = foreign_key("member_units.id", nullable=True)
    granted_on: Mapped[date | None]
    budget_year: Mapped[int | None] = mapped_column(index=True)


class RepairAcceptance(Base):
    """One party's acceptance of a repair; a party accepts once."""

    __tablename__ = "repair_acceptances"
    __table_args__ = (sa.UniqueConstraint("project_id", "party"),)

    project_id: Mapped[int] = foreign_key("repair_projects.id", ondelete="CASCADE")
    party: Mapped[RepairParty] = mapped_column(str_enum(RepairParty))
    accepted_on: Mapped[date]
    unit_id: Mapped[int | None] = foreign_key("member_units.id", nullable=True)
    note: Mapped[str | None] = mapped_column(sa.String(200))
