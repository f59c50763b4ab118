"""personal data encrypted at rest

Names, resident ID numbers and phone numbers of residents and committee members move from plain
columns to sealed ones (``<field>_encrypted``, AES-GCM, see hub.domain.crypto), and residents get
the blind index of their ID number (``id_number_index``) in place of the plain, indexed
``id_number``. Existing rows are converted here, in batches, with the keyring the caller hands in
as the Alembic config attribute ``pii_keyring``: ``hub migrate`` hands in the one of its settings
(HUB_PII_KEYS, HUB_PII_ACTIVE_KEY, HUB_PII_INDEX_KEY) through ``hub.store.migrate``. A store with
no personal data needs none. The downgrade opens the values again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 15:21:58.243329
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from hub.domain.crypto import FieldRef, Keyring, blind_index, decrypt, encrypt

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1_000

# The personal fields of each table as this revision knows them (not the models of today's code).
FIELDS = {
    "residents": ("name", "id_number", "phone"),
    "committee_members": ("name", "phone"),
}
PLAIN_TYPES = {"name": sa.String(50), "id_number": sa.String(18), "phone": sa.String(20)}
SEALED_TYPES = {"name": sa.String(300), "id_number": sa.String(120), "phone": sa.String(120)}
NULLABLE = {"name": False, "id_number": False, "phone": True}


def _keyring() -> Keyring:
    """The keyring handed in by the caller; asked for only when there is a value to convert."""
    keyring: Keyring | None = context.config.attributes.get("pii_keyring")
    if keyring is None:
        raise RuntimeError(
            "migration 0004 seals the personal data in the store and needs the keyring: run it "
            "with `hub migrate` (or hand one in as the Alembic config attribute pii_keyring)"
        )
    return keyring


def _convert(
    table_name: str,
    *,
    source: Callable[[str], str],
    target: Callable[[str], str],
    change: Callable[[str, int, str], str],
    index: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> None:
    """Rewrite every row's personal fields from the ``source`` columns to the ``target`` ones,
    ``BATCH`` rows at a time (by id)."""
    fields = FIELDS[table_name]
    table = sa.table(
        table_name,
        sa.column("id", sa.Integer),
        *(sa.column(source(f), sa.String) for f in fields),
        *(sa.column(target(f), sa.String) for f in fields),
        *([sa.column("id_number_index", sa.String)] if index else []),
    )
    bind = op.get_bind()
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("b_id"))
        .values(
            {target(f): sa.bindparam(f"b_{f}") for f in fields}
            | ({"id_number_index": sa.bindparam("b_index")} if index else {})
        )
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(table.c.id, *(table.c[source(f)] for f in fields))
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        params = []
        for row in rows:
            values = {f: row._mapping[source(f)] for f in fields}
            param: dict[str, Any] = {"b_id": row.id}
            for f in fields:
                param[f"b_{f}"] = None if values[f] is None else change(f, row.id, values[f])
            if index:
                param |= index(values)
            params.append(param)
        bind.execute(update, params)
        last = rows[-1].id


def upgrade() -> None:
    for table_name, fields in FIELDS.items():

        def seal(field: str, record_id: int, value: str, table_name: str = table_name) -> str:
            return encrypt(_keyring(), value, FieldRef(table_name, field, record_id))

        with op.batch_alter_table(table_name, schema=None) as batch_op:
            for f in fields:
                batch_op.add_column(sa.Column(f"{f}_encrypted", SEALED_TYPES[f], nullable=True))
            if table_name == "residents":
                batch_op.add_column(sa.Column("id_number_index", sa.String(64), nullable=True))
        _convert(
            table_name,
            source=lambda f: f,
            target=lambda f: f"{f}_encrypted",
            change=seal,
            index=(lambda v: {"b_index": blind_index(_keyring(), v["id_number"])})
            if table_name == "residents"
            else None,
        )
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            for f in fields:
                batch_op.alter_column(
                    f"{f}_encrypted", existing_type=SEALED_TYPES[f], nullable=NULLABLE[f]
                )
            if table_name == "residents":
                batch_op.alter_column(
                    "id_number_index", existing_type=sa.String(64), nullable=False
                )
                batch_op.drop_index(batch_op.f("ix_residents_id_number"))
                batch_op.create_index(
                    batch_op.f("ix_residents_id_number_index"), ["id_number_index"], unique=False
                )
            for f in fields:
                batch_op.drop_column(f)


def downgrade() -> None:
    for table_name, fields in FIELDS.items():

        def open_(field: str, record_id: int, value: str, table_name: str = table_name) -> str:
            return decrypt(_keyring(), value, FieldRef(table_name, field, record_id))

        with op.batch_alter_table(table_name, schema=None) as batch_op:
            for f in fields:
                batch_op.add_column(sa.Column(f, PLAIN_TYPES[f], nullable=True))
        _convert(table_name, source=lambda f: f"{f}_encrypted", target=lambda f: f, change=open_)
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            for f in fields:
                batch_op.alter_column(f, existing_type=PLAIN_TYPES[f], nullable=NULLABLE[f])
            if table_name == "residents":
                batch_op.drop_index(batch_op.f("ix_residents_id_number_index"))
                batch_op.create_index(
                    batch_op.f("ix_residents_id_number"), ["id_number"], unique=False
                )
                batch_op.drop_column("id_number_index")
            for f in fields:
                batch_op.drop_column(f"{f}_encrypted")
