"""The unit of work of every change: the permission checked first, the writes and their audit entry
in one transaction, and an expected refusal returned as a value (and audited on its own).

A change is a service call made inside ``change``::

    result = await work.change(
        sessionmaker,
        actor,
        action="committeeTrainingRecord",
        permission=Permission.WRITE_LOCAL,
        subject_type="CommitteeTraining",
        work=lambda session: committees.create_training(session, principal=actor.principal, ...),
        subject_id=lambda training: training.id,
    )
    if isinstance(result, work.Refusal):
        ...  # the GraphQL layer turns it into a NotPermitted or ValidationFailed payload

``work`` raises ``Forbidden`` when the record is not the actor's to change, ``BadUserInput`` or
``NotFound`` for input it refuses; nothing it wrote is kept then, and the refusal is written to the
audit log in a transaction of its own. The GraphQL mutations and the CLI use the same frame, so
every change of the store is audited the same way whichever door it came through.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.domain.access import Permission, Principal
from hub.errors import BadUserInput, Forbidden, HubError, NotFound
from hub.services.audit import AuditEvent, record
from hub.store.session import for_writing

T = TypeVar("T")


class Outcome(enum.StrEnum):
    """How a change ended, as the audit log's ``outcome`` column records it."""

    OK = "ok"
    NOT_PERMITTED = "not_permitted"
    INVALID = "invalid"
    BUSY = "busy"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who changes the store, and in which request: what each audit entry of the change names.

    ``at`` is the time the entries carry (the request's clock, so that a test can fix it); None
    means now.
    """

    principal: Principal
    operation: str | None = None
    request_id: str | None = None
    at: datetime | None = None

    def event(self, action: str, outcome: Outcome | str, **fields: Any) -> AuditEvent:
        """An audit event of this actor's request."""
        return AuditEvent(
            action=action,
            outcome=str(outcome),
            operation=self.operation,
            request_id=self.request_id,
            **fields,
        )


@dataclass(frozen=True, slots=True)
class Refusal:
    """A change that was refused: nothing was written but its audit entry.

    ``field`` names the input at fault when there is one. ``message`` never carries personal
    data: the services do not put it in their errors.
    """

    outcome: Outcome
    message: str
    field: str | None = None
    details: dict[str, Any] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, outcome: Outcome, error: HubError) -> Refusal:
        at_fault = error.details.get("field")
        return cls(
            outcome=outcome,
            message=error.message,
            field=str(at_fault) if at_fault else None,
            details=dict(error.details),
        )


async def change(
    sessionmaker: async_sessionmaker[AsyncSession],
    actor: Actor,
    *,
    action: str,
    permission: Permission,
    subject_type: str,
    work: Callable[[AsyncSession], Awaitable[T]],
    subject_id: Callable[[T], object],
    detail: dict[str, Any] | None = None,
    detail_of: Callable[[T], dict[str, Any]] | None = None,
    permission_message: str | None = None,
) -> T | Refusal:
    """Run ``work`` as one audited change (see the module); its result, or the refusal.

    ``detail`` goes into the audit entry whatever the outcome; ``detail_of`` adds what only the
    result can tell (whether a subsidy was granted …) to the entry of a change that succeeded.
    ``permission_message`` is what a refusal for want of ``permission`` says, where the
    permission's name alone does not explain who may make the change.
    """
    if not actor.principal.may(permission):
        message = permission_message or f"{action} needs the {permission} permission"
        refusal = Refusal(outcome=Outcome.NOT_PERMITTED, message=message)
        return await refuse(
            sessionmaker, actor, action, refusal, subject_type=subject_type, detail=detail
        )

    async def transaction(session: AsyncSession) -> T:
        result = await work(session)
        entry_detail = detail
        if detail_of is not None:
            entry_detail = {**(detail or {}), **detail_of(result)}
        event = actor.event(
            action,
            Outcome.OK,
            subject_type=subject_type,
            subject_id=str(subject_id(result)),
            detail=entry_detail,
        )
        record(session, principal=actor.principal, event=event, at=actor.at)
        return result

    try:
        async with for_writing(sessionmaker)() as session, session.begin():
            return await transaction(session)
    except Forbidden as exc:
        refusal = Refusal.of(Outcome.NOT_PERMITTED, exc)
    except (BadUserInput, NotFound) as exc:
        refusal = Refusal.of(Outcome.INVALID, exc)
    return await refuse(
        sessionmaker, actor, action, refusal, subject_type=subject_type, detail=detail
    )


async def refuse(
    sessionmaker: async_sessionmaker[AsyncSession],
    actor: Actor,
    action: str,
    refusal: Refusal,
    *,
    subject_type: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Refusal:
    """Write the audit entry of a refused change in a transaction of its own; the refusal."""
    event = actor.event(action, refusal.outcome, subject_type=subject_type, detail=detail)
    await write_entry(sessionmaker, actor, event)
    return refusal


async def write_entry(
    sessionmaker: async_sessionmaker[AsyncSession], actor: Actor, event: AuditEvent
) -> None:
    """Write one audit entry in a transaction of its own (a refusal, or an act outside the store
    such as starting a sync)."""
    async with for_writing(sessionmaker)() as session, session.begin():
        record(session, principal=actor.principal, event=event, at=actor.at)
