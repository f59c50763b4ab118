"""retiring master data: member units, jurisdictions, compounds and residents are retired, not
deleted; committee members who leave during a term keep the kind of their reason

Adds ``retired_at`` and ``retired_reason`` to ``member_units``, ``jurisdictions``, ``compounds``
and ``residents`` (``hub.store.base.Retirement``: other records refer to them, so a record that
is no longer in use stays and drops out of lists), and ``left_reason_kind`` to
``committee_members`` (``hub.domain.membership.LeaveReason``; existing members keep their text and
no kind). Compounds keep ``deleted_at`` for what it means (the upstream deleted the record, and a
sync writes it again): the banner's own retirement is a column of its own.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 22:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hub.store.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RETIRABLE = ("member_units", "jurisdictions", "compounds", "residents")
LEAVE_REASONS = ("SALE_OF_HOME", "REPEATED_ABSENCE", "RESIGNATION", "OTHER")


def upgrade() -> None:
    for table in RETIRABLE:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("retired_at", hub.store.base.UTCDateTime(timezone=True), nullable=True)
            )
            batch_op.add_column(sa.Column("retired_reason", sa.String(length=200), nullable=True))
    with op.batch_alter_table("committee_members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "left_reason_kind",
                sa.Enum(
                    *LEAVE_REASONS,
                    name="leavereason",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("committee_members", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_committee_members_leavereason"), type_="check")
        batch_op.drop_column("left_reason_kind")
    for table in reversed(RETIRABLE):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("retired_reason")
            batch_op.drop_column("retired_at")
