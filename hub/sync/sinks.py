"""Applying a page of mapped upstream records to the store: resolve, compare, write.

For each record of a page, in one transaction with the page's checkpoint (see ``engine``):
- its enumerated fields are translated from the connectors' words into the hub's enums
  (``hub.sync.translate``);
- references are resolved to ids (enterprise by USCC, compound by normalised name within its
  town or through a resolved reconciliation item, records of the same source by source id);
  an unknown compound sends the record to the reconciliation queue, any other unresolved
  reference to quarantine;
- the existing row is found by (source, source id) — for enterprises also by USCC, so that a
  registered enterprise is adopted instead of duplicated;
- an older version than the stored one (a replay) and an unchanged one (same content hash) write
  nothing; a new one is inserted, a changed one updated; a tombstone marks the row deleted.

Writes are bulk statements (one per kind of change per page), not one per record: the sync
benchmark (M3) compares against a bulk load.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.core import (
    CompoundRef,
    EnterpriseRef,
    Entity,
    MappedRecord,
    SourceRef,
    Tombstone,
)
from hub.domain.enums import AssessmentKind, JurisdictionLevel, ReconciliationStatus
from hub.domain.names import normalize_compound_name
from hub.store import models as m
from hub.store.base import Base
from hub.store.sync_models import ReconciliationItem
from hub.sync.translate import store_values
from hub.sync.writes import insert_rows, update_rows

ENTITY_MODELS: dict[Entity, type[Base]] = {
    Entity.ENTERPRISE: m.Enterprise,
    Entity.CREDIT_RECORD: m.EnterpriseCreditRecord,
    Entity.CREDIT_GRADE: m.EnterpriseCreditGrade,
    Entity.SERVICE_CONTRACT: m.ServiceContract,
    Entity.INSPECTION: m.Assessment,
    Entity.TENDER: m.Tender,
    Entity.TENDER_BID: m.TenderBid,
    Entity.TENDER_CANDIDATE: m.TenderCandidate,
    Entity.TENDER_AWARD: m.TenderAward,
    Entity.CONNECTION_TASK: m.ConnectionTask,
    Entity.OUTAGE: m.Outage,
}


def tables_of(entity: Entity) -> tuple[str, ...]:
    """The tables the sink of an entity writes (an inspection's items besides the inspection)."""
    table: str = ENTITY_MODELS[entity].__tablename__
    if entity is Entity.INSPECTION:
        return (table, m.AssessmentItem.__tablename__)
    return (table,)


def among(session: AsyncSession, column: Any, values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """``column IN values`` for a page's worth of values.

    On PostgreSQL ``column = ANY(:array)``: one bound array instead of a bound parameter per
    value, so that the statement is one prepared statement whatever the page holds, and
    SQLAlchemy does not render hundreds of parameters per execution. SQLite has no arrays.
    """
    if session.get_bind().dialect.name == "postgresql":
        array = sa.bindparam(None, list(values), type_=postgresql.ARRAY(column.type))
        return column == sa.any_(array)  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]


# Values an entity's rows always get, whatever the upstream says.
FIXED_FIELDS: dict[Entity, dict[str, Any]] = {
    Entity.INSPECTION: {"kind": AssessmentKind.DAILY_INSPECTION},
}


@dataclass
class Problem:
    """A record that could not be applied: to quarantine or to the reconciliation queue."""

    stream: str
    source_id: str | None
    payload: Mapping[str, Any]
    reason: str


@dataclass
class Outcome:
    """What applying one page did."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    quarantined: int = 0
    reconciliation: int = 0
    seen: dict[Entity, set[str]] = field(default_factory=lambda: defaultdict(set))
    problems: list[Problem] = field(default_factory=list)
    """Records that could not be applied (unresolved references): the caller quarantines them."""

    def add(self, other: Outcome) -> None:
        for name in (
            "inserted",
            "updated",
            "unchanged",
            "deleted",
            "quarantined",
            "reconciliation",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for entity, ids in other.seen.items():
            self.seen[entity] |= ids


class Resolver:
    """Turns natural references into row ids, with a per-run cache (one query per page and kind).

    Records of the source are cached only for the kinds that records refer to (tenders, which
    bids name): a sync of 100,000 credit records, which nothing refers to, keeps no id of them
    (memory, and objects the garbage collector would walk again and again).
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self._enterprises: dict[str, int] = {}
        self._compounds: dict[tuple[str, str], int] = {}
        self._towns: dict[str, int] | None = None
        self._records: dict[Entity, dict[str, int]] = defaultdict(dict)

    async def prepare(self, session: AsyncSession, records: Sequence[MappedRecord]) -> None:
        """Look up, in a few queries, every reference of a page not yet in the cache."""
        usccs: set[str] = set()
        compounds: set[tuple[str, str]] = set()
        by_entity: dict[Entity, set[str]] = defaultdict(set)
        for record in records:
            for ref in record.refs.values():
                if isinstance(ref, EnterpriseRef) and ref.uscc not in self._enterprises:
                    usccs.add(ref.uscc)
                elif isinstance(ref, CompoundRef):
                    key = (ref.town_code, normalize_compound_name(ref.name))
                    if key not in self._compounds:
                        compounds.add(key)
                elif isinstance(ref, SourceRef) and ref.source_id not in self._records[ref.entity]:
                    by_entity[ref.entity].add(ref.source_id)
        if usccs:
            rows = await session.execute(
                sa.select(m.Enterprise.uscc, m.Enterprise.id).where(
                    among(session, m.Enterprise.uscc, list(usccs))
                )
            )
            self._enterprises.update({uscc: id_ for uscc, id_ in rows.all()})
        if compounds:
            await self._prepare_compounds(session, compounds)
        for entity, source_ids in by_entity.items():
            model: Any = ENTITY_MODELS[entity]
            rows = await session.execute(
                sa.select(model.source_id, model.id).where(
                    model.source == self.source, among(session, model.source_id, list(source_ids))
                )
            )
            self._records[entity].update({sid: id_ for sid, id_ in rows.all()})

    async def _prepare_compounds(self, session: AsyncSession, wanted: set[tuple[str, str]]) -> None:
        if self._towns is None:
            rows = await session.execute(
                sa.select(m.Jurisdiction.code, m.Jurisdiction.id).where(
                    m.Jurisdiction.level == JurisdictionLevel.TOWN
                )
            )
            self._towns = dict(rows.all())
        town_ids = {self._towns[code] for code, _ in wanted if code in self._towns}
        code_of = {id_: code for code, id_ in self._towns.items()}
        rows = await session.execute(
            sa.select(m.Compound.town_id, m.Compound.normalized_name, m.Compound.id).where(
                m.Compound.town_id.in_(town_ids), m.Compound.deleted_at.is_(None)
            )
        )
        for town_id, name, id_ in rows.all():
            self._compounds[(code_of[town_id], name)] = id_
        # Names a person linked to a compound in the reconciliation queue.
        linked = await session.execute(
            sa.select(
                ReconciliationItem.town_code,
                ReconciliationItem.compound_name,
                ReconciliationItem.compound_id,
            ).where(
                ReconciliationItem.status != ReconciliationStatus.OPEN,
                ReconciliationItem.compound_id.is_not(None),
            )
        )
        for code, name, id_ in linked.all():
            self._compounds.setdefault((code, normalize_compound_name(name)), id_)

    def resolve(self, ref: Any) -> int | None:
        if isinstance(ref, EnterpriseRef):
            return self._enterprises.get(ref.uscc)
        if isinstance(ref, CompoundRef):
            return self._compounds.get((ref.town_code, normalize_compound_name(ref.name)))
        if isinstance(ref, SourceRef):
            return self._records[ref.entity].get(ref.source_id)
        raise TypeError(f"unknown reference {ref!r}")

    def keeps_ids(self, entity: Entity) -> bool:
        """Whether new rows of ``entity`` must be remembered (records refer to them)."""
        return entity is Entity.ENTERPRISE or entity in self._records

    def remember(
        self, entity: Entity, source_id: str, row_id: int, fields: Mapping[str, Any]
    ) -> None:
        if entity in self._records:  # a kind records refer to
            self._records[entity][source_id] = row_id
        if entity is Entity.ENTERPRISE:
            self._enterprises[str(fields["uscc"])] = row_id


def _describe(ref: Any) -> str:
    if isinstance(ref, EnterpriseRef):
        return f"enterprise with USCC {ref.uscc}"
    if isinstance(ref, SourceRef):
        return f"{ref.entity.value} {ref.source_id}"
    return repr(ref)


async def apply_page(
    session: AsyncSession,
    *,
    source: str,
    stream: str,
    items: Sequence[MappedRecord | Tombstone],
    raw_by_id: Mapping[str, Mapping[str, Any]],
    resolver: Resolver,
    now: datetime,
    extra_fields: Mapping[str, Any] | None = None,
) -> Outcome:
    """Apply one page; the caller owns the transaction (and commits it with the checkpoint)."""
    outcome = Outcome()
    records = [item for item in items if isinstance(item, MappedRecord)]
    await resolver.prepare(session, records)
    by_entity: dict[Entity, list[MappedRecord | Tombstone]] = defaultdict(list)
    for item in items:
        by_entity[item.entity].append(item)
    for entity, group in by_entity.items():
        await _apply_entity(
            session,
            source=source,
            stream=stream,
            entity=entity,
            items=group,
            raw_by_id=raw_by_id,
            resolver=resolver,
            now=now,
            extra_fields=extra_fields or {},
            outcome=outcome,
        )
    return outcome


async def _apply_entity(
    session: AsyncSession,
    *,
    source: str,
    stream: str,
    entity: Entity,
    items: Sequence[MappedRecord | Tombstone],
    raw_by_id: Mapping[str, Mapping[str, Any]],
    resolver: Resolver,
    now: datetime,
    extra_fields: Mapping[str, Any],
    outcome: Outcome,
) -> None:
    model: Any = ENTITY_MODELS[entity]
    table = model.__table__
    # The newest version of each record in the page wins (a page may repeat a record).
    latest: dict[str, MappedRecord | Tombstone] = {}
    for item in items:
        kept = latest.get(item.source_id)
        if kept is None or item.cursor >= kept.cursor:
            latest[item.source_id] = item
    outcome.seen[entity] |= set(latest)

    existing = await _existing_rows(session, model, source, latest, entity)
    inserts: list[dict[str, Any]] = []
    insert_children: list[Sequence[Mapping[str, Any]]] = []
    updates: list[dict[str, Any]] = []
    update_children: dict[int, Sequence[Mapping[str, Any]]] = {}
    deletions: list[int] = []
    problems: list[Problem] = []
    reconcile: list[tuple[MappedRecord, CompoundRef]] = []
    # The columns every written row of the page gets.
    common = {
        **extra_fields,
        **FIXED_FIELDS.get(entity, {}),
        "source": source,
        "synced_at": now,
        "deleted_at": None,
        "updated_at": now,
    }

    for source_id, item in latest.items():
        row = existing.get(source_id)
        if isinstance(item, Tombstone):
            if row is not None and row["deleted_at"] is None and not _newer(row, item.cursor):
                deletions.append(row["id"])
            else:
                outcome.unchanged += 1
            continue
        values, missing = _resolve(item, resolver)
        if missing is not None:
            if isinstance(missing, CompoundRef):
                reconcile.append((item, missing))
            else:
                problems.append(
                    Problem(
                        stream,
                        source_id,
                        raw_by_id.get(source_id, {}),
                        f"unresolved reference: no {_describe(missing)} in the store",
                    )
                )
            continue
        if row is not None and (
            _newer(row, item.cursor)
            or (
                row["content_hash"] == item.content_hash
                and row["deleted_at"] is None
                and row["source_id"] == source_id
            )
        ):
            outcome.unchanged += 1
            continue
        values["source_id"] = source_id
        values["content_hash"] = item.content_hash
        values["source_updated_at"] = item.cursor
        if row is None:
            inserts.append(values)  # with ``common`` (bound once) and ``created_at``
            insert_children.append(item.children)
        else:
            values.update(common)
            values["_id"] = row["id"]
            updates.append(values)
            if entity is Entity.INSPECTION:
                update_children[row["id"]] = item.children

    if inserts:
        # Ids are needed of records others refer to and of inspections (their items follow).
        with_ids = entity is Entity.INSPECTION or resolver.keeps_ids(entity)
        new_ids = await insert_rows(
            session, table, inserts, constant={**common, "created_at": now}, with_ids=with_ids
        )
        if with_ids:
            for values, children in zip(inserts, insert_children, strict=True):
                row_id = new_ids[values["source_id"]]
                resolver.remember(entity, values["source_id"], row_id, values)
                if entity is Entity.INSPECTION:
                    update_children[row_id] = children
        outcome.inserted += len(inserts)
    if updates:
        await update_rows(session, table, updates)
        for values in updates:
            resolver.remember(entity, values["source_id"], values["_id"], values)
        outcome.updated += len(updates)
    if update_children:
        await _replace_items(session, update_children)
    if deletions:
        await session.execute(
            sa.update(table)
            .where(among(session, table.c.id, deletions))
            .values(deleted_at=now, updated_at=now)
        )
        outcome.deleted += len(deletions)
    if entity is Entity.CREDIT_GRADE and (inserts or updates or deletions):
        await refresh_current_credit(session, [v["enterprise_id"] for v in inserts + updates])
    outcome.problems.extend(problems)
    outcome.quarantined += len(problems)
    for record, ref in reconcile:
        await _queue_reconciliation(
            session,
            source=source,
            stream=stream,
            record=record,
            ref=ref,
            payload=raw_by_id.get(record.source_id, {}),
        )
    outcome.reconciliation += len(reconcile)


def _newer(row: Mapping[str, Any], cursor: datetime) -> bool:
    """True when the stored version is newer than the incoming one (a replay)."""
    stored = row["source_updated_at"]
    return stored is not None and stored > cursor


def _resolve(record: MappedRecord, resolver: Resolver) -> tuple[dict[str, Any], Any]:
    values = store_values(record.entity, record.fields)
    for column, ref in record.refs.items():
        row_id = resolver.resolve(ref)
        if row_id is None:
            return values, ref
        values[column] = row_id
    return values, None


def _stored_columns(model: Any) -> tuple[Any, ...]:
    return (
        model.id,
        model.source_id,
        model.content_hash,
        model.source_updated_at,
        model.deleted_at,
    )


@lru_cache(maxsize=32)
def _existing_statement(model: Any, postgres: bool) -> sa.Select[Any]:
    """The look-up of a page's stored rows by source id, built once per table: the statement
    object carries SQLAlchemy's cache key, which would otherwise be computed again per page."""
    if postgres:
        ids = sa.bindparam("source_ids", type_=postgresql.ARRAY(model.source_id.type))
        among_ids = model.source_id == sa.any_(ids)
    else:
        among_ids = model.source_id.in_(sa.bindparam("source_ids", expanding=True))
    return sa.select(*_stored_columns(model)).where(
        model.source == sa.bindparam("source"), among_ids
    )


async def _existing_rows(
    session: AsyncSession,
    model: Any,
    source: str,
    latest: Mapping[str, MappedRecord | Tombstone],
    entity: Entity,
) -> dict[str, Any]:
    columns = _stored_columns(model)
    postgres = session.get_bind().dialect.name == "postgresql"
    statement = _existing_statement(model, postgres)
    rows = await session.execute(statement, {"source": source, "source_ids": list(latest)})
    found: dict[str, Any] = {row["source_id"]: row for row in rows.mappings()}
    if entity is Entity.ENTERPRISE:
        # Adopt an enterprise registered before (locally or by another source) by its USCC.
        usccs = {
            str(item.fields["uscc"]): sid
            for sid, item in latest.items()
            if isinstance(item, MappedRecord) and sid not in found
        }
        if usccs:
            adopted = await session.execute(
                sa.select(model.uscc, *columns).where(among(session, model.uscc, list(usccs)))
            )
            for row in adopted:
                mapping = dict(row._mapping)
                found[usccs[mapping.pop("uscc")]] = mapping
    return found


async def _replace_items(
    session: AsyncSession, children: Mapping[int, Sequence[Mapping[str, Any]]]
) -> None:
    table = m.AssessmentItem.__table__
    await session.execute(
        sa.delete(table).where(among(session, table.c.assessment_id, list(children)))
    )
    rows = [
        {**item, "assessment_id": parent} for parent, items in children.items() for item in items
    ]
    if rows:
        await session.execute(sa.insert(table), rows)


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


async def _queue_reconciliation(
    session: AsyncSession,
    *,
    source: str,
    stream: str,
    record: MappedRecord,
    ref: CompoundRef,
    payload: Mapping[str, Any],
) -> None:
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
