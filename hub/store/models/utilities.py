"""Tables of the utility companies' work in compounds (R1): connection and meter tasks, and
outages of their service."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain.enums import ConnectionTaskKind, ConnectionTaskStatus, UtilityKind
from hub.store.base import Base, Provenance, foreign_key, provenance_key, str_enum


class ConnectionTask(Provenance, Base):
    """A utility company's service-connection or meter-installation task in a compound (R1)."""

    __tablename__ = "connection_tasks"
    __table_args__ = (provenance_key(),)

    compound_id: Mapped[int] = foreign_key("compounds.id")
    utility_id: Mapped[int] = foreign_key("member_units.id")
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

    compound_id: Mapped[int] = foreign_key("compounds.id")
    utility_id: Mapped[int] = foreign_key("member_units.id")
    utility_kind: Mapped[UtilityKind] = mapped_column(str_enum(UtilityKind))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(sa.String(200))
    affected_households: Mapped[int] = mapped_column(default=0)
