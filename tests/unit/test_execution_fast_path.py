"""Edge cases of the hub's execution context (hub.graphql.execution) on a small schema.

Values the hub's own types never produce — a leaf that does not coerce, null in a non-null
field or list item, resolvers that raise or return awaitables, generators, a wrong object type, a
type with its own ``is_type_of`` — must give exactly graphql-core's answer and errors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from hub.graphql.execution import HubExecutionContext


@strawberry.type
class Leaf:
    number: int
    text: str | None
    items: list[int | None]
    strict_items: list[int]


@strawberry.type
class Picky:
    name: str

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return getattr(obj, "picky", False)


class PickyValue:
    picky = True
    name = "picky"


@strawberry.type
class Item:
    value: int | None
    required: int

    @strawberry.field
    def twice(self, info: strawberry.Info, factor: int = 2) -> int:
        if self.required < 0:
            raise ValueError(f"negative at {info.path.as_list()}")
        return self.required * factor

    @strawberry.field
    def sometimes_later(self, info: strawberry.Info) -> int:
        async def later() -> int:
            return self.required

        return later() if self.required > 1 else info.field_name  # type: ignore[return-value]

    @strawberry.field
    async def later(self) -> int:
        await asyncio.sleep(0)
        return self.required + 1

    @strawberry.field
    def leaf(self) -> Leaf:
        return Leaf(number=self.required, text=None, items=[1, None], strict_items=[1, 2])


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Thing(Named):
    size: int


def _items(values: list[tuple[int | None, int]]) -> list[Item]:
    return [Item(value=v, required=r) for v, r in values]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return _items([(1, 2), (None, -1), (3, 4)])

    @strawberry.field
    def nullable_items(self) -> list[Item | None] | None:
        return [None, *_items([(1, -1)])]

    @strawberry.field
    def generated(self) -> list[Item]:
        def values() -> Iterator[Item]:
            yield from _items([(1, 1), (2, 2)])

        return values()  # type: ignore[return-value]

    @strawberry.field
    def awaitable_items(self) -> list[Item]:
        async def one(required: int) -> Item:
            return Item(value=None, required=required)

        return [one(1), one(-2)]  # type: ignore[list-item]

    @strawberry.field
    def bad_leaf(self) -> Leaf:
        return Leaf(number="x", text=None, items=[1, "y"], strict_items=[1, None])  # type: ignore[arg-type, list-item]

    @strawberry.field
    def wrong_type(self) -> Item:
        return Leaf(number=1, text=None, items=[], strict_items=[])  # type: ignore[return-value]

    @strawberry.field
    def picky(self) -> Picky:
        return PickyValue()  # type: ignore[return-value]

    @strawberry.field
    def things(self, wrong: bool = False, null: bool = False) -> list[Thing]:
        things: list[Any] = [Thing(name="a", size=1), Thing(name="b", size=2)]
        if wrong:
            things.insert(1, Item(value=1, required=1))
        if null:
            things.insert(1, None)
        return things

    @strawberry.field
    def not_a_list(self) -> list[int]:
        return 7  # type: ignore[return-value]


DOCUMENTS = [
    "{ items { value required twice later leaf { number text items strictItems } } }",
    "{ items { twice(factor: 3) sometimesLater } }",
    "{ nullableItems { sometimesLater } generated { sometimesLater } }",
    "{ nullableItems { value twice } }",
    "{ items { value } nullableItems { twice } }",
    "{ generated { value required later } }",
    "{ awaitableItems { required twice } }",
    "{ badLeaf { number } }",
    "{ badLeaf { text items } }",
    "{ badLeaf { strictItems } }",
    "{ wrongType { value } }",
    "{ picky { name __typename } }",
    "{ notAList }",
    "{ things { name size } wrong: things(wrong: true) { name } }",
    "{ things(null: true) { ... on Named { name } } }",
    "{ a: items { b: value ... on Item { c: required } } __typename }",
]


def _schema(execution: type[Any]) -> strawberry.Schema:
    return strawberry.Schema(query=Query, types=[Picky], execution_context_class=execution)


@pytest.mark.parametrize("document", DOCUMENTS)
async def test_edge_cases_answer_as_graphql_core_does(document: str) -> None:
    """Data and errors (messages, paths, locations) equal graphql-core's for the document."""
    fast = await _schema(HubExecutionContext).execute(document)
    plain = await _schema(StrawberryGraphQLCoreExecutionContext).execute(document)
    assert fast.data == plain.data
    assert [e.formatted for e in fast.errors or ()] == [e.formatted for e in plain.errors or ()]
