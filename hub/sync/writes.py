"""The bulk statements that write a page's rows: inserts (with or without their new ids) and
updates, and the ``IN`` of a page's worth of values. Called by ``hub.sync.apply`` inside the
page's transaction (the engine commits it with the page's checkpoint); nothing here commits.

On PostgreSQL a page's new rows whose ids nobody needs go in with ``COPY … FROM STDIN`` (asyncpg
``copy_records_to_table`` on the session's own connection, so in the page's transaction): the
same path as the bulk-load floor of the sync benchmark (M3, docs/performance.md), with no
per-value work in SQLAlchemy and none of asyncpg's per-element checks of array parameters. Rows
whose ids are needed (records others refer to, inspections whose items follow) go through one
``INSERT … SELECT … FROM unnest(arrays) RETURNING id, source_id``. SQLite takes one
``executemany`` either way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

from hub.store.base import UTCDateTime


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


async def insert_rows(
    session: AsyncSession,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    constant: Mapping[str, Any],
    with_ids: bool,
) -> dict[str, int]:
    """Insert a page's new rows of a table, each with the ``constant`` columns too (they win
    over a row's own); with ``with_ids``, the new ids by source id (otherwise {}).

    The ids come back with their source ids (unique within a page) rather than in the order of
    the rows: SQLAlchemy can tie RETURNING rows to parameter sets only by sending one INSERT per
    row on SQLite.
    """
    if not rows:
        return {}
    if session.get_bind().dialect.name != "postgresql":
        merged = [{**row, **constant} for row in rows]
        if not with_ids:
            await session.execute(sa.insert(table), merged)
            return {}
        returning = sa.insert(table).returning(table.c.id, table.c.source_id)
        result = await session.execute(returning, merged)
    elif with_ids:
        unnest, params = _unnest_params(table, rows, constant)
        result = await session.execute(unnest, params)
    else:
        await _copy(session, table, rows, constant)
        return {}
    return {source_id: row_id for row_id, source_id in result.all()}


async def update_rows(
    session: AsyncSession, table: sa.Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Update rows by ``_id`` (their row id) with the other values each carries."""
    columns = sorted({k for row in rows for k in row} - {"_id"})
    # Bind names must differ from column names in an UPDATE's SET clause.
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("_id"))
        .values({c: sa.bindparam(f"v_{c}") for c in columns})
    )
    params = [{"_id": row["_id"], **{f"v_{c}": row.get(c) for c in columns}} for row in rows]
    await session.execute(statement, params)


def _columns(
    rows: Sequence[Mapping[str, Any]], constant: Mapping[str, Any]
) -> tuple[list[str], list[list[Any]]]:
    """The rows' own column names (sorted, the constant ones left out) and one list of values
    per column."""
    keys = set().union(*rows)
    names = sorted(keys - constant.keys())
    if all(len(row) == len(keys) for row in rows):  # every row has every column: a C loop
        return names, [list(map(itemgetter(name), rows)) for name in names]
    return names, [[row.get(name) for row in rows] for name in names]


async def _copy(
    session: AsyncSession,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    constant: Mapping[str, Any],
) -> None:
    """``COPY table (columns) FROM STDIN`` of the rows, on the session's connection (so in the
    page's transaction)."""
    connection = await session.connection()
    dialect = connection.dialect
    names, columns = _columns(rows, constant)
    for name, value in constant.items():
        names.append(name)
        columns.append([value] * len(rows))
    for index, name in enumerate(names):
        columns[index] = _database_values(table.c[name].type, columns[index], dialect)
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    await driver.copy_records_to_table(
        table.name, records=list(zip(*columns, strict=True)), columns=names
    )


def _database_values(
    type_: sa.types.TypeEngine[Any], values: list[Any], dialect: Dialect
) -> list[Any]:
    """The values of a column as asyncpg takes them: what SQLAlchemy's bind processing would
    make of them, skipped where it would change nothing asyncpg cares about (text of a
    ``StrEnum`` member is its value, which the column's CHECK constraint holds to the enum;
    an aware timestamp is sent as UTC whatever its zone)."""
    if isinstance(type_, sa.Enum) and all(isinstance(v, str) for v in values if v is not None):
        return values
    if isinstance(type_, UTCDateTime) and all(
        v.tzinfo is not None for v in values if v is not None
    ):
        return values
    process = type_._cached_bind_processor(dialect)
    if process is None:
        return values
    first = values[0]
    if all(value is first for value in values):  # one value for the whole column
        return [None if first is None else process(first)] * len(values)
    return [None if value is None else process(value) for value in values]


def _unnest_params(
    table: sa.Table, rows: Sequence[Mapping[str, Any]], constant: Mapping[str, Any]
) -> tuple[sa.Insert, dict[str, Any]]:
    """The ``unnest`` INSERT of the rows and its parameters: the constant columns, and any
    other with the same value in every row, are bound once."""
    names, columns = _columns(rows, constant)
    varying: list[str] = []
    params: dict[str, Any] = {f"c_{name}": value for name, value in constant.items()}
    same: list[str] = list(constant)
    for name, values in zip(names, columns, strict=True):
        first = values[0]
        if name != "source_id" and all(value == first for value in values):
            params[f"c_{name}"] = first
            same.append(name)
        else:
            varying.append(name)
            params[f"p_{name}"] = values
    return _unnest_insert(table, tuple(varying), tuple(sorted(same))), params


@lru_cache(maxsize=64)
def _unnest_insert(
    table: sa.Table, varying: tuple[str, ...], constant: tuple[str, ...]
) -> sa.Insert:
    """``INSERT INTO table (varying…, constant…) SELECT new_rows.*, :c_constant…
    FROM unnest(:p_varying::type[], …) AS new_rows(varying…) RETURNING id, source_id``."""
    arrays = [
        sa.bindparam(f"p_{name}", type_=postgresql.ARRAY(table.c[name].type)) for name in varying
    ]
    rows = sa.func.unnest(*arrays).table_valued(*varying).render_derived(name="new_rows")
    selected = [rows.c[name] for name in varying]
    selected += [sa.bindparam(f"c_{name}", type_=table.c[name].type) for name in constant]
    return (
        sa.insert(table)
        .from_select([*varying, *constant], sa.select(*selected))
        .returning(table.c.id, table.c.source_id)
    )
