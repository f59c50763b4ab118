"""Types shared by many parts of the schema: provenance."""

from __future__ import annotations

from datetime import datetime, timedelta

import strawberry

from hub.domain.sources import Source
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
        description="True when a synced record is older than the configured staleness limit "
        "(HUB_STALE_AFTER_HOURS); always false for local records."
    )
    def stale(self, info: strawberry.Info[HubContext, None]) -> bool:
        if self.synced_at is None:
            return False
        limit = timedelta(hours=info.context.settings.stale_after_hours)
        return info.context.now - self.synced_at > limit

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
