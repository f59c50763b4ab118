"""The reconciliation queue as the sync writes and reads it.

An upstream record naming a compound the store does not know (by its normalised name within its
town) waits in the queue instead of being dropped or guessed: a person links the name to a
compound, or has the compound created (``hub.services.sync.resolve_reconciliation``). From then
on the resolver (``hub.sync.resolver``) matches the name through the item, and the waiting record
is applied (``SyncManager.apply_reconciled``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.core import CompoundRef, MappedRecord
from hub.domain.enums import ReconciliationStatus
from hub.store.models import ReconciliationItem


async def linked_compounds(session: AsyncSession) -> Sequence[tuple[str, str, int]]:
    """(town code, upstream compound name, compound id) of every resolved item."""
    rows = await session.execute(
        sa.select(
            ReconciliationItem.town_code,
            ReconciliationItem.compound_name,
            ReconciliationItem.compound_id,
        ).where(
            ReconciliationItem.status != ReconciliationStatus.OPEN,
            ReconciliationItem.compound_id.is_not(None),
        )
    )
    return [(code, name, id_) for code, name, id_ in rows.all() if id_ is not None]


async def queue_reconciliation(
    session: AsyncSession,
    *,
    source: str,
    stream: str,
    record: MappedRecord,
    ref: CompoundRef,
    payload: Mapping[str, object],
) -> None:
    """Put a record whose compound is unknown in the queue, or refresh its waiting item."""
    item = await session.scalar(
        sa.select(ReconciliationItem).where(
            ReconciliationItem.source == source,
            ReconciliationItem.entity == record.entity.value,
            ReconciliationItem.source_id == record.source_id,
        )
    )
    if item is None:
        session.add(
            ReconciliationItem(
                source=source,
                stream=stream,
                entity=record.entity.value,
                source_id=record.source_id,
                town_code=ref.town_code,
                compound_name=ref.name,
                payload=dict(payload),
            )
        )
    else:
        item.payload = dict(payload)
        item.town_code, item.compound_name = ref.town_code, ref.name
