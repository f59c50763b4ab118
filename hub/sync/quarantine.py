"""Quarantine: the upstream records a sync could not take, kept with their payload and reason.

A record is quarantined when the connector refuses it (``InvalidRecord``: it fails the wire model
or the mapping) or when a reference of it cannot be resolved (a bid whose tender is unknown). The
run goes on without it; the stream's checkpoint moves past it. ``Quarantine`` keeps one open entry
per upstream record: a record refused again updates its entry, one that arrives valid later closes
it, and a record refused only for a missing reference is applied again from its payload once the
run completed (``waiting``). A window whose share of invalid records is too large fails the stream
instead (``check_share``): the upstream is then probably broken, and the watermark stays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.core import InvalidRecord
from hub.errors import QuarantineThresholdExceeded
from hub.store.models import QuarantinedRecord
from hub.sync.writes import among

QUARANTINE_MIN_SAMPLE = 50
"""Records a window must hold before its share of invalid records can fail the stream."""
UNRESOLVED = "unresolved reference"
"""How the reason of a record refused for a missing reference starts (``hub.sync.apply``)."""

Refused = tuple[Mapping[str, Any], InvalidRecord]
"""A refused record: its raw payload and why."""


def check_share(
    stream: str, *, fetched: int, quarantined: int, whole: bool, threshold: float
) -> None:
    """``QuarantineThresholdExceeded`` when more than ``threshold`` of a window's records were
    invalid.

    Judged only over a whole window read in this run (``whole``), and only over enough records: a
    resumed window's tail, or a small incremental window holding one bad record, says nothing
    about the upstream as a whole (and would fail the stream on every run).
    """
    share = quarantined / fetched if fetched else 0.0
    judged = fetched >= QUARANTINE_MIN_SAMPLE and whole
    if judged and share > threshold:
        raise QuarantineThresholdExceeded(
            f"{stream}: {quarantined} of {fetched} records "
            f"({share:.0%}) were invalid, more than the threshold "
            f"{threshold:.0%}; the watermark was not advanced"
        )


class Quarantine:
    """The quarantine entries of one source, as one run writes them."""

    def __init__(self, source: str) -> None:
        self.source = source
        # Streams of the source with open entries (read once per run): clean pages of the other
        # streams then need no quarantine statement at all.
        self._streams: set[str] | None = None

    def __repr__(self) -> str:
        return f"<Quarantine {self.source}>"

    async def record(
        self,
        session: AsyncSession,
        stream: str,
        refused: Sequence[Refused],
        *,
        valid: Sequence[str],
        now: datetime,
    ) -> None:
        """Open or update the entries of a page's refused records, and close those of the
        page's records that now arrived valid (in the page's transaction)."""
        open_entries = QuarantinedRecord.resolved_at.is_(None)
        mine = (QuarantinedRecord.source == self.source, QuarantinedRecord.stream == stream)
        if self._streams is None:
            self._streams = set(
                await session.scalars(
                    sa.select(QuarantinedRecord.stream)
                    .where(QuarantinedRecord.source == self.source, open_entries)
                    .distinct()
                )
            )
        if refused:
            self._streams.add(stream)
        if valid and stream in self._streams:
            await session.execute(
                sa.update(QuarantinedRecord)
                .where(*mine, open_entries, among(session, QuarantinedRecord.source_id, valid))
                .values(resolved_at=now, updated_at=now)
            )
        if not refused:
            return
        ids = [error.source_id for _, error in refused if error.source_id]
        existing = {
            row.source_id: row
            for row in await session.scalars(
                sa.select(QuarantinedRecord).where(
                    *mine, open_entries, QuarantinedRecord.source_id.in_(ids)
                )
            )
        }
        for raw, error in refused:
            entry = existing.get(error.source_id) if error.source_id else None
            if entry is None:
                entry = QuarantinedRecord(
                    source=self.source, stream=stream, source_id=error.source_id
                )
                session.add(entry)
                if error.source_id:
                    existing[error.source_id] = entry
            entry.payload, entry.reason, entry.run_id = dict(raw), error.reason, None

    async def claim(self, session: AsyncSession, *, run_id: int) -> None:
        """Give the entries just written (they carry no run yet) the run's id."""
        await session.flush()  # the entries just added must be in the table
        await session.execute(
            sa.update(QuarantinedRecord)
            .where(QuarantinedRecord.run_id.is_(None), QuarantinedRecord.source == self.source)
            .values(run_id=run_id)
        )

    async def waiting(
        self, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> Sequence[QuarantinedRecord]:
        """The open entries refused only for a missing reference, oldest first: they may go in
        now that the references they name arrived."""
        async with sessionmaker() as session:
            entries = await session.scalars(
                sa.select(QuarantinedRecord)
                .where(
                    QuarantinedRecord.source == self.source,
                    QuarantinedRecord.resolved_at.is_(None),
                    QuarantinedRecord.reason.startswith(UNRESOLVED),
                )
                .order_by(QuarantinedRecord.id)
            )
            return entries.all()

    async def close(
        self, session: AsyncSession, entry: QuarantinedRecord, *, now: datetime
    ) -> None:
        """The entry's record was applied: its entry is resolved."""
        await session.execute(
            sa.update(QuarantinedRecord)
            .where(QuarantinedRecord.id == entry.id)
            .values(resolved_at=now, updated_at=now)
        )
