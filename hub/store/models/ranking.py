"""Tables of the enterprises' assessments and the annual ranking (R8): daily inspections and
semi-annual assessments with their items, and the published ranking with its lines and sanctions.

A published ranking is final: its lines and sanctions are written once, by ``rankingPublish``,
and never changed (``year`` is unique, so a year cannot be published twice, even by two requests
at the same moment).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.domain.enums import AssessmentKind
from hub.domain.ranking import SanctionKind
from hub.store.base import Base, Provenance, foreign_key, provenance_key, str_enum


class Assessment(Provenance, Base):
    """A daily inspection (deductions) or a semi-annual assessment (100-point form) (R8).

    ``total`` is the sum of the items: points deducted for a daily inspection, points awarded for a
    semi-annual assessment.
    """

    __tablename__ = "assessments"
    __table_args__ = (provenance_key(),)

    enterprise_id: Mapped[int] = foreign_key("enterprises.id")
    compound_id: Mapped[int | None] = foreign_key("compounds.id", nullable=True)
    kind: Mapped[AssessmentKind] = mapped_column(str_enum(AssessmentKind))
    year: Mapped[int] = mapped_column(index=True)
    half: Mapped[int | None]
    assessed_on: Mapped[date]
    assessor_id: Mapped[int | None] = foreign_key("member_units.id", nullable=True)
    total: Mapped[float] = mapped_column(sa.Float)

    items: Mapped[list[AssessmentItem]] = relationship(
        back_populates="assessment", lazy="raise", order_by="AssessmentItem.id"
    )


class AssessmentItem(Base):
    """One line of an assessment: an item and its points (deducted or awarded, see Assessment)."""

    __tablename__ = "assessment_items"

    assessment_id: Mapped[int] = foreign_key("assessments.id", ondelete="CASCADE")
    item_code: Mapped[str] = mapped_column(sa.String(20))
    item_name: Mapped[str] = mapped_column(sa.String(100))
    max_points: Mapped[float | None] = mapped_column(sa.Float)
    points: Mapped[float] = mapped_column(sa.Float)
    note: Mapped[str | None] = mapped_column(sa.String(200))

    assessment: Mapped[Assessment] = relationship(back_populates="items", lazy="raise")


class RankingPublication(Base):
    """The published ranking of a year (年度考核结果公布)."""

    __tablename__ = "ranking_publications"

    year: Mapped[int] = mapped_column(unique=True)
    published_on: Mapped[date]
    published_by_id: Mapped[int | None] = foreign_key("member_units.id", nullable=True)
    # The weights the scores were computed with, so a published ranking explains itself later.
    settings: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


class RankingEntry(Base):
    """One enterprise's line in a published ranking: its rank and score, or why it has none."""

    __tablename__ = "ranking_entries"
    __table_args__ = (sa.UniqueConstraint("publication_id", "enterprise_id"),)

    publication_id: Mapped[int] = foreign_key("ranking_publications.id", ondelete="CASCADE")
    enterprise_id: Mapped[int] = foreign_key("enterprises.id")
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

    enterprise_id: Mapped[int] = foreign_key("enterprises.id")
    publication_id: Mapped[int] = foreign_key("ranking_publications.id", ondelete="CASCADE")
    year: Mapped[int] = mapped_column(index=True)  # the ranking's year
    kind: Mapped[SanctionKind] = mapped_column(str_enum(SanctionKind))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    amount: Mapped[float | None] = mapped_column(sa.Float)
