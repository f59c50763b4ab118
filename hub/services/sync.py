"""Reading the sync engine's state (sources, runs, quarantine, reconciliation, until when each
source confirmed its records) and resolving reconciliation items."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.enums import JurisdictionLevel, ReconciliationStatus
from hub.domain.names import normalize_compound_name
from hub.domain.redaction import clean_text
from hub.domain.staleness import confirmed_at
from hub.errors import BadUserInput, NotFound
from hub.services.paging import Ordering, SortKey
from hub.store.base import utcnow
from hub.store.models import (
    Compound,
    Jurisdiction,
    QuarantinedRecord,
    ReconciliationItem,
    SyncRun,
    SyncStreamState,
)

RUN_ORDER = Ordering("STARTED_DESC", (SortKey(SyncRun.id, descending=True),))
QUARANTINE_ORDER = Ordering("NEWEST", (SortKey(QuarantinedRecord.id, descending=True),))
RECONCILIATION_ORDER = Ordering("OLDEST", (SortKey(ReconciliationItem.id),))


@dataclass(frozen=True, slots=True)
class SourceState:
    """The stored state of one source: its streams and its latest run."""

    name: str
    streams: list[SyncStreamState]
    last_run: SyncRun | None

    @property
    def last_success_at(self) -> datetime | None:
        """When every stream last completed (the oldest of their last successes): until when
        the source confirmed its records (``hub.domain.staleness.confirmed_at``)."""
        return confirmed_at(s.last_success_at for s in self.streams)


SOURCE_ECHO = 40
"""Characters of an unknown source name repeated in the refusal (and kept in the audit log)."""


def echo_of_source(source: str) -> str:
    """What of a source name sent by a client may be repeated: cleaned and short (a client sent
    a resident's ID number as the source once; see ``hub.domain.redaction``)."""
    return clean_text(source, limit=SOURCE_ECHO)


def known_source(names: Collection[str], source: str) -> str:
    """``source`` when it names one of the configured sources; otherwise BAD_USER_INPUT on the
    field ``source`` naming the configured ones, and repeating only ``echo_of_source``."""
    if source in names:
        return source
    known = ", ".join(sorted(names)) or "none configured"
    raise BadUserInput(
        f"source: unknown source {echo_of_source(source)!r} (known: {known})", field="source"
    )


async def source_states(session: AsyncSession, names: Sequence[str]) -> list[SourceState]:
    """State of the named sources (two queries whatever their number)."""
    streams = (
        await session.scalars(
            sa.select(SyncStreamState)
            .where(SyncStreamState.source.in_(names))
            .order_by(SyncStreamState.source, SyncStreamState.id)
        )
    ).all()
    latest = (
        sa.select(sa.func.max(SyncRun.id)).where(SyncRun.source.in_(names)).group_by(SyncRun.source)
    )
    runs = (await session.scalars(sa.select(SyncRun).where(SyncRun.id.in_(latest)))).all()
    run_of = {run.source: run for run in runs}
    return [
        SourceState(
            name=name,
            streams=[s for s in streams if s.source == name],
            last_run=run_of.get(name),
        )
        for name in names
    ]


async def list_confirmed_at(
    session: AsyncSession, *, sources: Sequence[str]
) -> list[datetime | None]:
    """Per source, in the order given: until when it confirmed its records — when every one of
    its streams last completed a window (``hub.domain.staleness.confirmed_at``); None if one
    never did. One query whatever the number of sources."""
    rows = await session.execute(
        sa.select(SyncStreamState.source, SyncStreamState.last_success_at).where(
            SyncStreamState.source.in_(set(sources))
        )
    )
    times: dict[str, list[datetime | None]] = {}
    for source, last in rows.all():
        times.setdefault(source, []).append(last)
    return [confirmed_at(times.get(source, [])) for source in sources]


def select_runs(source: str | None) -> sa.Select[SyncRun]:
    """Runs, of one source or of all."""
    stmt = sa.select(SyncRun)
    return stmt.where(SyncRun.source == source) if source else stmt


def select_quarantine(
    source: str | None, *, include_resolved: bool = False
) -> sa.Select[QuarantinedRecord]:
    """Quarantined records, of one source or of all."""
    stmt = sa.select(QuarantinedRecord)
    if source:
        stmt = stmt.where(QuarantinedRecord.source == source)
    if not include_resolved:
        stmt = stmt.where(QuarantinedRecord.resolved_at.is_(None))
    return stmt


def select_reconciliation(
    status: ReconciliationStatus | None,
) -> sa.Select[ReconciliationItem]:
    """Reconciliation items, optionally in one state."""
    stmt = sa.select(ReconciliationItem)
    return stmt.where(ReconciliationItem.status == status) if status else stmt


async def resolve_reconciliation(
    session: AsyncSession,
    *,
    item_id: int,
    compound_id: int | None,
    create: bool,
    community_code: str | None,
    resolved_by: str,
) -> ReconciliationItem:
    """Link an item to an existing compound, or create the compound it names.

    The next sync then matches the upstream's name to that compound (see ``hub.sync.sinks``).
    """
    item = await session.get(ReconciliationItem, item_id)
    if item is None:
        raise NotFound("no reconciliation item has this ID")
    if item.status is not ReconciliationStatus.OPEN:
        raise BadUserInput(f"the item was already resolved ({item.status.value})")
    if (compound_id is None) == (not create):
        raise BadUserInput("give either compoundId (link) or createCompound: true (create)")
    if compound_id is not None:
        compound = await session.get(Compound, compound_id)
        if compound is None:
            raise BadUserInput("compoundId: no compound has this ID", field="compoundId")
        town = await session.get(Jurisdiction, compound.town_id)
        if town is None or town.code != item.town_code:
            raise BadUserInput(
                "compoundId: the compound is in another town than the upstream record says",
                field="compoundId",
            )
        item.status = ReconciliationStatus.LINKED
    else:
        if community_code is None:
            raise BadUserInput(
                "communityCode: say which community the new compound belongs to",
                field="communityCode",
            )
        community = await session.scalar(
            sa.select(Jurisdiction).where(
                Jurisdiction.code == community_code,
                Jurisdiction.level == JurisdictionLevel.COMMUNITY,
            )
        )
        town = await session.scalar(
            sa.select(Jurisdiction).where(Jurisdiction.code == item.town_code)
        )
        if community is None or town is None or community.parent_id != town.id:
            raise BadUserInput(
                f"communityCode: no community {community_code!r} in the town {item.town_code}",
                field="communityCode",
            )
        siblings = await session.scalar(
            sa.select(sa.func.count()).where(Compound.community_id == community.id)
        )
        compound = Compound(
            code=f"{community.code}{int(siblings or 0) + 901:03d}",
            name=item.compound_name,
            normalized_name=normalize_compound_name(item.compound_name),
            community_id=community.id,
            town_id=town.id,
        )
        session.add(compound)
        await session.flush()
        compound_id = compound.id
        item.status = ReconciliationStatus.CREATED
    item.compound_id = compound_id
    item.resolved_at = utcnow()
    item.resolved_by = resolved_by
    await session.flush()
    return item
