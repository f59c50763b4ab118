"""Table of compliance findings (督办事项, R6–R12): a rule's condition that holds, or held, for a
subject, with the unit responsible (by its code, ``member_unit_code``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain.findings import FindingSeverity
from hub.store.base import Base, member_unit_code, str_enum


class Finding(Base):
    """A compliance finding: a rule's condition holds (or held) for a subject."""

    __tablename__ = "findings"
    __table_args__ = (
        # At most one open finding per rule and subject: evaluation is idempotent.
        sa.Index(
            "uq_findings_open_subject",
            "rule",
            "subject_type",
            "subject_id",
            unique=True,
            postgresql_where=sa.text("closed_at IS NULL"),
            sqlite_where=sa.text("closed_at IS NULL"),
        ),
    )

    rule: Mapped[str] = mapped_column(sa.String(60), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int]
    severity: Mapped[FindingSeverity] = mapped_column(str_enum(FindingSeverity))
    responsible_unit: Mapped[str | None] = member_unit_code(nullable=True)
    compound_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("compounds.id", ondelete="RESTRICT"), index=True
    )
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("jurisdictions.id"))
    town_id: Mapped[int | None] = mapped_column(sa.ForeignKey("jurisdictions.id"), index=True)
    detail: Mapped[str | None] = mapped_column(sa.String(300))
    opened_at: Mapped[datetime] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]
