"""Tables of access control: API clients, the audit log and trusted documents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain.access import Role
from hub.store.base import Base, str_enum


class ApiClient(Base):
    """A member-unit system's API key. Only a hash of the key is kept; its prefix finds it."""

    __tablename__ = "api_clients"

    unit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("member_units.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role))
    label: Mapped[str] = mapped_column(sa.String(100))
    key_prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AuditEntry(Base):
    """One audited act: a mutation, or a read of unmasked personal data. Append-only: the hub
    never updates or deletes these rows."""

    __tablename__ = "audit_log"

    occurred_at: Mapped[datetime] = mapped_column(index=True)
    actor_role: Mapped[str] = mapped_column(sa.String(40))
    actor_unit: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    actor_client: Mapped[str | None] = mapped_column(sa.String(60))
    action: Mapped[str] = mapped_column(sa.String(60))  # mutation name or "pii.read"
    operation: Mapped[str | None] = mapped_column(sa.String(100))  # GraphQL operation name
    subject_type: Mapped[str | None] = mapped_column(sa.String(60))
    subject_id: Mapped[str | None] = mapped_column(sa.String(60))
    fields: Mapped[str | None] = mapped_column(sa.String(200))  # e.g. "name,id_number"
    outcome: Mapped[str] = mapped_column(sa.String(30))
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)


class TrustedDocument(Base):
    """A registered GraphQL document (trusted / persisted query), found by its sha256."""

    __tablename__ = "trusted_documents"

    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    operation_name: Mapped[str | None] = mapped_column(sa.String(100))
    body: Mapped[str] = mapped_column(sa.Text)
