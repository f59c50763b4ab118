"""Applying a page of mapped upstream records to the store: resolve, compare, write.

For each record of a page, in one transaction with the page's checkpoint (see ``engine``):
- its enumerated fields are translated from the connectors' words into the hub's enums
  (``hub.sync.translate``);
- references are resolved to ids (``hub.sync.resolver``); an unknown compound sends the record to
  the reconciliation queue (``hub.sync.reconciliation``), any other unresolved reference to
  quarantine;
- the existing row is found by (source, source id) — or by the sink's natural key (an
  enterprise's USCC), so that a registered record is adopted instead of duplicated;
- an older version than the stored one (a replay) and an unchanged one (same content hash) write
  nothing; a new one is inserted, a changed one updated; a tombstone marks the row deleted.

What differs from entity to entity is declared in the sink table (``hub.sync.sinks``), not here.
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

from connectors.core import CompoundRef, Entity, MappedRecord, Tombstone
from hub.sync.quarantine import UNRESOLVED
from hub.sync.reconciliation import queue_reconciliation
from hub.sync.resolver import Resolver, describe
from hub.sync.sinks import SINKS, Children, Sink
from hub.sync.translate import store_values
from hub.sync.writes import among, insert_rows, update_rows

Item = MappedRecord | Tombstone


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


async def apply_page(
    session: AsyncSession,
    *,
    source: str,
    stream: str,
    items: Sequence[Item],
    raw_by_id: Mapping[str, Mapping[str, Any]],
    resolver: Resolver,
    now: datetime,
    extra_fields: Mapping[str, Any] | None = None,
) -> Outcome:
    """Apply one page; the caller owns the transaction (and commits it with the checkpoint)."""
    outcome = Outcome()
    records = [item for item in items if isinstance(item, MappedRecord)]
    await resolver.prepare(session, records)
    by_entity: dict[Entity, list[Item]] = defaultdict(list)
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
    items: Sequence[Item],
    raw_by_id: Mapping[str, Mapping[str, Any]],
    resolver: Resolver,
    now: datetime,
    extra_fields: Mapping[str, Any],
    outcome: Outcome,
) -> None:
    sink = SINKS[entity]
    table = sink.table
    # The newest version of each record in the page wins (a page may repeat a record).
    latest: dict[str, Item] = {}
    for item in items:
        kept = latest.get(item.source_id)
        if kept is None or item.cursor >= kept.cursor:
            latest[item.source_id] = item
    outcome.seen[entity] |= set(latest)

    existing = await _existing_rows(session, sink, source, latest)
    inserts: list[dict[str, Any]] = []
    insert_children: list[Sequence[Mapping[str, Any]]] = []
    updates: list[dict[str, Any]] = []
    children: dict[int, Sequence[Mapping[str, Any]]] = {}
    deletions: list[int] = []
    problems: list[Problem] = []
    reconcile: list[tuple[MappedRecord, CompoundRef]] = []
    # The columns every written row of the page gets.
    common = {
        **extra_fields,
        **sink.fixed,
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
                        f"{UNRESOLVED}: no {describe(missing)} in the store",
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
            if sink.children is not None:
                children[row["id"]] = item.children

    if inserts:
        # Ids are needed of records others refer to and of parents (their children follow).
        with_ids = sink.children is not None or resolver.keeps_ids(entity)
        new_ids = await insert_rows(
            session, table, inserts, constant={**common, "created_at": now}, with_ids=with_ids
        )
        if with_ids:
            for values, rows in zip(inserts, insert_children, strict=True):
                row_id = new_ids[values["source_id"]]
                resolver.remember(entity, values["source_id"], row_id, values)
                if sink.children is not None:
                    children[row_id] = rows
        outcome.inserted += len(inserts)
    if updates:
        await update_rows(session, table, updates)
        for values in updates:
            resolver.remember(entity, values["source_id"], values["_id"], values)
        outcome.updated += len(updates)
    if children and sink.children is not None:
        await _replace_children(session, sink.children, children)
    if deletions:
        await session.execute(
            sa.update(table)
            .where(among(session, table.c.id, deletions))
            .values(deleted_at=now, updated_at=now)
        )
        outcome.deleted += len(deletions)
    if sink.after_write is not None and (inserts or updates):
        await sink.after_write(session, inserts + updates)
    outcome.problems.extend(problems)
    outcome.quarantined += len(problems)
    for record, ref in reconcile:
        await queue_reconciliation(
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


def _resolve(record: MappedRecord, resolver: Resolver) -> tuple[dict[str, Any], object]:
    """The record's column values with its references resolved, and the first reference that
    could not be (None when all were)."""
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
    session: AsyncSession, sink: Sink, source: str, latest: Mapping[str, Item]
) -> dict[str, Any]:
    """The stored rows of a page's records by source id: the source's own, and for a sink with
    a natural key the rows registered before (locally or by another source) that it adopts."""
    model: Any = sink.model
    postgres = session.get_bind().dialect.name == "postgresql"
    statement = _existing_statement(model, postgres)
    rows = await session.execute(statement, {"source": source, "source_ids": list(latest)})
    found: dict[str, Any] = {row["source_id"]: row for row in rows.mappings()}
    if sink.natural_key is not None:
        key = getattr(model, sink.natural_key)
        wanted = {
            str(item.fields[sink.natural_key]): sid
            for sid, item in latest.items()
            if isinstance(item, MappedRecord) and sid not in found
        }
        if wanted:
            adopted = await session.execute(
                sa.select(key, *_stored_columns(model)).where(among(session, key, list(wanted)))
            )
            for row in adopted:
                mapping = dict(row._mapping)
                found[wanted[mapping.pop(sink.natural_key)]] = mapping
    return found


async def _replace_children(
    session: AsyncSession, spec: Children, rows_of: Mapping[int, Sequence[Mapping[str, Any]]]
) -> None:
    """Replace the child rows of the parents written (their ids → their children's values)."""
    table: Any = spec.model.__table__
    parent = table.c[spec.parent]
    await session.execute(sa.delete(table).where(among(session, parent, list(rows_of))))
    rows = [
        {**row, spec.parent: parent_id} for parent_id, items in rows_of.items() for row in items
    ]
    if rows:
        await session.execute(sa.insert(table), rows)
