"""Batch reads of records by id or by parent id: what the GraphQL DataLoaders call.

Each function runs one query for all the keys it is given, whatever their number, and returns
results in the order of the keys, so that a list of any length costs the same number of queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from hub.services.paging import group_by_key, index_by_key
from hub.store.base import Base, Provenance

M = TypeVar("M", bound=Base)


async def by_ids(session: AsyncSession, model: type[M], ids: Sequence[int]) -> list[M | None]:
    """The records with these ids, None where there is none."""
    rows = (await session.scalars(sa.select(model).where(model.id.in_(set(ids))))).all()
    return index_by_key(rows, "id", ids)


async def by_unique(
    session: AsyncSession, column: InstrumentedAttribute[Any], keys: Sequence[Any]
) -> list[Any]:
    """The live record whose unique column equals each key, None where there is none."""
    model = column.class_
    stmt = sa.select(model).where(column.in_(set(keys)), live(model))
    rows = (await session.scalars(stmt)).all()
    return index_by_key(rows, column.key, keys)


def live(model: type[Base]) -> ColumnElement[bool]:
    """Leave out records the upstream deleted (they stay in the store, marked ``deleted_at``)."""
    if issubclass(model, Provenance):
        return model.deleted_at.is_(None)
    return sa.true()


async def children(
    session: AsyncSession,
    column: InstrumentedAttribute[Any],
    parent_ids: Sequence[int],
    *,
    order_by: Sequence[Any] = (),
) -> list[list[Any]]:
    """For each parent id, the live records whose foreign key column points at it, in order."""
    model = column.class_
    stmt = sa.select(model).where(column.in_(set(parent_ids)), live(model))
    stmt = stmt.order_by(*order_by, model.id)
    rows = (await session.scalars(stmt)).all()
    return group_by_key(rows, column.key, parent_ids)
