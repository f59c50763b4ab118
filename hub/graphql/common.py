"""Types shared by many parts of the schema: provenance."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import strawberry

from hub.domain.sources import Source
from hub.domain.staleness import is_stale
from hub.graphql.context import HubContext
from hub.store.base import Provenance as ProvenanceColumns

LOCAL_SOURCE = "local"


@strawberry.type(
    name="Provenance",
    description="Where a record came from and how fresh it is (数据来源). Local records have the "
    "source `local` and no sync time.",
)
class ProvenanceType:
    source: str = strawberry.field(
        description="`ordos` (鄂尔多斯物业管理服务平台), `tender` (招投标平台), "
        "`utility:<unit>` or `local` (entered in the hub)."
    )
    source_id: str | None = strawberry.field(description="The record's id on the source platform.")
    synced_at: datetime | None = strawberry.field(description="When the hub last synced it (UTC).")
    deleted_at: datetime | None = strawberry.field(
        description="When the source deleted the record; lists leave deleted records out."
    )

    @strawberry.field(description="Chinese name of the source, for display (来自 …).")
    def source_label(self) -> str:
        if self.source == LOCAL_SOURCE:
            return "本系统录入"
        try:
            return Source(self.source.split(":", 1)[0]).label
        except ValueError:
            return self.source

    @strawberry.field(
        description="True when the copy is older than its source's maximum age: neither synced "
        "nor confirmed unchanged by a completed sync since then. Always false for local records."
    )
    async def stale(self, info: strawberry.Info[HubContext, None]) -> bool:
        if self.synced_at is None:
            return False
        confirmed = await info.context.loaders.source_confirmed.load(self.source)
        hours: float = info.context.settings.stale_after_hours
        sync = info.context.sync
        if sync is not None and self.source in sync.sources:
            hours = sync.sources[self.source].max_age_hours
        return is_stale(
            synced_at=self.synced_at,
            confirmed_at=confirmed,
            now=info.context.now,
            max_age=timedelta(hours=hours),
        )

    @classmethod
    def of(cls, record: ProvenanceColumns) -> ProvenanceType:
        if record.source is None:
            return cls(source=LOCAL_SOURCE, source_id=None, synced_at=None, deleted_at=None)
        return cls(
            source=record.source,
            source_id=record.source_id,
            synced_at=record.synced_at,
            deleted_at=record.deleted_at,
        )


@strawberry.type(description="An object that knows where its record came from.")
class Sourced:
    """Base of the types of records with provenance: ``provenance`` is built only when a query
    selects it (most lists never do), from the record kept here."""

    record: strawberry.Private[Any]

    @strawberry.field(description="Where the record came from and how fresh it is (数据来源).")
    def provenance(self) -> ProvenanceType:
        return ProvenanceType.of(self.record)
