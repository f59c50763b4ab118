"""Unmasked personal data in GraphQL: who may see it, and the audit entry of every such read.

A personal field (a committee member's name or phone …) is masked unless the query asks for it
``unmasked: true``. Then the viewer needs ``Permission.PII`` (FORBIDDEN otherwise, and no data),
and the read is written to the audit log before the value is returned: if the audit entry cannot
be written, the value is not sent either.

The entries of one request are written together: the fields asked for in the same moment (all
members of a list) go into one transaction, one entry per record with the fields read.
"""

from __future__ import annotations

import asyncio
from typing import TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Permission
from hub.errors import Forbidden
from hub.graphql.context import HubContext, Info
from hub.services import audit

T = TypeVar("T")

UNMASKED_DESCRIPTION = (
    "true: the value in the clear. Needs the pii permission (towns, communities): others get "
    "FORBIDDEN; every such read is written to the audit log."
)
"""Description of the ``unmasked`` argument of personal fields."""

_SETTLE_ROUNDS = 3  # quiet event-loop rounds before a batch of entries is written


class AuditBatch:
    """The unmasked reads of one request that are waiting to be written."""

    def __init__(self, context: HubContext) -> None:
        self._context = context
        self._pending: dict[tuple[str, str, str | None], list[str]] = {}
        self._written: asyncio.Future[None] | None = None
        self._task: asyncio.Future[None] | None = None

    def add(
        self, *, subject_type: str, subject_id: str, field: str, operation: str | None
    ) -> asyncio.Future[None]:
        """Queue the read; the future is done when its entry is committed."""
        fields = self._pending.setdefault((subject_type, subject_id, operation), [])
        if field not in fields:
            fields.append(field)
        if self._written is None:
            self._written = asyncio.get_running_loop().create_future()
            self._task = asyncio.ensure_future(self._write(self._written))
        return self._written

    async def _write(self, written: asyncio.Future[None]) -> None:
        # Let the sibling fields of the same list join this batch first.
        for _ in range(_SETTLE_ROUNDS):
            await asyncio.sleep(0)
        pending, self._pending, self._written = self._pending, {}, None
        context = self._context

        async def work(session: AsyncSession) -> None:
            for (subject_type, subject_id, operation), fields in pending.items():
                audit.record(
                    session,
                    principal=context.viewer,
                    event=audit.AuditEvent(
                        action=audit.PII_READ,
                        subject_type=subject_type,
                        subject_id=subject_id,
                        fields=fields,
                        operation=operation,
                        request_id=context.request_id,
                    ),
                    at=context.now,
                )

        try:
            await context.db.transaction(work)
        except Exception as exc:
            written.set_exception(exc)
        else:
            written.set_result(None)


def _batch(context: HubContext) -> AuditBatch:
    """The request's batch (one per request, kept on its context)."""
    if context.pii_audit is None:
        context.pii_audit = AuditBatch(context)
    return context.pii_audit


def unmasked(info: Info, value: T, *, subject_type: str, subject_id: int, field: str) -> T:
    """``value`` for a viewer with the pii permission, once the read is in the audit log.

    Raises ``Forbidden`` at once for any other viewer. Returns an awaitable of ``value`` (which
    graphql-core awaits), typed ``T`` as what the client gets; see ``hub.graphql.loaders.then``.
    """
    viewer = info.context.viewer
    if not viewer.may(Permission.PII):
        raise Forbidden(
            f"{field} unmasked needs the pii permission, which the role {viewer.role.value} "
            "does not have",
            permission=Permission.PII.value,
        )
    operation = info.operation.name.value if info.operation.name else None
    written = _batch(info.context).add(
        subject_type=subject_type, subject_id=str(subject_id), field=field, operation=operation
    )

    async def after_audit() -> T:
        await written
        return value

    return cast(T, after_audit())
