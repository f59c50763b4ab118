"""The frame of the workflow mutations (the ledger, committees, the maintenance fund, owner
credit): the permission checked first, the writes and their audit entry in one transaction, and
expected failures returned as payloads (``NotPermitted``, ``ValidationFailed``), audited too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Permission
from hub.errors import BadUserInput, Forbidden, NotFound
from hub.graphql.audit import log as audit
from hub.graphql.context import Info
from hub.graphql.payloads import NotPermitted, ValidationFailed

T = TypeVar("T")
R = TypeVar("R", NotPermitted, ValidationFailed)


async def perform(
    info: Info,
    *,
    action: str,
    permission: Permission,
    subject_type: str,
    work: Callable[[AsyncSession], Awaitable[T]],
    subject_id: Callable[[T], int],
    detail: dict[str, Any] | None = None,
) -> T | NotPermitted | ValidationFailed:
    """Run a mutation's work the house way: the permission checked first, the writes and their
    audit entry in one transaction, refusals as payloads (and audited on their own).

    ``work`` raises ``BadUserInput`` / ``NotFound`` for input it refuses, or ``Forbidden`` when
    the record is not the viewer's to change (a verification by the wrong level …); nothing is
    written then. ``detail`` goes into every audit entry. Messages never carry personal data: the
    services do not put it there.
    """
    about: dict[str, Any] = {"subject_type": subject_type, "detail": detail}  # of a refusal
    if not info.context.viewer.may(permission):
        message = f"{action} needs the {permission} permission"
        return await refuse(info, action, NotPermitted(message=message), **about)

    async def transaction(session: AsyncSession) -> T:
        result = await work(session)
        event = audit.event(
            info,
            action,
            "ok",
            subject_type=subject_type,
            subject_id=str(subject_id(result)),
            detail=detail,
        )
        audit.write(session, info, event)
        return result

    try:
        return await info.context.db.transaction(transaction)
    except Forbidden as exc:
        return await refuse(info, action, NotPermitted(message=exc.message), **about)
    except (BadUserInput, NotFound) as exc:
        return await refuse(info, action, ValidationFailed.of(exc), **about)


async def refuse(
    info: Info,
    action: str,
    result: R,
    *,
    subject_type: str | None = None,
    detail: dict[str, Any] | None = None,
) -> R:
    """Write the audit entry of a refused mutation (``not_permitted`` or ``invalid``) in a
    transaction of its own, and return the refusal payload."""
    outcome = "not_permitted" if isinstance(result, NotPermitted) else "invalid"
    event = audit.event(info, action, outcome, subject_type=subject_type, detail=detail)
    await audit.write_now(info, event)
    return result
