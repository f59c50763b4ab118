"""Writing the audit entries of a GraphQL request: the mutations' entries and refusals, with the
request's operation name and request id filled in."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hub.graphql.context import Info
from hub.services import audit


def event(info: Info, action: str, outcome: str, **fields: object) -> audit.AuditEvent:
    """An audit event of the current request (operation name and request id filled in)."""
    operation = info.operation.name.value if info.operation and info.operation.name else None
    return audit.AuditEvent(
        action=action,
        outcome=outcome,
        operation=operation,
        request_id=info.context.request_id,
        **fields,  # type: ignore[arg-type]
    )


def write(session: AsyncSession, info: Info, event: audit.AuditEvent) -> None:
    """Add the entry to a transaction the caller is running (it commits or rolls back with it)."""
    audit.record(session, info.context.viewer, event, at=info.context.now)


async def write_now(info: Info, event: audit.AuditEvent) -> None:
    """Write the entry in a transaction of its own (a refusal, or an act outside the store)."""

    async def work(session: AsyncSession) -> None:
        write(session, info, event)

    await info.context.db.transaction(work)
