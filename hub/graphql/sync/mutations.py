"""The sync mutations: ``syncTrigger`` (a sync now, in the background) and
``reconciliationResolve`` (an item of the reconciliation queue, 对账)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Permission
from hub.graphql import acting
from hub.graphql.compounds.types import CompoundType
from hub.graphql.context import Info
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.relay import expect_global_id
from hub.graphql.sync.types import ReconciliationItemType
from hub.services import sync as sync_service
from hub.services import work
from hub.store.models import ReconciliationItem


@strawberry.type(description="The sync was started in the background; follow it in `syncRuns`.")
class SyncTriggerAccepted:
    source: str = strawberry.field(description="The source being synced.")
    full: bool = strawberry.field(description="A full pull with reconciliation of deletions.")


@strawberry.type(description="A sync of this source is already running.")
class SyncAlreadyRunning:
    source: str = strawberry.field(description="The source.")
    message: str = strawberry.field(description="Details.")


SyncTriggerResult = Annotated[
    SyncTriggerAccepted | SyncAlreadyRunning | NotPermitted | ValidationFailed,
    strawberry.union("SyncTriggerResult", description="Result of `syncTrigger`."),
]


@strawberry.type(description="The item is resolved; the record was applied to the compound.")
class ReconciliationResolveSuccess:
    item: ReconciliationItemType = strawberry.field(description="The resolved item.")
    compound: CompoundType = strawberry.field(description="The compound linked or created.")


ReconciliationResolveResult = Annotated[
    ReconciliationResolveSuccess | NotPermitted | ValidationFailed,
    strawberry.union(
        "ReconciliationResolveResult", description="Result of `reconciliationResolve`."
    ),
]


@strawberry.type
class SyncMutation:
    @strawberry.mutation(
        name="syncTrigger", description="Start a sync of a source now (in the background)."
    )
    async def sync_trigger(
        self,
        info: Info,
        source: Annotated[str, strawberry.argument(description="Source name, e.g. `ordos`.")],
        full: Annotated[
            bool,
            strawberry.argument(description="Pull everything and mark what is gone as deleted."),
        ] = False,
    ) -> SyncTriggerResult:
        viewer = info.context.viewer
        refusal = await sync_service.trigger_sync(
            info.context.db.sessionmaker,
            acting.actor(info),
            sync=info.context.sync,
            source=source,
            full=full,
            trigger=f"graphql:{viewer.unit_code or viewer.role.value}",
        )
        if refusal is None:
            return SyncTriggerAccepted(source=source, full=full)
        if refusal.outcome is work.Outcome.BUSY:
            return SyncAlreadyRunning(source=source, message=refusal.message)
        return acting.payload(refusal)

    @strawberry.mutation(
        name="reconciliationResolve",
        description="Resolve a reconciliation item: link it to an existing compound "
        "(`compoundId`) or create the compound it names (`createCompound` and `communityCode`); "
        "the waiting record is then applied.",
    )
    async def reconciliation_resolve(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The item's global ID.")],
        compound_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Link to this compound.")
        ] = None,
        create_compound: Annotated[
            bool, strawberry.argument(description="Create a new compound with the item's name.")
        ] = False,
        community_code: Annotated[
            str | None, strawberry.argument(description="Community of the created compound.")
        ] = None,
    ) -> ReconciliationResolveResult:
        viewer = info.context.viewer

        async def resolve(session: AsyncSession) -> ReconciliationItem:
            item_id = expect_global_id(id, ReconciliationItemType)
            target = (
                expect_global_id(compound_id, CompoundType, field="compoundId")
                if compound_id
                else None
            )
            return await sync_service.resolve_reconciliation(
                session,
                item_id=item_id,
                compound_id=target,
                create=create_compound,
                community_code=community_code,
                resolved_by=viewer.unit_code or viewer.role.value,
                sync=info.context.sync,
            )

        # The success payload is read after the commit (the compound through its loader), so the
        # unit of work is called directly rather than through ``acting.change``.
        item = await work.change(
            info.context.db.sessionmaker,
            acting.actor(info),
            action="reconciliationResolve",
            permission=Permission.OPERATE_SYNC,
            subject_type="ReconciliationItem",
            work=resolve,
            subject_id=lambda item: item.id,
        )
        if isinstance(item, work.Refusal):
            return acting.payload(item)
        assert item.compound_id is not None  # a resolved item names its compound
        compound = await info.context.loaders.compound.load(item.compound_id)
        assert compound is not None
        return ReconciliationResolveSuccess(
            item=ReconciliationItemType.from_model(item), compound=CompoundType.from_model(compound)
        )
