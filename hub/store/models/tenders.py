"""Tables of the tenders for a compound's property service, from the tender platform (R6): the
tender, its bids, the ranked candidates and the award."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain.enums import SelectionMethod, TenderMethod, TenderStatus
from hub.store.base import Base, Provenance, foreign_key, provenance_key, str_enum


class Tender(Provenance, Base):
    """A tender for the property service of a compound on the tender platform (R6)."""

    __tablename__ = "tenders"
    __table_args__ = (provenance_key(),)

    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    compound_id: Mapped[int] = foreign_key("compounds.id")
    selection: Mapped[SelectionMethod] = mapped_column(str_enum(SelectionMethod))
    method: Mapped[TenderMethod] = mapped_column(str_enum(TenderMethod))
    tenderer: Mapped[str] = mapped_column(sa.String(200))
    announced_on: Mapped[date]
    bid_deadline: Mapped[date]
    status: Mapped[TenderStatus] = mapped_column(str_enum(TenderStatus), index=True)


class TenderBid(Provenance, Base):
    """A bid of an enterprise in a tender."""

    __tablename__ = "tender_bids"
    __table_args__ = (provenance_key(), sa.UniqueConstraint("tender_id", "enterprise_id"))

    tender_id: Mapped[int] = foreign_key("tenders.id", ondelete="CASCADE")
    enterprise_id: Mapped[int] = foreign_key("enterprises.id")
    price: Mapped[float] = mapped_column(sa.Float)  # yuan per m² per month
    technical_score: Mapped[float | None] = mapped_column(sa.Float)
    submitted_on: Mapped[date]


class TenderCandidate(Provenance, Base):
    """A ranked candidate (1–3) of a tender, from the evaluation committee."""

    __tablename__ = "tender_candidates"
    __table_args__ = (provenance_key(), sa.UniqueConstraint("tender_id", "rank"))

    tender_id: Mapped[int] = foreign_key("tenders.id", ondelete="CASCADE")
    enterprise_id: Mapped[int] = foreign_key("enterprises.id")
    rank: Mapped[int]
    total_score: Mapped[float] = mapped_column(sa.Float)


class TenderAward(Provenance, Base):
    """The award of a tender: winner, notice, publicity, filing and contract dates."""

    __tablename__ = "tender_awards"
    __table_args__ = (provenance_key(),)

    tender_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tenders.id", ondelete="CASCADE"), unique=True
    )
    enterprise_id: Mapped[int] = foreign_key("enterprises.id")
    awarded_on: Mapped[date]
    publicity_until: Mapped[date | None]
    filed_on: Mapped[date | None]
    contract_signed_on: Mapped[date | None]
