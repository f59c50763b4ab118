"""Keyset pagination over a SELECT: stable pages however large the table, for any ordering.

A page is asked for with ``first`` and an optional position (the ordering values of the last row
seen). The ordering always ends with the primary key so that positions are unique. The GraphQL
layer turns positions into opaque cursors; this module knows nothing of cursors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement

from hub.errors import BadUserInput

T = TypeVar("T")

Position = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class SortKey:
    """One column of an ordering; ``descending`` flips its direction."""

    column: ColumnElement[Any] | QueryableAttribute[Any]
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Ordering:
    """A named ordering (the name goes into cursors, so a cursor cannot be reused elsewhere)."""

    name: str
    keys: tuple[SortKey, ...]

    @property
    def subject(self) -> str:
        """The list the ordering pages: the table of its last key, the rows' primary key.

        Cursors carry it, so that a cursor of one list is refused by another whose ordering has
        the same name (``compounds`` and ``enterprises`` are both ordered by ``NAME``).
        """
        table = getattr(self.keys[-1].column, "table", None)
        name = getattr(table, "name", None)
        if not isinstance(name, str):
            raise TypeError(f"ordering {self.name} must end with a primary key column")
        return name

    def order_by(self) -> list[ColumnElement[Any]]:
        return [k.column.desc() if k.descending else k.column.asc() for k in self.keys]

    def after(self, position: Position) -> ColumnElement[bool]:
        """Rows strictly after the position in this ordering."""
        if len(position) != len(self.keys):
            raise BadUserInput("the cursor does not belong to this ordering")
        clauses: list[ColumnElement[bool]] = []
        for i, key in enumerate(self.keys):
            equal_before = [k.column == v for k, v in zip(self.keys[:i], position[:i], strict=True)]
            beyond = key.column < position[i] if key.descending else key.column > position[i]
            clauses.append(sa.and_(*equal_before, beyond))
        return sa.or_(*clauses)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """Rows of one page, each with its position, and whether more rows follow."""

    rows: list[T]
    positions: list[Position]
    has_next: bool


async def fetch_page(
    session: AsyncSession,
    *,
    stmt: sa.Select[tuple[T]],
    ordering: Ordering,
    first: int,
    after: Position | None,
) -> Page[T]:
    """One page of the statement's rows (one query: ``first + 1`` rows tell if more follow)."""
    if after is not None:
        stmt = stmt.where(ordering.after(after))
    key_columns = [k.column.label(f"_k{i}") for i, k in enumerate(ordering.keys)]
    paged = stmt.add_columns(*key_columns).order_by(*ordering.order_by()).limit(first + 1)
    result = (await session.execute(paged)).all()
    has_next = len(result) > first
    result = result[:first]
    return Page(
        rows=[row[0] for row in result],
        positions=[tuple(row[1:]) for row in result],
        has_next=has_next,
    )


async def count_rows(session: AsyncSession, *, stmt: sa.Select[Any]) -> int:
    """How many rows the statement selects (its ordering and limits ignored)."""
    counted = sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    return int((await session.execute(counted)).scalar_one())


def group_by_key(rows: Sequence[T], key: str, keys: Sequence[Any]) -> list[list[T]]:
    """Rows grouped by an attribute, one list per key in the order of ``keys`` (for loaders)."""
    groups: dict[Any, list[T]] = {k: [] for k in keys}
    for row in rows:
        groups.setdefault(getattr(row, key), []).append(row)
    return [groups[k] for k in keys]


def index_by_key(rows: Sequence[T], key: str, keys: Sequence[Any]) -> list[T | None]:
    """Rows indexed by an attribute, one row (or None) per key in the order of ``keys``."""
    found = {getattr(row, key): row for row in rows}
    return [found.get(k) for k in keys]
