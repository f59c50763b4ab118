"""Coverage (覆盖率) and committee formation (组建率) figures per town and per community (R2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from hub.domain.enums import ConnectionTaskStatus, JurisdictionLevel
from hub.errors import BadUserInput, NotFound
from hub.services.compounds import has_committee, has_enterprise
from hub.services.records import live
from hub.store.models import Compound, ConnectionTask, Jurisdiction, Outage, ServiceContract


@dataclass(frozen=True, slots=True)
class Figures:
    """Counts over a set of compounds."""

    compounds: int
    households: int
    floor_area: float
    with_enterprise: int
    with_committee: int
    open_tasks: int = 0
    overdue_tasks: int = 0
    open_outages: int = 0

    @property
    def coverage_rate(self) -> float | None:
        """Share of compounds served by a property enterprise; None when there are no compounds."""
        return round(self.with_enterprise / self.compounds, 4) if self.compounds else None

    @property
    def formation_rate(self) -> float | None:
        """Share of compounds with an owners' committee; None when there are no compounds."""
        return round(self.with_committee / self.compounds, 4) if self.compounds else None


EMPTY = Figures(compounds=0, households=0, floor_area=0.0, with_enterprise=0, with_committee=0)

_OPEN = (ConnectionTaskStatus.PLANNED, ConnectionTaskStatus.IN_PROGRESS)


def _per_compound(model: type[ConnectionTask] | type[Outage], *conditions: Any) -> Any:
    """A correlated count of the compound's live records matching the conditions."""
    return (
        sa.select(sa.func.count())
        .where(model.compound_id == Compound.id, model.deleted_at.is_(None), *conditions)
        .scalar_subquery()
    )


async def list_figures(
    session: AsyncSession,
    *,
    group: InstrumentedAttribute[int],
    on: date,
    now: datetime,
    town_id: int | None = None,
) -> dict[int, Figures]:
    """Figures grouped by ``Compound.town_id`` or ``Compound.community_id``, in one query."""
    served = sa.case((has_enterprise(on), 1), else_=0)
    formed = sa.case((has_committee(), 1), else_=0)
    open_tasks = _per_compound(ConnectionTask, ConnectionTask.status.in_(_OPEN))
    overdue = _per_compound(
        ConnectionTask, ConnectionTask.status.in_(_OPEN), ConnectionTask.due_on < on
    )
    outages = _per_compound(Outage, sa.or_(Outage.ends_at.is_(None), Outage.ends_at > now))
    stmt = (
        sa.select(
            group,
            sa.func.count(Compound.id),
            sa.func.coalesce(sa.func.sum(Compound.households), 0),
            sa.func.coalesce(sa.func.sum(Compound.floor_area), 0.0),
            sa.func.coalesce(sa.func.sum(served), 0),
            sa.func.coalesce(sa.func.sum(formed), 0),
            sa.func.coalesce(sa.func.sum(open_tasks), 0),
            sa.func.coalesce(sa.func.sum(overdue), 0),
            sa.func.coalesce(sa.func.sum(outages), 0),
        )
        .where(live(Compound))  # neither deleted upstream nor retired
        .group_by(group)
    )
    if town_id is not None:
        stmt = stmt.where(Compound.town_id == town_id)
    result = await session.execute(stmt)
    return {
        key: Figures(
            compounds=int(n),
            households=int(hh),
            floor_area=round(float(area), 2),
            with_enterprise=int(ent),
            with_committee=int(com),
            open_tasks=int(tasks),
            overdue_tasks=int(late),
            open_outages=int(out),
        )
        for key, n, hh, area, ent, com, tasks, late, out in result.all()
    }


def total(figures: list[Figures]) -> Figures:
    """The sum of several groups' figures."""
    return Figures(
        compounds=sum(f.compounds for f in figures),
        households=sum(f.households for f in figures),
        floor_area=round(sum(f.floor_area for f in figures), 2),
        with_enterprise=sum(f.with_enterprise for f in figures),
        with_committee=sum(f.with_committee for f in figures),
        open_tasks=sum(f.open_tasks for f in figures),
        overdue_tasks=sum(f.overdue_tasks for f in figures),
        open_outages=sum(f.open_outages for f in figures),
    )


@dataclass(frozen=True, slots=True)
class Row:
    """Figures of one town or community."""

    code: str
    name: str
    parent_code: str | None
    figures: Figures


@dataclass(frozen=True, slots=True)
class Report:
    """Figures of a scope (the banner or one town) with its breakdown."""

    scope_code: str
    scope_name: str
    total: Figures
    towns: list[Row]
    communities: list[Row]
    town_id: int | None = None


async def report(
    session: AsyncSession, *, town_code: str | None, on: date, now: datetime
) -> Report:
    """Coverage and formation for the banner (or one town), per town and per community."""
    places = (await session.scalars(sa.select(Jurisdiction).order_by(Jurisdiction.code))).all()
    by_id = {p.id: p for p in places}
    banner = next((p for p in places if p.level is JurisdictionLevel.BANNER), None)
    if banner is None:
        raise NotFound("the store holds no jurisdictions yet: run `hub demo-data` or a sync")
    scope = banner
    if town_code is not None:
        town = next(
            (p for p in places if p.code == town_code and p.level is JurisdictionLevel.TOWN),
            None,
        )
        if town is None:
            raise BadUserInput(f"townCode: no town has the code {town_code!r}", field="townCode")
        scope = town
    town_id = None if scope is banner else scope.id
    per_town = await list_figures(session, group=Compound.town_id, on=on, now=now, town_id=town_id)
    per_community = await list_figures(
        session, group=Compound.community_id, on=on, now=now, town_id=town_id
    )

    def rows(level: JurisdictionLevel, figures: dict[int, Figures]) -> list[Row]:
        return [
            Row(
                code=p.code,
                name=p.name,
                parent_code=by_id[p.parent_id].code if p.parent_id in by_id else None,
                figures=figures.get(p.id, EMPTY),
            )
            for p in places
            if p.level is level and (town_id is None or p.id == town_id or p.parent_id == town_id)
        ]

    towns = rows(JurisdictionLevel.TOWN, per_town)
    return Report(
        scope_code=scope.code,
        scope_name=scope.name,
        total=total([t.figures for t in towns]),
        towns=towns,
        communities=rows(JurisdictionLevel.COMMUNITY, per_community),
        town_id=town_id,
    )


@dataclass(frozen=True, slots=True)
class SourceFreshness:
    """The oldest sync time among one upstream source's records behind the figures."""

    source: str
    synced_at: datetime


async def list_freshness(session: AsyncSession, *, town_id: int | None) -> list[SourceFreshness]:
    """Per upstream source, the oldest sync of the live records the figures count (the service
    contracts behind 覆盖率, the utilities' connection tasks and outages), by source name.

    The oldest, not the newest: the figures are no fresher than their stalest record (the
    provenance's ``stale`` still counts a completed sync of the source as confirming it)."""
    oldest: dict[str, datetime] = {}
    for model in (ServiceContract, ConnectionTask, Outage):
        stmt = (
            sa.select(model.source, sa.func.min(model.synced_at))
            .join(Compound, Compound.id == model.compound_id)
            .where(
                model.source.is_not(None),
                model.deleted_at.is_(None),
                live(Compound),
            )
            .group_by(model.source)
        )
        if town_id is not None:
            stmt = stmt.where(Compound.town_id == town_id)
        for source, synced_at in (await session.execute(stmt)).all():
            if source is None or synced_at is None:  # the query leaves out rows without one
                continue
            if source not in oldest or synced_at < oldest[source]:
                oldest[source] = synced_at
    return [SourceFreshness(source=name, synced_at=oldest[name]) for name in sorted(oldest)]
