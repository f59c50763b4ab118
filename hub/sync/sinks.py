"""Where each kind of upstream record lands in the store: the sink table, one row per entity.

A ``Sink`` says what ``hub.sync.apply`` needs to write an entity's records without knowing which
entity it is (the idea of dlt's resource hints: the table, its key and its children are declared
beside the data, not coded in the loader):

- ``model``: the table; every synced table carries the provenance columns (source, source id,
  content hash, source update time, synced at, deleted at);
- ``natural_key``: a column by which a row registered before — locally or by another source — is
  adopted instead of duplicated, and by which other records refer to it (an enterprise's USCC);
- ``children``: dependent rows written and replaced with their parent (an inspection's items);
- ``fixed``: values every row gets whatever the upstream says;
- ``after_write``: what must follow in the same transaction once rows were written (a credit
  grade copies the enterprise's current grade onto the enterprise).

The table also answers the questions the engine asks per entity at the end of a window: how many
live rows a source has (``count_live``) and, for a full pull, which rows the upstream no longer
lists (``mark_unseen_deleted``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.core import Entity
from hub.domain.enums import AssessmentKind
from hub.store import models as m
from hub.store.base import Base

AfterWrite = Callable[[AsyncSession, Sequence[Mapping[str, Any]]], Awaitable[None]]
"""A hook run in the page's transaction with the values of the rows just inserted or updated."""


@dataclass(frozen=True, slots=True)
class Children:
    """Dependent rows of a parent record, replaced as a whole whenever the parent is written."""

    model: type[Base]
    parent: str
    """The column of the child table naming its parent's id."""


@dataclass(frozen=True, slots=True)
class Sink:
    """How one entity's records are written (see the module docstring)."""

    model: type[Base]
    natural_key: str | None = None
    children: Children | None = None
    fixed: Mapping[str, Any] = field(default_factory=dict)
    after_write: AfterWrite | None = None

    @property
    def table(self) -> sa.Table:
        table: sa.Table = self.model.__table__  # type: ignore[assignment]  # a declared table
        return table

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables this sink writes: its own, and its children's."""
        names = [self.model.__tablename__]
        if self.children is not None:
            names.append(self.children.model.__tablename__)
        return tuple(names)


async def refresh_current_credit(session: AsyncSession, enterprise_ids: Sequence[int]) -> None:
    """Copy each enterprise's latest live published grade onto the enterprise row."""
    grades = m.EnterpriseCreditGrade
    ids = sorted(set(enterprise_ids))
    if not ids:
        return
    latest = (
        sa.select(grades.enterprise_id, sa.func.max(grades.evaluated_on).label("on"))
        .where(grades.enterprise_id.in_(ids), grades.deleted_at.is_(None))
        .group_by(grades.enterprise_id)
        .subquery()
    )
    rows = await session.execute(
        sa.select(grades.enterprise_id, grades.score, grades.grade, grades.evaluated_on).join(
            latest,
            sa.and_(
                grades.enterprise_id == latest.c.enterprise_id,
                grades.evaluated_on == latest.c.on,
            ),
        )
    )
    for enterprise_id, score, grade, evaluated_on in rows.all():
        await session.execute(
            sa.update(m.Enterprise)
            .where(m.Enterprise.id == enterprise_id)
            .values(credit_score=score, credit_grade=grade, credit_evaluated_on=evaluated_on)
        )


async def _grades_written(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    await refresh_current_credit(session, [row["enterprise_id"] for row in rows])


SINKS: dict[Entity, Sink] = {
    Entity.ENTERPRISE: Sink(m.Enterprise, natural_key="uscc"),
    Entity.CREDIT_RECORD: Sink(m.EnterpriseCreditRecord),
    Entity.CREDIT_GRADE: Sink(m.EnterpriseCreditGrade, after_write=_grades_written),
    Entity.SERVICE_CONTRACT: Sink(m.ServiceContract),
    Entity.INSPECTION: Sink(
        m.Assessment,
        children=Children(m.AssessmentItem, parent="assessment_id"),
        fixed={"kind": AssessmentKind.DAILY_INSPECTION},
    ),
    Entity.TENDER: Sink(m.Tender),
    Entity.TENDER_BID: Sink(m.TenderBid),
    Entity.TENDER_CANDIDATE: Sink(m.TenderCandidate),
    Entity.TENDER_AWARD: Sink(m.TenderAward),
    Entity.CONNECTION_TASK: Sink(m.ConnectionTask),
    Entity.OUTAGE: Sink(m.Outage),
}


def tables_of(entity: Entity) -> tuple[str, ...]:
    """The tables the sink of an entity writes (an inspection's items besides the inspection)."""
    return SINKS[entity].tables


async def count_live(session: AsyncSession, *, source: str, entities: Collection[Entity]) -> int:
    """The rows of the source that are not deleted, over the tables of the entities."""
    count = 0
    for entity in entities:
        model: Any = SINKS[entity].model
        live = sa.select(sa.func.count()).where(model.source == source, model.deleted_at.is_(None))
        count += int(await session.scalar(live) or 0)
    return count


async def mark_unseen_deleted(
    session: AsyncSession,
    *,
    source: str,
    seen: Mapping[Entity, Collection[str]],
    entities: Collection[Entity],
    now: datetime,
) -> int:
    """Full reconciliation: the live rows of the source whose source id a full pull did not see
    were deleted upstream; they are marked deleted. The number marked."""
    deleted = 0
    for entity in entities:
        model: Any = SINKS[entity].model
        present = seen.get(entity, set())
        rows = (
            await session.execute(
                sa.select(model.id, model.source_id).where(
                    model.source == source, model.deleted_at.is_(None)
                )
            )
        ).all()
        gone = [row_id for row_id, source_id in rows if source_id not in present]
        for start in range(0, len(gone), 500):
            await session.execute(
                sa.update(model)
                .where(model.id.in_(gone[start : start + 500]))
                .values(deleted_at=now, updated_at=now)
            )
        deleted += len(gone)
    return deleted
