"""Tables of the banner's jurisdictions (the banner, its towns and communities) and of the member
units of the joint conference that work in them (R1, R2)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain.enums import JurisdictionLevel, TownKind, UnitRole, UtilityKind
from hub.store.base import Base, Retirement, foreign_key, str_enum


class Jurisdiction(Retirement, Base):
    """The banner, a town (or the 水岸新城 office) or a community; a retired community (merged
    into another …) stays for what refers to it."""

    __tablename__ = "jurisdictions"

    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    level: Mapped[JurisdictionLevel] = mapped_column(str_enum(JurisdictionLevel))
    town_kind: Mapped[TownKind | None] = mapped_column(str_enum(TownKind))
    parent_id: Mapped[int | None] = foreign_key("jurisdictions.id", nullable=True)
    generated: Mapped[bool] = mapped_column(default=False)


class MemberUnit(Retirement, Base):
    """A member unit of the joint conference, or a utility company (R1). A retired unit keeps its
    row (histories name it by code); its API keys and staff tokens no longer authenticate."""

    __tablename__ = "member_units"

    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[UnitRole] = mapped_column(str_enum(UnitRole))
    jurisdiction_id: Mapped[int | None] = foreign_key("jurisdictions.id", nullable=True)
    utility_kind: Mapped[UtilityKind | None] = mapped_column(str_enum(UtilityKind))
