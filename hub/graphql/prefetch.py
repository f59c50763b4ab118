"""Loading the relations a query selects before graphql-core walks them.

A list field such as ``enterprises(first: 100)`` fans out: each enterprise asks for its contracts,
each contract for its compound. With DataLoaders alone every one of those fields is an awaitable:
thousands of coroutines and tasks per request, which cost far more than the few SQL statements
behind them. So a root resolver, once it has its rows, walks the query's selection with the
relations registered here and loads each level for all parents at once, through the same
DataLoaders (one statement per relation and level, as before). The relation fields resolve with
``BatchLoader.resolve``, which answers at once from a loaded value: graphql-core then completes
the whole tree without awaiting anything.

A field that is not registered still works the same way as before, only without the head start:
prefetching is an optimisation, never a condition of a correct answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from strawberry.types.nodes import SelectedField, Selection

from hub.domain.access import Permission, Principal

if TYPE_CHECKING:
    from hub.graphql.context import Info
    from hub.graphql.loaders import BatchLoader, Loaders


Fetch = Callable[["Loaders", Sequence[Any]], Awaitable[Sequence[Any]]]
"""Given the request's loaders and the parents' rows, the rows a field reaches from them."""


@dataclass(frozen=True, slots=True)
class Relation:
    """How a field of a GraphQL type reaches its data from the parents' rows.

    ``fetch`` loads them through the request's DataLoaders; ``child`` is the GraphQL type of the
    field's values, whose own relations are walked next (None for a leaf).
    """

    fetch: Fetch
    child: str | None
    permission: Permission | None = None
    """Needed to see the field (its resolver refuses without it; the walk skips it then)."""


RELATIONS: dict[str, dict[str, Relation]] = {}
"""GraphQL type name → GraphQL field name → its relation; filled by the type modules."""


def register(type_name: str, **relations: Relation) -> None:
    """Declare the relations of a GraphQL type (field names as in the schema, camelCase)."""
    RELATIONS.setdefault(type_name, {}).update(relations)


def via(
    loader: Callable[[Loaders], BatchLoader[Any, Any]],
    key: str,
    child: str | None,
    *,
    permission: Permission | None = None,
) -> Relation:
    """A relation loaded by ``loader`` with the parent row's attribute ``key``."""

    async def fetch(loaders: Loaders, parents: Sequence[Any]) -> Sequence[Any]:
        keys = list(dict.fromkeys(k for k in (getattr(p, key) for p in parents) if k is not None))
        return list(flatten(await loader(loaders).load_many(keys)))

    return Relation(fetch=fetch, child=child, permission=permission)


def same_row(child: str) -> Relation:
    """A field whose object is built from the parent row itself (like ``Enterprise.credit``)."""

    async def fetch(_loaders: Loaders, parents: Sequence[Any]) -> Sequence[Any]:
        return parents

    return Relation(fetch=fetch, child=child)


async def prefetch_nodes(info: Info, type_name: str, rows: Sequence[Any]) -> None:
    """For a connection field: prefetch what its ``nodes`` and ``edges { node }`` select."""
    selections: list[Selection] = []
    for connection in _fields(info.selected_fields):
        for part in _fields(connection.selections):
            if part.name == "nodes":
                selections.extend(part.selections)
            elif part.name == "edges":
                for node in _fields(part.selections):
                    if node.name == "node":
                        selections.extend(node.selections)
    await _walk(info.context.loaders, info.context.viewer, type_name, rows, selections)


async def prefetch_object(info: Info, type_name: str, rows: Sequence[Any]) -> None:
    """For a field returning objects of ``type_name`` built from ``rows``."""
    selections = [s for field in _fields(info.selected_fields) for s in field.selections]
    await _walk(info.context.loaders, info.context.viewer, type_name, rows, selections)


async def _walk(
    loaders: Loaders,
    viewer: Principal,
    type_name: str,
    rows: Sequence[Any],
    selections: list[Selection],
) -> None:
    """Load the selected relations level by level, all relations of a level at once, so that a
    loader reached on two paths at the same depth (a contract's tender, a bid's tender) still
    runs one statement for both, as it does when graphql-core resolves the fields."""
    level: list[tuple[str, Sequence[Any], list[Selection]]] = [(type_name, rows, selections)]
    while level:
        steps: list[tuple[Relation, Sequence[Any], list[Selection]]] = []
        for name, parents, selected in level:
            relations = RELATIONS.get(name)
            if not relations or not parents:
                continue
            wanted: dict[str, list[Selection]] = {}
            for field in _fields(selected):
                relation = relations.get(field.name)
                if relation is not None and (
                    relation.permission is None or viewer.may(relation.permission)
                ):
                    wanted.setdefault(field.name, []).extend(field.selections)
            steps.extend((relations[field], parents, below) for field, below in wanted.items())
        children = await asyncio.gather(*(rel.fetch(loaders, parents) for rel, parents, _ in steps))
        level = [
            (rel.child, found, below)
            for (rel, _, below), found in zip(steps, children, strict=True)
            if rel.child is not None
        ]


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    """The fields of a selection, with those of fragments and inline fragments."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:
            yield from _fields(selection.selections)


def flatten(values: Iterable[Any]) -> Iterator[Any]:
    """Loaded values as one sequence of rows: lists flattened, missing rows (None) left out."""
    for value in values:
        if isinstance(value, list):
            yield from value
        elif value is not None:
            yield value
