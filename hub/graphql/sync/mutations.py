"""The sync mutations: ``syncTrigger`` (a sync now, in the background) and
``reconciliationResolve`` (an item of the reconciliation queue, 对账)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Permission
from hub.errors import BadUserInput, NotFound
from hub.graphql.audit import log as audit
from hub.graphql.compounds.types import CompoundType
from hub.graphql.context import Info
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.relay import expect_global_id
from hub.graphql.sync.types import ReconciliationItemType
from hub.services import sync as sync_service
from hub.store.models import ReconciliationItem
from hub.sync.lease import SyncBusy


def _may(info: Info, permission: Permission) -> bool:
    return info.context.viewer.may(permission)


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


_OUTCOMES: dict[type, str] = {
    NotPermitted: "not_permitted",
    ValidationFailed: "invalid",
    SyncAlreadyRunning: "busy",
}
"""The audit log's outcome of each refusal payload (a success is ``ok``)."""


def _sync_trigger(info: Info, source: str, full: bool) -> SyncTriggerResult:
    if not _may(info, Permission.OPERATE_SYNC):
        return NotPermitted(message=f"syncTrigger needs the {Permission.OPERATE_SYNC} permission")
    manager, viewer = info.context.sync, info.context.viewer
    if manager is None:
        return ValidationFailed(message="no sync manager runs in this process", field=None)
    try:
        sync_service.known_source(manager.sources, source)
        manager.trigger(
            source,
            full=full,
            trigger=f"graphql:{viewer.unit_code or viewer.role.value}",
        )
    except BadUserInput as exc:
        return ValidationFailed.of(exc)
    except SyncBusy as exc:
        return SyncAlreadyRunning(source=source, message=exc.message)
    return SyncTriggerAccepted(source=source, full=full)


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
        result = _sync_trigger(info, source, full)
        outcome = _OUTCOMES.get(type(result), "ok")
        # The audit log keeps a configured source name, never other text of the client's (it
        # once was a resident's ID number): the outcome `invalid` says that the name was unknown.
        manager = info.context.sync
        known = manager is not None and source in manager.sources
        detail = {"source": source if known else None, "full": full}
        await audit.write_now(info, audit.event(info, "syncTrigger", outcome, detail=detail))
        return result

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
        action = "reconciliationResolve"

        async def refused(result: NotPermitted | ValidationFailed) -> ReconciliationResolveResult:
            outcome = _OUTCOMES[type(result)]
            event = audit.event(info, action, outcome, subject_type="ReconciliationItem")
            await audit.write_now(info, event)
            return result

        if not _may(info, Permission.OPERATE_SYNC):
            return await refused(
                NotPermitted(
                    message=f"reconciliationResolve needs the {Permission.OPERATE_SYNC} permission"
                )
            )
        try:
            item_id = expect_global_id(id, ReconciliationItemType)
            target = (
                expect_global_id(compound_id, CompoundType, field="compoundId")
                if compound_id
                else None
            )
        except BadUserInput as exc:
            return await refused(ValidationFailed.of(exc))

        async def resolve(session: AsyncSession) -> ReconciliationItem:
            item = await sync_service.resolve_reconciliation(
                session,
                item_id=item_id,
                compound_id=target,
                create=create_compound,
                community_code=community_code,
                resolved_by=info.context.viewer.unit_code or info.context.viewer.role.value,
            )
            if info.context.sync is not None:
                await info.context.sync.apply_reconciled(session, item)
            subject = {"subject_type": "ReconciliationItem", "subject_id": str(item.id)}
            audit.write(session, info, audit.event(info, action, "ok", **subject))
            return item

        try:
            item = await info.context.db.transaction(resolve)
        except (BadUserInput, NotFound) as exc:
            return await refused(ValidationFailed.of(exc))
        assert item.compound_id is not None  # a resolved item names its compound
        compound = await info.context.loaders.compound.load(item.compound_id)
        assert compound is not None
        return ReconciliationResolveSuccess(
            item=ReconciliationItemType.from_model(item), compound=CompoundType.from_model(compound)
        )
