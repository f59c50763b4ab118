"""The audit log: every mutation and every read of unmasked personal data (R12, PIPL).

Append-only: this module inserts and reads, nothing in the hub updates or deletes audit rows.
An entry names who (role, unit, credential), what (action, subject, fields) and when; never the
personal data itself.

Some of what an entry holds comes from the client (the operation name, the arguments a mutation
puts in ``detail``, such as the source name of ``syncTrigger``), so ``record`` bounds and cleans
every text before it is stored (``clean_event``): each column is cut to its length, a ``detail``
text to ``MAX_DETAIL_TEXT`` characters, control characters are replaced, and anything shaped like
an ID number, a phone number or a credential is masked (``hub.domain.redaction``). ``detail`` keeps
at most ``MAX_DETAIL_ITEMS`` entries per level, ``MAX_DETAIL_DEPTH`` levels deep.
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
from hub.domain.redaction import clean_text
from hub.services.paging import Ordering, SortKey
from hub.store.base import utcnow
from hub.store.models import AuditEntry

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


MAX_DETAIL_TEXT = 200
"""Characters kept of one text in an entry's ``detail``."""
MAX_DETAIL_ITEMS = 20
"""Entries kept of one mapping or list in ``detail``."""
MAX_DETAIL_DEPTH = 3
"""Levels of nesting kept in ``detail`` (deeper values are replaced by a marker)."""
_TOO_DEEP = "[nested]"


def _column_text(value: str | None, column: str) -> str | None:
    """A text for the column: cleaned (see the module) and no longer than the column."""
    if value is None:
        return None
    length = getattr(AuditEntry.__table__.c[column].type, "length", None) or MAX_DETAIL_TEXT
    return clean_text(str(value), limit=length)


def clean_detail(value: Any, *, depth: int = 0) -> Any:
    """``detail`` fit to be stored: JSON values only, texts cleaned and cut, containers bounded."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return clean_text(value, limit=MAX_DETAIL_TEXT)
    if depth >= MAX_DETAIL_DEPTH:
        return _TOO_DEEP
    if isinstance(value, dict):
        items = list(value.items())[:MAX_DETAIL_ITEMS]
        return {clean_text(str(k), limit=60): clean_detail(v, depth=depth + 1) for k, v in items}
    if isinstance(value, list | tuple | set | frozenset):
        return [clean_detail(v, depth=depth + 1) for v in list(value)[:MAX_DETAIL_ITEMS]]
    return clean_text(str(value), limit=MAX_DETAIL_TEXT)


def record(
    session: AsyncSession, *, principal: Principal, event: AuditEvent, at: datetime | None = None
) -> AuditEntry:
    """Add the entry to the session (written with the session's transaction); every text is
    bounded and cleaned first (see the module)."""
    entry = AuditEntry(
        occurred_at=at or utcnow(),
        actor_role=principal.role.value,
        actor_unit=_column_text(principal.unit_code, "actor_unit"),
        actor_client=_column_text(principal.client, "actor_client"),
        action=_column_text(event.action, "action"),
        operation=_column_text(event.operation, "operation"),
        subject_type=_column_text(event.subject_type, "subject_type"),
        subject_id=_column_text(event.subject_id, "subject_id"),
        fields=_column_text(",".join(event.fields) or None, "fields"),
        outcome=_column_text(event.outcome, "outcome"),
        request_id=_column_text(event.request_id, "request_id"),
        detail=clean_detail(event.detail) if event.detail is not None else None,
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


NEWEST_FIRST = Ordering(
    "AUDIT_NEWEST", (SortKey(AuditEntry.occurred_at, True), SortKey(AuditEntry.id, True))
)
"""The order of ``auditLog``: the latest entry first."""


def select_entries(where: AuditFilter) -> sa.Select[AuditEntry]:
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
