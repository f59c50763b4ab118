"""Tables of the ledger (台账, R3): problems tracked until solved, and each step of their history.
Units are referred to by their code (``member_unit_code``)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain.ledger import Category, Channel, Level, Severity, Status
from hub.store.base import Base, member_unit_code, str_enum


def _named(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """``str_enum`` with its own CHECK constraint name: two columns of one enum in one table
    would otherwise get the same constraint name."""
    column_type = str_enum(enum_cls)
    column_type.name = name
    return column_type


class LedgerItem(Base):
    """A problem in the ledger, tracked until solved (挂账督办)."""

    __tablename__ = "ledger_items"

    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    category: Mapped[Category] = mapped_column(str_enum(Category))
    severity: Mapped[Severity] = mapped_column(str_enum(Severity))
    compound_id: Mapped[int] = mapped_column(
        sa.ForeignKey("compounds.id", ondelete="RESTRICT"), index=True
    )
    # Denormalised from the compound: statistics per town and community need no join.
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("jurisdictions.id"), index=True)
    town_id: Mapped[int] = mapped_column(sa.ForeignKey("jurisdictions.id"), index=True)
    # The reporting unit, never a person: a complainant's name stays with the hotline (R11 PIPL).
    reported_by: Mapped[str] = member_unit_code()
    reported_level: Mapped[Level] = mapped_column(_named(Level, "reported_level"))
    reported_at: Mapped[datetime] = mapped_column(index=True)
    level: Mapped[Level] = mapped_column(str_enum(Level), index=True)
    assigned_unit: Mapped[str] = member_unit_code()
    status: Mapped[Status] = mapped_column(str_enum(Status), index=True)
    deadline: Mapped[datetime] = mapped_column(index=True)
    resolved_at: Mapped[datetime | None]
    resolution_note: Mapped[str | None] = mapped_column(sa.Text)
    verified_at: Mapped[datetime | None]
    satisfaction: Mapped[int | None]


class LedgerEvent(Base):
    """One step in an item's history: who did what when, from and to which status and level."""

    __tablename__ = "ledger_events"

    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ledger_items.id", ondelete="CASCADE"), index=True
    )
    occurred_at: Mapped[datetime]
    actor_unit: Mapped[str | None] = mapped_column(sa.String(40))  # None: the scheduler
    action: Mapped[str] = mapped_column(sa.String(20))  # CREATE, ACCEPT … ESCALATE
    from_status: Mapped[Status | None] = mapped_column(_named(Status, "from_status"))
    to_status: Mapped[Status] = mapped_column(_named(Status, "to_status"))
    from_level: Mapped[Level | None] = mapped_column(_named(Level, "from_level"))
    to_level: Mapped[Level] = mapped_column(_named(Level, "to_level"))
    assigned_unit: Mapped[str] = mapped_column(sa.String(40))
    note: Mapped[str | None] = mapped_column(sa.Text)
