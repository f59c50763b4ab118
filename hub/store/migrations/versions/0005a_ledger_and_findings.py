"""ledger and compliance findings

The ledger (台账) with its history, and compliance findings (督办事项) of issue #5, sections 1
and 3. A branch on 0004, upgraded together with the other branches of issue #5.

Revision ID: 0005a
Revises: 0004
Create Date: 2026-11-25 16:10:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005a"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = ("COMPLAINT", "PROACTIVE", "SMALL_PROBLEM", "SWEEP")
CATEGORY = (
    "FACILITIES",
    "FIRE_SAFETY",
    "SANITATION",
    "FEES",
    "NOISE",
    "ILLEGAL_CONSTRUCTION",
    "GREENERY",
    "SECURITY",
    "OTHER",
)
SEVERITY = ("LOW", "MEDIUM", "HIGH", "URGENT")
LEVEL = ("COMMUNITY", "TOWN", "DEPARTMENT")
STATUS = ("REPORTED", "ACCEPTED", "IN_PROGRESS", "RESOLVED", "VERIFIED", "REOPENED")
FINDING_SEVERITY = ("LOW", "MEDIUM", "HIGH")


def _checked(
    column: str, type_name: str, values: Sequence[str], *, nullable: bool = False
) -> sa.Column[str]:
    """A string column limited to the values by a named CHECK constraint (as ``str_enum``)."""
    return sa.Column(
        column,
        sa.Enum(*values, name=type_name, native_enum=False, create_constraint=True, length=32),
        nullable=nullable,
    )


def _timestamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "ledger_items",
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        _checked("channel", "channel", CHANNEL),
        _checked("category", "category", CATEGORY),
        _checked("severity", "severity", SEVERITY),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("town_id", sa.Integer(), nullable=False),
        sa.Column("reported_by", sa.String(40), nullable=False),
        _checked("reported_level", "reported_level", LEVEL),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        _checked("level", "level", LEVEL),
        sa.Column("assigned_unit", sa.String(40), nullable=False),
        _checked("status", "status", STATUS),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["compound_id"],
            ["compounds.id"],
            name=op.f("fk_ledger_items_compound_id_compounds"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["jurisdictions.id"],
            name=op.f("fk_ledger_items_community_id_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["town_id"], ["jurisdictions.id"], name=op.f("fk_ledger_items_town_id_jurisdictions")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"],
            ["member_units.code"],
            name=op.f("fk_ledger_items_reported_by_member_units"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["assigned_unit"],
            ["member_units.code"],
            name=op.f("fk_ledger_items_assigned_unit_member_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_items")),
    )
    for column in (
        "compound_id",
        "community_id",
        "town_id",
        "reported_by",
        "reported_at",
        "level",
        "assigned_unit",
        "status",
        "deadline",
    ):
        op.create_index(op.f(f"ix_ledger_items_{column}"), "ledger_items", [column])

    op.create_table(
        "ledger_events",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_unit", sa.String(40), nullable=True),
        sa.Column("action", sa.String(20), nullable=False),
        _checked("from_status", "from_status", STATUS, nullable=True),
        _checked("to_status", "to_status", STATUS),
        _checked("from_level", "from_level", LEVEL, nullable=True),
        _checked("to_level", "to_level", LEVEL),
        sa.Column("assigned_unit", sa.String(40), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["ledger_items.id"],
            name=op.f("fk_ledger_events_item_id_ledger_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_events")),
    )
    op.create_index(op.f("ix_ledger_events_item_id"), "ledger_events", ["item_id"])

    op.create_table(
        "findings",
        sa.Column("rule", sa.String(60), nullable=False),
        sa.Column("subject_type", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        _checked("severity", "findingseverity", FINDING_SEVERITY),
        sa.Column("responsible_unit", sa.String(40), nullable=True),
        sa.Column("compound_id", sa.Integer(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("town_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(300), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["responsible_unit"],
            ["member_units.code"],
            name=op.f("fk_findings_responsible_unit_member_units"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["compound_id"],
            ["compounds.id"],
            name=op.f("fk_findings_compound_id_compounds"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["jurisdictions.id"],
            name=op.f("fk_findings_community_id_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["town_id"], ["jurisdictions.id"], name=op.f("fk_findings_town_id_jurisdictions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
    )
    for column in ("rule", "responsible_unit", "compound_id", "town_id", "opened_at"):
        op.create_index(op.f(f"ix_findings_{column}"), "findings", [column])
    op.create_index(
        "uq_findings_open_subject",
        "findings",
        ["rule", "subject_type", "subject_id"],
        unique=True,
        postgresql_where=sa.text("closed_at IS NULL"),
        sqlite_where=sa.text("closed_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("findings")
    op.drop_table("ledger_events")
    op.drop_table("ledger_items")
