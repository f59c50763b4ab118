"""A GraphQL mutation as a change of the services' unit of work (``hub.services.work``): who acts
in this request, a refusal as a payload, and the two put together in ``change``.

A mutation builds its input, calls ``change`` with the service call as ``work`` and says how a
result becomes its success payload; the permission check, the transaction, the audit entries and
the refusal payloads are the unit of work's, the same for every mutation and for the CLI.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Permission
from hub.graphql.context import Info
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.services import work as unit_of_work
from hub.services.work import Actor, Outcome, Refusal

T = TypeVar("T")
S = TypeVar("S")


def actor(info: Info) -> Actor:
    """The actor of the request: its viewer, its operation's name, its request id and its clock
    (what the audit entries of its changes carry)."""
    operation = info.operation.name.value if info.operation and info.operation.name else None
    context = info.context
    return Actor(context.viewer, operation=operation, request_id=context.request_id, at=context.now)


def payload(refusal: Refusal) -> NotPermitted | ValidationFailed:
    """The union member of a refused change: ``NotPermitted`` for a missing permission or a
    record not the viewer's to change, ``ValidationFailed`` (with the input at fault) for the
    rest."""
    if refusal.outcome is Outcome.NOT_PERMITTED:
        return NotPermitted(message=refusal.message)
    return ValidationFailed.from_details(refusal.message, refusal.details)


async def change(
    info: Info,
    *,
    action: str,
    permission: Permission,
    subject_type: str,
    work: Callable[[AsyncSession], Awaitable[T]],
    subject_id: Callable[[T], object],
    success: Callable[[T], S],
    detail: dict[str, Any] | None = None,
    detail_of: Callable[[T], dict[str, Any]] | None = None,
    permission_message: str | None = None,
) -> S | NotPermitted | ValidationFailed:
    """Run the mutation's ``work`` as one change (``hub.services.work.change``, which see for the
    other arguments); ``success`` turns its result into the success payload."""
    result = await unit_of_work.change(
        info.context.db.sessionmaker,
        actor(info),
        action=action,
        permission=permission,
        subject_type=subject_type,
        work=work,
        subject_id=subject_id,
        detail=detail,
        detail_of=detail_of,
        permission_message=permission_message,
    )
    if isinstance(result, Refusal):
        return payload(result)
    return success(result)
