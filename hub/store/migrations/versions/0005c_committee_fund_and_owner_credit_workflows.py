"""committee trainings and assessments, the maintenance fund, owner credit objections

Revision ID: 0005c
Revises: 0004
Create Date: 2026-11-25 16:05:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import hub.store.base

revision: str = "0005c"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _base_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", hub.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hub.store.base.UTCDateTime(timezone=True), nullable=False),
    ]


def _fk(
    table: str, column: str, target: str, ondelete: str = "RESTRICT"
) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


_CREDIT_STATUS_OLD = ("ACTIVE", "OBJECTION_PENDING", "RESTORED")
_CREDIT_STATUS_NEW = (*_CREDIT_STATUS_OLD, "REVOKED")


def upgrade() -> None:
    op.create_table(
        "committee_trainings",
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("hours", sa.Numeric(precision=5, scale=1), nullable=False),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        *_base_columns(),
        _fk("committee_trainings", "committee_id", "owners_committees", "CASCADE"),
        _fk("committee_trainings", "recorded_by_id", "member_units"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_trainings")),
    )
    _indexes("committee_trainings", "committee_id", "recorded_by_id")

    op.create_table(
        "committee_assessments",
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "result",
            _enum("committeeassessmentresult", "EXCELLENT", "QUALIFIED", "UNQUALIFIED"),
            nullable=False,
        ),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("reward", sa.String(length=200), nullable=True),
        sa.Column("reward_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("assessed_by_id", sa.Integer(), nullable=False),
        *_base_columns(),
        _fk("committee_assessments", "committee_id", "owners_committees", "CASCADE"),
        _fk("committee_assessments", "assessed_by_id", "member_units"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_assessments")),
        sa.UniqueConstraint(
            "committee_id", "year", name=op.f("uq_committee_assessments_committee_id_year")
        ),
    )
    _indexes("committee_assessments", "committee_id", "assessed_by_id")

    op.create_table(
        "fund_applications",
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column(
            "executor",
            _enum("fundexecutor", "COMMITTEE", "ENTERPRISE", "CONTRACTOR"),
            nullable=False,
        ),
        sa.Column("executor_name", sa.String(length=200), nullable=True),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            _enum("fundapplicationstatus", "VOTING", "APPROVED", "REJECTED"),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("voted_on", sa.Date(), nullable=True),
        sa.Column("total_area", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("total_owners", sa.Integer(), nullable=True),
        sa.Column("participating_area", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("participating_owners", sa.Integer(), nullable=True),
        sa.Column("approving_area", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("approving_owners", sa.Integer(), nullable=True),
        sa.Column("disbursed", sa.Numeric(precision=14, scale=2), nullable=False),
        *_base_columns(),
        _fk("fund_applications", "compound_id", "compounds"),
        _fk("fund_applications", "created_by_id", "member_units"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_applications")),
    )
    _indexes("fund_applications", "compound_id", "created_by_id", "status")

    op.create_table(
        "fund_disbursements",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        *_base_columns(),
        _fk("fund_disbursements", "application_id", "fund_applications", "CASCADE"),
        _fk("fund_disbursements", "recorded_by_id", "member_units"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_disbursements")),
    )
    _indexes("fund_disbursements", "application_id", "recorded_by_id")

    op.create_table(
        "owner_credit_objections",
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("filed_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("upheld", sa.Boolean(), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        *_base_columns(),
        _fk("owner_credit_objections", "record_id", "owner_credit_records", "CASCADE"),
        _fk("owner_credit_objections", "filed_by_id", "member_units"),
        _fk("owner_credit_objections", "decided_by_id", "member_units"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owner_credit_objections")),
    )
    _indexes("owner_credit_objections", "record_id", "filed_by_id", "decided_by_id")

    # A credit record can now be revoked (an upheld objection) and remembers its restoration day.
    with op.batch_alter_table("owner_credit_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_on", sa.Date(), nullable=True))
        batch_op.alter_column(
            "status",
            existing_type=_enum("ownercreditstatus", *_CREDIT_STATUS_OLD),
            type_=_enum("ownercreditstatus", *_CREDIT_STATUS_NEW),
            existing_nullable=False,
        )


def downgrade() -> None:
    op.execute("UPDATE owner_credit_records SET status = 'ACTIVE' WHERE status = 'REVOKED'")
    with op.batch_alter_table("owner_credit_records", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=_enum("ownercreditstatus", *_CREDIT_STATUS_NEW),
            type_=_enum("ownercreditstatus", *_CREDIT_STATUS_OLD),
            existing_nullable=False,
        )
        batch_op.drop_column("ended_on")
    for table in (
        "owner_credit_objections",
        "fund_disbursements",
        "fund_applications",
        "committee_assessments",
        "committee_trainings",
    ):
        op.drop_table(table)
