"""The mutations of the ledger (台账, 挂账督办, R3): creation, the workflow steps, escalation.

The workflow steps are one mutation, ``ledgerItemTransition(id, action)`` with an action enum
(ACCEPT, START, RESOLVE, VERIFY, REOPEN), rather than five: one payload type, one audit action per
step (``ledgerItemTransition``, the action in the entry's detail), and clients switch on the enum.
Creation (``ledgerItemCreate``) and escalation (``ledgerItemEscalate``) have their own mutations.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Permission
from hub.graphql.acting import change
from hub.graphql.compounds.types import CompoundType
from hub.graphql.context import Info
from hub.graphql.ledger.types import (
    LedgerAction,
    LedgerCategory,
    LedgerChannel,
    LedgerItemType,
    LedgerSeverity,
)
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.relay import (
    expect_global_id,
)
from hub.services import ledger
from hub.store.models import LedgerItem


@strawberry.type(description="The ledger item after the change.")
class LedgerItemSuccess:
    item: LedgerItemType = strawberry.field(description="The item.")


LedgerItemResult = Annotated[
    LedgerItemSuccess | NotPermitted | ValidationFailed,
    strawberry.union("LedgerItemResult", description="Result of a ledger mutation."),
]


async def _run(
    info: Info, action: str, work: Any, *, detail: dict[str, Any] | None = None
) -> LedgerItemResult:
    """A ledger mutation as one change (``hub.graphql.acting.change``)."""
    return await change(
        info,
        action=action,
        permission=Permission.WORK_LEDGER,
        subject_type="LedgerItem",
        work=work,
        subject_id=lambda item: item.id,
        success=lambda item: LedgerItemSuccess(item=LedgerItemType.from_model(item)),
        detail=detail,
    )


def _item_id(id: strawberry.ID) -> int:
    return expect_global_id(id, LedgerItemType)


@strawberry.type
class LedgerMutation:
    @strawberry.mutation(
        name="ledgerItemCreate",
        description="Report a problem into the ledger (台账) at your level, in a compound of "
        "your jurisdiction; the deadline follows from the severity.",
    )
    async def ledger_item_create(
        self,
        info: Info,
        compound_id: Annotated[strawberry.ID, strawberry.argument(description="The compound.")],
        title: Annotated[str, strawberry.argument(description="Short title.")],
        channel: Annotated[LedgerChannel, strawberry.argument(description="How it came in.")],
        category: Annotated[LedgerCategory, strawberry.argument(description="What it is about.")],
        severity: Annotated[LedgerSeverity, strawberry.argument(description="Urgency.")],
        description: Annotated[str | None, strawberry.argument(description="Details.")] = None,
    ) -> LedgerItemResult:
        async def work(session: AsyncSession) -> LedgerItem:
            target = expect_global_id(compound_id, CompoundType, field="compoundId")
            return await ledger.create(
                session,
                principal=info.context.viewer,
                compound_id=target,
                title=title,
                description=description,
                channel=channel,
                category=category,
                severity=severity,
                now=info.context.now,
            )

        return await _run(info, "ledgerItemCreate", work)

    @strawberry.mutation(
        name="ledgerItemTransition",
        description="Move an item one step: ACCEPT, START, RESOLVE (with a note), VERIFY or "
        "REOPEN (by the level that reported it; a complaint's VERIFY needs satisfaction 1–5).",
    )
    async def ledger_item_transition(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The item's global ID.")],
        action: Annotated[LedgerAction, strawberry.argument(description="The step.")],
        note: Annotated[
            str | None, strawberry.argument(description="What was done, or why.")
        ] = None,
        satisfaction: Annotated[
            int | None, strawberry.argument(description="Complainant's satisfaction 1–5.")
        ] = None,
    ) -> LedgerItemResult:
        async def work(session: AsyncSession) -> LedgerItem:
            return await ledger.transition(
                session,
                principal=info.context.viewer,
                item_id=_item_id(id),
                action=action,
                note=note,
                satisfaction=satisfaction,
                now=info.context.now,
            )

        return await _run(info, "ledgerItemTransition", work, detail={"action": action.value})

    @strawberry.mutation(
        name="ledgerItemEscalate",
        description="Send an open item up one level (community → town → the department of its "
        "category), with the reason; the scheduler does the same for overdue items.",
    )
    async def ledger_item_escalate(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The item's global ID.")],
        reason: Annotated[str, strawberry.argument(description="Why it goes up a level.")],
    ) -> LedgerItemResult:
        async def work(session: AsyncSession) -> LedgerItem:
            return await ledger.escalate_by(
                session,
                principal=info.context.viewer,
                item_id=_item_id(id),
                reason=reason,
                now=info.context.now,
            )

        return await _run(info, "ledgerItemEscalate", work)
