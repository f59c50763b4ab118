"""The store's tables, as SQLAlchemy 2 typed models.

Records that can come from an external platform mix in ``Provenance``; purely local records (owners,
committees, owner credit) do not. Relationships are ``lazy="raise"``: in async code an implicit
load is a bug, and the GraphQL layer loads relations through DataLoaders instead.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.domain.enums import (
    AssessmentKind,
    CommitteeMemberRole,
    CommitteeStatus,
    ConnectionTaskKind,
    ConnectionTaskStatus,
    CreditCategory,
    CreditLevel,
    EnterpriseStatus,
    JurisdictionLevel,
    OwnerCreditCategory,
    OwnerCreditStatus,
    ResidentKind,
    SelectionMethod,
    TenderMethod,
    TenderStatus,
    TownKind,
    UnitRole,
    UtilityKind,
)
from hub.store.base import Base, Provenance, provenance_key, str_enum

# Room for a sealed value ("v1:<key id ≤ 16>:" + base64 of nonce, text and tag, see
# hub.domain.crypto): a name of up to 50 characters (150 bytes of UTF-8), or an ID or phone number.
SEALED_NAME = 300
SEALED_SHORT = 120


def _fk(target: str, *, nullable: bool = False, ondelete: str = "RESTRICT") -> Mapped[int]:
    return mapped_column(sa.ForeignKey(target, ondelete=ondelete), index=True, nullable=nullable)


class Jurisdiction(Base):
    """The banner, a town (or the 水岸新城 office) or a community."""

    __tablename__ = "jurisdictions"

    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    level: Mapped[JurisdictionLevel] = mapped_column(str_enum(JurisdictionLevel))
    town_kind: Mapped[TownKind | None] = mapped_column(str_enum(TownKind))
    parent_id: Mapped[int | None] = _fk("jurisdictions.id", nullable=True)
    generated: Mapped[bool] = mapped_column(default=False)


class MemberUnit(Base):
    """A member unit of the joint conference, or a utility company (R1)."""

    __tablename__ = "member_units"

    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[UnitRole] = mapped_column(str_enum(UnitRole))
    jurisdiction_id: Mapped[int | None] = _fk("jurisdictions.id", nullable=True)
    utility_kind: Mapped[UtilityKind | None] = mapped_column(str_enum(UtilityKind))


class Compound(Provenance, Base):
    """A residential compound (住宅小区) in a community."""

    __tablename__ = "compounds"
    __table_args__ = (
        provenance_key(),
        # Identity of a compound across platforms: normalised name within a town.
        sa.UniqueConstraint("town_id", "normalized_name"),
    )

    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    normalized_name: Mapped[str] = mapped_column(sa.String(100))
    community_id: Mapped[int] = _fk("jurisdictions.id")
    # Denormalised from the community so that town filters and statistics need no join.
    town_id: Mapped[int] = _fk("jurisdictions.id")
    address: Mapped[str | None] = mapped_column(sa.String(200))
    households: Mapped[int] = mapped_column(default=0)
    floor_area: Mapped[float] = mapped_column(sa.Float, default=0.0)  # m²
    built_year: Mapped[int | None]
    warranty_end: Mapped[date | None]
    generated: Mapped[bool] = mapped_column(default=False)


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


class ServiceContract(Provenance, Base):
    """Which enterprise serves which compound, from when to when, and how it was selected."""

    __tablename__ = "service_contracts"
    __table_args__ = (provenance_key(),)

    enterprise_id: Mapped[int] = _fk("enterprises.id")
    compound_id: Mapped[int] = _fk("compounds.id")
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    selection: Mapped[SelectionMethod] = mapped_column(str_enum(SelectionMethod))
    tender_id: Mapped[int | None] = _fk("tenders.id", nullable=True)


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

    committee_id: Mapped[int] = _fk("owners_committees.id", ondelete="CASCADE")
    term_no: Mapped[int]
    assembly_held_on: Mapped[date]
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    committee: Mapped[OwnersCommittee] = relationship(back_populates="terms", lazy="raise")


class CommitteeMember(Base):
    """A member of a committee in one term. Name and phone are personal data, stored sealed
    (``hub.services.personal_data`` opens them)."""

    __tablename__ = "committee_members"

    term_id: Mapped[int] = _fk("committee_terms.id", ondelete="CASCADE")
    name_encrypted: Mapped[str] = mapped_column(sa.String(SEALED_NAME))
    phone_encrypted: Mapped[str | None] = mapped_column(sa.String(SEALED_SHORT))
    role: Mapped[CommitteeMemberRole] = mapped_column(str_enum(CommitteeMemberRole))
    joined_on: Mapped[date]
    left_on: Mapped[date | None]
    left_reason: Mapped[str | None] = mapped_column(sa.String(100))


class Tender(Provenance, Base):
    """A tender for the property service of a compound on the tender platform (R6)."""

    __tablename__ = "tenders"
    __table_args__ = (provenance_key(),)

    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    compound_id: Mapped[int] = _fk("compounds.id")
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

    tender_id: Mapped[int] = _fk("tenders.id", ondelete="CASCADE")
    enterprise_id: Mapped[int] = _fk("enterprises.id")
    price: Mapped[float] = mapped_column(sa.Float)  # yuan per m² per month
    technical_score: Mapped[float | None] = mapped_column(sa.Float)
    submitted_on: Mapped[date]


class TenderCandidate(Provenance, Base):
    """A ranked candidate (1–3) of a tender, from the evaluation committee."""

    __tablename__ = "tender_candidates"
    __table_args__ = (provenance_key(), sa.UniqueConstraint("tender_id", "rank"))

    tender_id: Mapped[int] = _fk("tenders.id", ondelete="CASCADE")
    enterprise_id: Mapped[int] = _fk("enterprises.id")
    rank: Mapped[int]
    total_score: Mapped[float] = mapped_column(sa.Float)


class TenderAward(Provenance, Base):
    """The award of a tender: winner, notice, publicity, filing and contract dates."""

    __tablename__ = "tender_awards"
    __table_args__ = (provenance_key(),)

    tender_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tenders.id", ondelete="CASCADE"), unique=True
    )
    enterprise_id: Mapped[int] = _fk("enterprises.id")
    awarded_on: Mapped[date]
    publicity_until: Mapped[date | None]
    filed_on: Mapped[date | None]
    contract_signed_on: Mapped[date | None]


class EnterpriseCreditRecord(Provenance, Base):
    """A basic, good or bad credit record of an enterprise; ``points`` is never negative."""

    __tablename__ = "enterprise_credit_records"
    __table_args__ = (provenance_key(),)

    enterprise_id: Mapped[int] = _fk("enterprises.id", ondelete="CASCADE")
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

    enterprise_id: Mapped[int] = _fk("enterprises.id", ondelete="CASCADE")
    evaluated_on: Mapped[date]
    score: Mapped[float] = mapped_column(sa.Float)
    grade: Mapped[str] = mapped_column(sa.String(8))


class Resident(Base):
    """An owner or occupant of a home in a compound. Name, ID number and phone are personal data,
    stored sealed (``hub.services.personal_data`` opens them); the ID number is found through its
    blind index. One person owning several homes has one row per home."""

    __tablename__ = "residents"

    compound_id: Mapped[int] = _fk("compounds.id")
    kind: Mapped[ResidentKind] = mapped_column(str_enum(ResidentKind))
    name_encrypted: Mapped[str] = mapped_column(sa.String(SEALED_NAME))
    id_number_encrypted: Mapped[str] = mapped_column(sa.String(SEALED_SHORT))
    id_number_index: Mapped[str] = mapped_column(sa.String(64), index=True)
    phone_encrypted: Mapped[str | None] = mapped_column(sa.String(SEALED_SHORT))
    building: Mapped[str] = mapped_column(sa.String(20))
    room: Mapped[str] = mapped_column(sa.String(20))
    floor_area: Mapped[float] = mapped_column(sa.Float, default=0.0)


class OwnerCreditRecord(Base):
    """A residential credit record of an owner or occupant, kept by the community (R11)."""

    __tablename__ = "owner_credit_records"

    resident_id: Mapped[int] = _fk("residents.id", ondelete="CASCADE")
    category: Mapped[OwnerCreditCategory] = mapped_column(str_enum(OwnerCreditCategory))
    basis: Mapped[str] = mapped_column(sa.String(200))
    recorded_on: Mapped[date]
    valid_until: Mapped[date | None]
    status: Mapped[OwnerCreditStatus] = mapped_column(
        str_enum(OwnerCreditStatus), default=OwnerCreditStatus.ACTIVE
    )
    recorded_by_id: Mapped[int | None] = _fk("member_units.id", nullable=True)
    # 信用修复: the day a RESTORED record stopped counting (it counted before).
    ended_on: Mapped[date | None]


class Assessment(Provenance, Base):
    """A daily inspection (deductions) or a semi-annual assessment (100-point form) (R8).

    ``total`` is the sum of the items: points deducted for a daily inspection, points awarded for a
    semi-annual assessment.
    """

    __tablename__ = "assessments"
    __table_args__ = (provenance_key(),)

    enterprise_id: Mapped[int] = _fk("enterprises.id")
    compound_id: Mapped[int | None] = _fk("compounds.id", nullable=True)
    kind: Mapped[AssessmentKind] = mapped_column(str_enum(AssessmentKind))
    year: Mapped[int] = mapped_column(index=True)
    half: Mapped[int | None]
    assessed_on: Mapped[date]
    assessor_id: Mapped[int | None] = _fk("member_units.id", nullable=True)
    total: Mapped[float] = mapped_column(sa.Float)

    items: Mapped[list[AssessmentItem]] = relationship(
        back_populates="assessment", lazy="raise", order_by="AssessmentItem.id"
    )


class AssessmentItem(Base):
    """One line of an assessment: an item and its points (deducted or awarded, see Assessment)."""

    __tablename__ = "assessment_items"

    assessment_id: Mapped[int] = _fk("assessments.id", ondelete="CASCADE")
    item_code: Mapped[str] = mapped_column(sa.String(20))
    item_name: Mapped[str] = mapped_column(sa.String(100))
    max_points: Mapped[float | None] = mapped_column(sa.Float)
    points: Mapped[float] = mapped_column(sa.Float)
    note: Mapped[str | None] = mapped_column(sa.String(200))

    assessment: Mapped[Assessment] = relationship(back_populates="items", lazy="raise")


class ConnectionTask(Provenance, Base):
    """A utility company's service-connection or meter-installation task in a compound (R1)."""

    __tablename__ = "connection_tasks"
    __table_args__ = (provenance_key(),)

    compound_id: Mapped[int] = _fk("compounds.id")
    utility_id: Mapped[int] = _fk("member_units.id")
    utility_kind: Mapped[UtilityKind] = mapped_column(str_enum(UtilityKind))
    kind: Mapped[ConnectionTaskKind] = mapped_column(str_enum(ConnectionTaskKind))
    status: Mapped[ConnectionTaskStatus] = mapped_column(str_enum(ConnectionTaskStatus))
    households: Mapped[int] = mapped_column(default=0)
    planned_on: Mapped[date | None]
    due_on: Mapped[date | None]
    completed_on: Mapped[date | None]


class Outage(Provenance, Base):
    """An interruption of a utility's service in a compound."""

    __tablename__ = "outages"
    __table_args__ = (provenance_key(),)

    compound_id: Mapped[int] = _fk("compounds.id")
    utility_id: Mapped[int] = _fk("member_units.id")
    utility_kind: Mapped[UtilityKind] = mapped_column(str_enum(UtilityKind))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(sa.String(200))
    affected_households: Mapped[int] = mapped_column(default=0)
