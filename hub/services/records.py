"""Batch reads of records by id or by parent id: what the GraphQL DataLoaders call.

Each function runs one query for all the keys it is given, whatever their number, and returns
results in the order of the keys, so that a list of any length costs the same number of queries.

The records are read-only snapshots: named tuples of the model's columns, read with SQLAlchemy
Core, which have the model's attribute names and converted values (enums, aware timestamps) but
none of an ORM instance's identity map, change tracking or relationships, and without the
``BOOKKEEPING`` columns. A GraphQL request reads thousands of them, and building ORM instances
cost several times more than the query. Named tuples rather than Core's rows: reading an
attribute of a ``Row`` goes through its ``__getattr__`` (about ten times slower than a named
tuple's field), and the GraphQL types read every field of every record. They are typed as the
model for their readers; nothing may write to them (a tuple cannot be written to anyway).
"""

from __future__ import annotations

import functools
from collections import namedtuple
from collections.abc import Sequence
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from hub.services.paging import group_by_key, index_by_key
from hub.store.base import Base, Provenance, Retirement

M = TypeVar("M", bound=Base)


async def list_by_ids(
    session: AsyncSession,
    *,
    model: type[M],
    ids: Sequence[int],
    where: ColumnElement[bool] | None = None,
) -> list[M | None]:
    """The records with these ids (and ``where``), None where there is none."""
    stmt = _columns(model).where(model.id.in_(set(ids)))
    rows = await _snapshots(session, _and(stmt, where), model)
    return index_by_key(rows, "id", ids)


async def list_by_unique(
    session: AsyncSession,
    *,
    column: InstrumentedAttribute[Any],
    keys: Sequence[Any],
    where: ColumnElement[bool] | None = None,
) -> list[Any]:
    """The live record whose unique column equals each key, None where there is none."""
    model = _model_of(column)
    stmt = _columns(model).where(column.in_(set(keys)), live(model))
    rows = await _snapshots(session, _and(stmt, where), model)
    return index_by_key(rows, column.key, keys)


def live(model: type[Base]) -> ColumnElement[bool]:
    """Leave out records the upstream deleted and records the banner retired (both stay in the
    store, marked ``deleted_at`` or ``retired_at``)."""
    conditions: list[ColumnElement[bool]] = []
    if issubclass(model, Provenance):
        conditions.append(model.deleted_at.is_(None))
    if issubclass(model, Retirement):
        conditions.append(model.retired_at.is_(None))
    return sa.and_(*conditions) if conditions else sa.true()


async def list_children(
    session: AsyncSession,
    *,
    column: InstrumentedAttribute[Any],
    parent_ids: Sequence[int],
    order_by: Sequence[Any] = (),
    where: ColumnElement[bool] | None = None,
) -> list[list[Any]]:
    """For each parent id, the live records whose foreign key column points at it (and that meet
    ``where``), in order."""
    model = _model_of(column)
    stmt = _columns(model).where(column.in_(set(parent_ids)), live(model))
    stmt = _and(stmt, where).order_by(*order_by, model.id)
    rows = await _snapshots(session, stmt, model)
    return group_by_key(rows, column.key, parent_ids)


def _model_of(column: InstrumentedAttribute[Any]) -> type[Base]:
    """The model a column attribute belongs to (never an alias here)."""
    owner = column.class_
    if not (isinstance(owner, type) and issubclass(owner, Base)):
        raise TypeError(f"{column} is not a column of a store model")
    return owner


def _and(stmt: sa.Select[Any], where: ColumnElement[bool] | None) -> sa.Select[Any]:
    return stmt if where is None else stmt.where(where)


def _columns(model: type[Base]) -> sa.Select[Any]:
    """SELECT of every column of the model's table, labelled with the model's attribute names."""
    table = model.__table__
    return sa.select(*(table.c[name].label(key) for key, name in _attribute_columns(model)))


BOOKKEEPING = frozenset({"created_at", "updated_at", "content_hash", "source_updated_at"})
"""Columns the sync engine and the store keep for themselves; no reader of snapshots uses them
(each timestamp costs a conversion per row: SQLite stores them naive)."""


@functools.cache
def _attribute_columns(model: type[Base]) -> tuple[tuple[str, str], ...]:
    """(attribute name, column name) of each mapped column of the model, bookkeeping left out."""
    return tuple(
        (attr.key, attr.columns[0].name)
        for attr in sa.inspect(model).column_attrs
        if attr.key not in BOOKKEEPING
    )


@functools.cache
def _snapshot_class(model: type[Base]) -> type[tuple[Any, ...]]:
    """The named tuple of the model's snapshots: the fields of ``_attribute_columns``."""
    return namedtuple(f"{model.__name__}Snapshot", [key for key, _ in _attribute_columns(model)])


async def _snapshots(session: AsyncSession, stmt: sa.Select[Any], model: type[M]) -> list[M]:
    """The rows of ``stmt`` as read-only snapshots typed as ``model`` (see the module's doc).
    ``stmt`` selects the columns of ``_columns(model)``, in that order."""
    connection = await session.connection()  # Core, past the ORM's result processing
    rows = (await connection.execute(stmt)).all()
    snapshot, make = _snapshot_class(model), tuple.__new__
    return cast(list[M], [make(snapshot, row) for row in rows])
