"""The frame of the workflow mutations of issue #5 (committees, the maintenance fund, owner
credit): the permission checked first, the writes and their audit entry in one transaction, and
expected failures returned as payloads (``NotPermitted``, ``ValidationFailed``), audited too.

Used by ``hub.graphql.committees``, ``hub.graphql.fund`` and ``hub.graphql.owner_credit``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Permission
from hub.errors import BadUserInput, NotFound
from hub.graphql import audit
from hub.graphql.context import Info
from hub.graphql.payloads import NotPermitted, ValidationFailed

T = TypeVar("T")


async def perform(
    info: Info,
    *,
    action: str,
    permission: Permission,
    subject_type: str,
    work: Callable[[AsyncSession], Awaitable[T]],
    subject_id: Callable[[T], int],
) -> T | NotPermitted | ValidationFailed:
    """Run a mutation's work the house way: the permission checked first, the writes and their
    audit entry in one transaction, refusals as payloads (and audited on their own).

    ``work`` raises ``BadUserInput`` / ``NotFound`` for input it refuses; nothing is written then.
    Messages never carry personal data: the services do not put it there.
    """
    if not info.context.viewer.may(permission):
        await audit.write_now(
            info, audit.event(info, action, "not_permitted", subject_type=subject_type)
        )
        return NotPermitted(message=f"{action} needs the {permission} permission")

    async def transaction(session: AsyncSession) -> T:
        result = await work(session)
        event = audit.event(
            info, action, "ok", subject_type=subject_type, subject_id=str(subject_id(result))
        )
        audit.write(session, info, event)
        return result

    try:
        return await info.context.db.transaction(transaction)
    except (BadUserInput, NotFound) as exc:
        await audit.write_now(info, audit.event(info, action, "invalid", subject_type=subject_type))
        return ValidationFailed.of(exc)
