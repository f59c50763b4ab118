"""The audit log: every mutation and every read of unmasked personal data (R12, PIPL).

Append-only: this module inserts and reads, nothing in the hub updates or deletes audit rows.
An entry names who (role, unit, credential), what (action, subject, fields) and when; never the
personal data itself.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Principal
from hub.store.access_models import AuditEntry
from hub.store.base import utcnow

PII_READ = "pii.read"
"""The action of an unmasked personal-data read."""


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """What to write: an action on a subject, by the principal, in a request."""

    action: str
    outcome: str = "ok"
    subject_type: str | None = None
    subject_id: str | None = None
    fields: Sequence[str] = ()
    operation: str | None = None
    request_id: str | None = None
    detail: dict[str, Any] | None = None


def record(
    session: AsyncSession, principal: Principal, event: AuditEvent, *, at: datetime | None = None
) -> AuditEntry:
    """Add the entry to the session (written with the session's transaction)."""
    entry = AuditEntry(
        occurred_at=at or utcnow(),
        actor_role=principal.role.value,
        actor_unit=principal.unit_code,
        actor_client=principal.client,
        action=event.action,
        operation=event.operation,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        fields=",".join(event.fields) or None,
        outcome=event.outcome,
        request_id=event.request_id,
        detail=event.detail,
    )
    session.add(entry)
    return entry


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Conditions on audit entries; all given conditions must hold."""

    since: datetime | None = None
    until: datetime | None = None
    unit_code: str | None = None
    action: str | None = None


def select_entries(where: AuditFilter) -> sa.Select[tuple[AuditEntry]]:
    """The entries matching ``where`` (unordered; callers page by occurred_at desc, id desc)."""
    stmt = sa.select(AuditEntry)
    if where.since is not None:
        stmt = stmt.where(AuditEntry.occurred_at >= where.since)
    if where.until is not None:
        stmt = stmt.where(AuditEntry.occurred_at < where.until)
    if where.unit_code is not None:
        stmt = stmt.where(AuditEntry.actor_unit == where.unit_code)
    if where.action is not None:
        stmt = stmt.where(AuditEntry.action == where.action)
    return stmt


CSV_COLUMNS = (
    "id",
    "occurred_at",
    "actor_role",
    "actor_unit",
    "actor_client",
    "action",
    "operation",
    "subject_type",
    "subject_id",
    "fields",
    "outcome",
    "request_id",
)


def to_csv(entries: Iterable[AuditEntry]) -> str:
    """The entries as CSV with a header row (UTF-8 text; timestamps in ISO 8601 UTC)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        row = [getattr(entry, column) for column in CSV_COLUMNS]
        writer.writerow(
            ["" if v is None else v.isoformat() if isinstance(v, datetime) else v for v in row]
        )
    return out.getvalue()
