"""Declarative base, portable column types and the provenance mixin shared by all store models.

One model serves SQLite (the embedded default) and PostgreSQL (production), so only portable types
are used; enums are stored as checked strings rather than native PostgreSQL enums, which keeps
migrations of their values a one-line change on both databases.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Constraint names are generated from this convention so that Alembic can name, find and drop
# them on both databases (SQLite batch mode needs named constraints to recreate a table).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database.

    SQLite has no time zones: values are stored as naive UTC and given back as aware UTC. A naive
    datetime is refused on the way in, because its meaning would depend on the machine's clock.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """A string column limited to the enum's values by a CHECK constraint, on both databases."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda cls: [member.value for member in cls],
        name=enum_cls.__name__.lower(),
    )


def utcnow() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Base of all store models."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.id}>"


class Provenance:
    """Where a record came from: an external platform (source and its id) or, when empty, here.

    ``content_hash`` is the hash of the validated upstream record (``connectors.core``), so that a
    re-sync of an unchanged record writes nothing; ``synced_at`` says how fresh the copy is;
    ``deleted_at`` marks a record the upstream deleted.
    """

    source: Mapped[str | None] = mapped_column(sa.String(40))
    source_id: Mapped[str | None] = mapped_column(sa.String(100))
    synced_at: Mapped[datetime | None]
    content_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # The record's own change time on the source (its cursor field): a replay of an older version
    # never overwrites a newer one.
    source_updated_at: Mapped[datetime | None]
    # Set when the upstream deleted the record (tombstone or full reconciliation): the row stays,
    # for the history and the audit, but reads leave it out.
    deleted_at: Mapped[datetime | None]


RETIRED_REASON_LENGTH = 200
"""Characters of the reason given when a record is retired (``Retirement.retired_reason``)."""


class Retirement:
    """A record the banner's staff retired (撤销): a community merged into another, a compound
    entered twice, a resident who moved out, a member unit that left the conference.

    Other records refer to it (histories, audit entries, contracts, API keys), so it is never
    deleted: the row stays, ``node(id)`` and the relations that point at it still reach it, and
    lists leave it out (``hub.services.records.live``). Kept apart from ``Provenance.deleted_at``,
    which is the upstream's word and which every sync of the record writes again.
    """

    retired_at: Mapped[datetime | None]
    retired_reason: Mapped[str | None] = mapped_column(sa.String(RETIRED_REASON_LENGTH))


def provenance_key() -> sa.UniqueConstraint:
    """(source, source_id) identifies an upstream record: the key of idempotent upserts."""
    return sa.UniqueConstraint("source", "source_id")


def foreign_key(target: str, *, nullable: bool = False, ondelete: str = "RESTRICT") -> Mapped[int]:
    """An indexed reference to ``target`` (``"table.id"``); deleting the target is refused unless
    ``ondelete`` says otherwise (children that live and die with their parent use CASCADE)."""
    return mapped_column(sa.ForeignKey(target, ondelete=ondelete), index=True, nullable=nullable)


def member_unit_code(*, nullable: bool = False) -> Mapped[str]:
    """An indexed reference to a member unit by its stable code (``member_units.code``), not its
    id: histories and findings then read without a join, in the codes member-unit systems use."""
    return mapped_column(
        sa.ForeignKey("member_units.code", ondelete="RESTRICT"), index=True, nullable=nullable
    )


MONEY = sa.Numeric(14, 2)
"""Yuan, exact: sums of money are the same on both databases."""
AREA = sa.Numeric(14, 2)
"""Square metres, exact like ``MONEY`` (the floor areas of an owners' vote)."""

# Room for a sealed value ("v1:<key id ≤ 16>:" + base64 of nonce, text and tag, see
# hub.domain.crypto): a name of up to 50 characters (150 bytes of UTF-8), or an ID or phone number.
SEALED_NAME = 300
SEALED_SHORT = 120
