"""Tables of residential compounds: the compound, the contracts of the enterprises serving it,
and its residents (personal data, stored sealed)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain.enums import ResidentKind, SelectionMethod
from hub.store.base import (
    SEALED_NAME,
    SEALED_SHORT,
    Base,
    Provenance,
    Retirement,
    foreign_key,
    provenance_key,
    str_enum,
)


class Compound(Provenance, Retirement, Base):
    """A residential compound (住宅小区) in a community. ``deleted_at`` (Provenance) is the
    upstream's word that it is gone; ``retired_at`` (Retirement) the banner's own."""

    __tablename__ = "compounds"
    __table_args__ = (
        provenance_key(),
        # Identity of a compound across platforms: normalised name within a town.
        sa.UniqueConstraint("town_id", "normalized_name"),
    )

    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    normalized_name: Mapped[str] = mapped_column(sa.String(100))
    community_id: Mapped[int] = foreign_key("jurisdictions.id")
    # Denormalised from the community so that town filters and statistics need no join.
    town_id: Mapped[int] = foreign_key("jurisdictions.id")
    address: Mapped[str | None] = mapped_column(sa.String(200))
    households: Mapped[int] = mapped_column(default=0)
    floor_area: Mapped[float] = mapped_column(sa.Float, default=0.0)  # m²
    built_year: Mapped[int | None]
    warranty_end: Mapped[date | None]
    generated: Mapped[bool] = mapped_column(default=False)


class ServiceContract(Provenance, Base):
    """Which enterprise serves which compound, from when to when, and how it was selected."""

    __tablename__ = "service_contracts"
    __table_args__ = (provenance_key(),)

    enterprise_id: Mapped[int] = foreign_key("enterprises.id")
    compound_id: Mapped[int] = foreign_key("compounds.id")
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    selection: Mapped[SelectionMethod] = mapped_column(str_enum(SelectionMethod))
    tender_id: Mapped[int | None] = foreign_key("tenders.id", nullable=True)


class Resident(Retirement, Base):
    """An owner or occupant of a home in a compound. Name, ID number and phone are personal data,
    stored sealed (``hub.services.personal_data`` opens them); the ID number is found through its
    blind index. One person owning several homes has one row per home; one who moved out is
    retired (the owner credit records that name the row keep it)."""

    __tablename__ = "residents"

    compound_id: Mapped[int] = foreign_key("compounds.id")
    kind: Mapped[ResidentKind] = mapped_column(str_enum(ResidentKind))
    name_encrypted: Mapped[str] = mapped_column(sa.String(SEALED_NAME))
    id_number_encrypted: Mapped[str] = mapped_column(sa.String(SEALED_SHORT))
    id_number_index: Mapped[str] = mapped_column(sa.String(64), index=True)
    phone_encrypted: Mapped[str | None] = mapped_column(sa.String(SEALED_SHORT))
    building: Mapped[str] = mapped_column(sa.String(20))
    room: Mapped[str] = mapped_column(sa.String(20))
    floor_area: Mapped[float] = mapped_column(sa.Float, default=0.0)
