"""Reading the sync engine's state (sources, runs, quarantine, reconciliation, until when each
source confirmed its records), starting a sync, and resolving reconciliation items.

The process's sync manager (``hub.sync.manager.SyncManager``) stands beside the services, wired
by the app: the services name it by what they ask of it (``SyncControl``), not by import. The two
changes here are audited through the unit of work (``hub.services.work``): ``syncTrigger`` as an
act outside the store, ``reconciliationResolve`` as a change of it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.domain.access import Permission
from hub.domain.enums import JurisdictionLevel, ReconciliationStatus
from hub.domain.names import normalize_compound_name
from hub.domain.redaction import clean_text
from hub.domain.staleness import confirmed_at
from hub.errors import BadUserInput, NotFound, SyncBusy
from hub.services import work
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

TRIGGER = "syncTrigger"
"""The audit log's action of starting a sync."""


class SyncControl(Protocol):
    """What the services ask of the process's sync manager."""

    @property
    def sources(self) -> Mapping[str, object]:
        """The configured sources by name."""
        ...

    def trigger(self, name: str, *, full: bool = ..., trigger: str = ...) -> None:
        """Start a sync of the source in the background; ``SyncBusy`` if one runs."""
        ...

    async def apply_reconciled(self, session: AsyncSession, item: ReconciliationItem) -> None:
        """Apply the record that waited for a resolved reconciliation item."""
        ...


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


async def list_source_states(session: AsyncSession, *, names: Sequence[str]) -> list[SourceState]:
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


def select_runs(*, source: str | None) -> sa.Select[SyncRun]:
    """Runs, of one source or of all."""
    stmt = sa.select(SyncRun)
    return stmt.where(SyncRun.source == source) if source else stmt


def select_quarantine(
    *, source: str | None, include_resolved: bool = False
) -> sa.Select[QuarantinedRecord]:
    """Quarantined records, of one source or of all."""
    stmt = sa.select(QuarantinedRecord)
    if source:
        stmt = stmt.where(QuarantinedRecord.source == source)
    if not include_resolved:
        stmt = stmt.where(QuarantinedRecord.resolved_at.is_(None))
    return stmt


def select_reconciliation(*, status: ReconciliationStatus | None) -> sa.Select[ReconciliationItem]:
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
    sync: SyncControl | None = None,
) -> ReconciliationItem:
    """Link an item to an existing compound, or create the compound it names; with ``sync``, the
    record that waited for it is applied in the same transaction.

    The next sync then matches the upstream's name to that compound (see ``hub.sync.resolver``).
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
    if sync is not None:
        await sync.apply_reconciled(session, item)
    return item


async def trigger_sync(
    sessionmaker: async_sessionmaker[AsyncSession],
    actor: work.Actor,
    *,
    sync: SyncControl | None,
    source: str,
    full: bool,
    trigger: str,
) -> work.Refusal | None:
    """Start a sync of a source in the background (``trigger`` names who asked, on the run), as
    one audited act; None when it started, else the refusal: NOT_PERMITTED without the
    permission to operate syncs, INVALID for an unknown source or no sync manager in this
    process, BUSY when a sync of the source runs already.

    The audit entry keeps a configured source name, never other text of the client's (it once
    was a resident's ID number): the outcome ``invalid`` says that the name was unknown.
    """
    known = sync is not None and source in sync.sources
    detail = {"source": source if known else None, "full": full}
    refusal: work.Refusal | None = None
    if not actor.principal.may(Permission.OPERATE_SYNC):
        message = f"{TRIGGER} needs the {Permission.OPERATE_SYNC} permission"
        refusal = work.Refusal(outcome=work.Outcome.NOT_PERMITTED, message=message)
    elif sync is None:
        message = "no sync manager runs in this process"
        refusal = work.Refusal(outcome=work.Outcome.INVALID, message=message)
    else:
        try:
            known_source(sync.sources, source)
            sync.trigger(source, full=full, trigger=trigger)
        except BadUserInput as exc:
            refusal = work.Refusal.of(work.Outcome.INVALID, exc)
        except SyncBusy as exc:
            refusal = work.Refusal.of(work.Outcome.BUSY, exc)
    if refusal is not None:
        return await work.refuse(sessionmaker, actor, TRIGGER, refusal, detail=detail)
    await work.write_entry(
        sessionmaker, actor, actor.event(TRIGGER, work.Outcome.OK, detail=detail)
    )
    return None
