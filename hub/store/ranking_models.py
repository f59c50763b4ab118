"""Tables of the annual ranking, its sanctions, and post-warranty repairs (R4, R8, R13).

A published ranking is final: its lines and sanctions are written once, by ``rankingPublish``,
and never changed (``year`` is unique, so a year cannot be published twice, even by two requests
at the same moment).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain.ranking import SanctionKind
from hub.domain.subsidies import RepairParty, RepairStatus
from hub.store.base import Base, str_enum


def _fk(target: str, *, nullable: bool = False, ondelete: str = "RESTRICT") -> Mapped[Any]:
    return mapped_column(sa.ForeignKey(target, ondelete=ondelete), index=True, nullable=nullable)


class RankingPublication(Base):
    """The published ranking of a year (年度考核结果公布)."""

    __tablename__ = "ranking_publications"

    year: Mapped[int] = mapped_column(unique=True)
    published_on: Mapped[date]
    published_by_id: Mapped[int | None] = _fk("member_units.id", nullable=True)
    # The weights the scores were computed with, so a published ranking explains itself later.
    settings: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


class RankingEntry(Base):
    """One enterprise's line in a published ranking: its rank and score, or why it has none."""

    __tablename__ = "ranking_entries"
    __table_args__ = (sa.UniqueConstraint("publication_id", "enterprise_id"),)

    publication_id: Mapped[int] = _fk("ranking_publications.id", ondelete="CASCADE")
    enterprise_id: Mapped[int] = _fk("enterprises.id")
    rank: Mapped[int | None]
    score: Mapped[float | None] = mapped_column(sa.Float)
    semi_annual_average: Mapped[float | None] = mapped_column(sa.Float)
    deductions: Mapped[float] = mapped_column(sa.Float)
    inspections: Mapped[int]
    credit_score: Mapped[float | None] = mapped_column(sa.Float)
    unranked_reason: Mapped[str | None] = mapped_column(sa.String(200))


class Sanction(Base):
    """A reward, ban or market exit applied by a published ranking (R8).

    In force from ``starts_on`` up to, not including, ``ends_on`` (None: no end).
    """

    __tablename__ = "sanctions"

    enterprise_id: Mapped[int] = _fk("enterprises.id")
    publication_id: Mapped[int] = _fk("ranking_publications.id", ondelete="CASCADE")
    year: Mapped[int] = mapped_column(index=True)  # the ranking's year
    kind: Mapped[SanctionKind] = mapped_column(str_enum(SanctionKind))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    amount: Mapped[float | None] = mapped_column(sa.Float)  # a reward's yuan


class RepairProject(Base):
    """A repair of a compound past its warranty, and the subsidy it earns once accepted (R4)."""

    __tablename__ = "repair_projects"

    compound_id: Mapped[int] = _fk("compounds.id")
    enterprise_id: Mapped[int] = _fk("enterprises.id")
    title: Mapped[str] = mapped_column(sa.String(200))
    completed_on: Mapped[date]
    subsidy_yuan: Mapped[float] = mapped_column(sa.Float)
    status: Mapped[RepairStatus] = mapped_column(
        str_enum(RepairStatus), default=RepairStatus.AWAITING_ACCEPTANCE
    )
    created_by_id: Mapped[int | None] = _fk("member_units.id", nullable=True)
    granted_on: Mapped[date | None]
    budget_year: Mapped[int | None] = mapped_column(index=True)


class RepairAcceptance(Base):
    """One party's acceptance of a repair; a party accepts once."""

    __tablename__ = "repair_acceptances"
    __table_args__ = (sa.UniqueConstraint("project_id", "party"),)

    project_id: Mapped[int] = _fk("repair_projects.id", ondelete="CASCADE")
    party: Mapped[RepairParty] = mapped_column(str_enum(RepairParty))
    accepted_on: Mapped[date]
    unit_id: Mapped[int | None] = _fk("member_units.id", nullable=True)
    note: Mapped[str | None] = mapped_column(sa.String(200))
