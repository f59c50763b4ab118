"""Relay building blocks: the ``Node`` interface, global IDs, cursors and cursor connections.

Global IDs are ``base64("<TypeName>:<database id>")``; cursors are opaque base64 of the ordering
name and the sort values of a row (keyset pagination, see ``hub.services.paging``). Both are
checked on the way in, and a malformed one is a BAD_USER_INPUT error that says so.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import strawberry

from hub.errors import BadUserInput
from hub.services.paging import Ordering, Page, Position, count_rows, fetch_page

if TYPE_CHECKING:
    from hub.graphql.context import RequestDatabase

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
FIRST = strawberry.argument(description="Page size, 0–100 (default 20).")
AFTER = strawberry.argument(description="Cursor of the last item seen (`pageInfo.endCursor`).")


@strawberry.interface(name="Node", description="An object with a global ID (Relay Node).")
class Node:
    """Base of every GraphQL type that has a global ID."""

    db_id: strawberry.Private[int]

    @strawberry.field(description="Global ID of the object; pass it to `node(id:)`.")
    def id(self) -> strawberry.ID:
        return encode_global_id(self.graphql_type_name(), self.db_id)

    @classmethod
    def graphql_type_name(cls) -> str:
        return cls.__strawberry_definition__.name  # type: ignore[attr-defined,no-any-return]


def encode_global_id(type_name: str, db_id: int) -> strawberry.ID:
    """The global ID of a record."""
    return strawberry.ID(base64.b64encode(f"{type_name}:{db_id}".encode()).decode())


def decode_global_id(value: str, *, field: str = "id") -> tuple[str, int]:
    """(type name, database id) of a global ID, or BAD_USER_INPUT if it is not one of ours."""
    try:
        text = base64.b64decode(value.encode("ascii"), validate=True).decode("utf-8")
        type_name, _, raw_id = text.partition(":")
        db_id = int(raw_id)
    except (ValueError, UnicodeError, binascii.Error):
        raise BadUserInput(f"{field}: {value!r} is not a valid global ID", field=field) from None
    if not type_name or db_id <= 0:
        raise BadUserInput(f"{field}: {value!r} is not a valid global ID", field=field)
    return type_name, db_id


def expect_global_id(value: str, expected: type[Node], *, field: str = "id") -> int:
    """The database id of a global ID that must be of the expected type."""
    type_name, db_id = decode_global_id(value, field=field)
    if type_name != expected.graphql_type_name():
        raise BadUserInput(
            f"{field}: the ID is of a {type_name}, expected a {expected.graphql_type_name()}",
            field=field,
        )
    return db_id


def _encode_value(value: Any) -> Any:
    return {"d": value.isoformat()} if isinstance(value, date) else value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        return date.fromisoformat(value["d"])
    if isinstance(value, list):
        raise ValueError("nested value")
    return value


def encode_cursor(ordering: Ordering, position: Position) -> str:
    """An opaque cursor for a row at a position in an ordering."""
    payload = json.dumps([ordering.name, [_encode_value(v) for v in position]], ensure_ascii=False)
    return base64.urlsafe_b64encode(payload.encode()).decode()


def decode_cursor(cursor: str, ordering: Ordering) -> Position:
    """The position a cursor stands for, or BAD_USER_INPUT if it is malformed or foreign."""
    try:
        name, values = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        position = tuple(_decode_value(v) for v in values)
    except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error):
        raise BadUserInput("after: the cursor is malformed", field="after") from None
    if name != ordering.name or len(position) != len(ordering.keys):
        raise BadUserInput(
            "after: the cursor was made for another ordering; start again without it",
            field="after",
        )
    return position


def check_first(first: int) -> int:
    """``first`` within 0…MAX_PAGE_SIZE, or BAD_USER_INPUT."""
    if first < 0 or first > MAX_PAGE_SIZE:
        raise BadUserInput(
            f"first must be between 0 and {MAX_PAGE_SIZE}, got {first}",
            field="first",
            maximum=MAX_PAGE_SIZE,
        )
    return first


NodeT = TypeVar("NodeT")


@strawberry.type(name="PageInfo", description="Where a page stands in its list (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(
        description="Items come before this page (true when `after` was given)."
    )
    start_cursor: str | None = strawberry.field(description="Cursor of the first item, if any.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item; pass it as `after` for the next page."
    )


@strawberry.type(description="An item of a page and its cursor (Relay edge).")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Opaque position of this item in the list.")
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list with cursors (Relay cursor connection).")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="The items of the page, with cursors.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more items follow.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="The items of the page, without cursors.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many items the whole list holds (all pages).")
    async def total_count(self) -> int:
        return await self.count()


async def paginate(
    db: RequestDatabase,
    stmt: Any,
    *,
    ordering: Ordering,
    first: int,
    after: str | None,
    to_node: Callable[[Any], NodeT],
    prefetch: Callable[[Sequence[Any]], Awaitable[None]] | None = None,
) -> Connection[NodeT]:
    """The page of ``stmt`` after the cursor, as a connection of ``to_node(row)``.

    ``prefetch`` receives the page's rows before the nodes are built (see
    ``hub.graphql.prefetch``). ``totalCount`` runs its COUNT query only when a client asks for it.
    """
    check_first(first)
    position = decode_cursor(after, ordering) if after else None
    page: Page[Any] = await db.run(
        lambda session: fetch_page(session, stmt, ordering=ordering, first=first, after=position)
    )
    if prefetch is not None:
        await prefetch(page.rows)
    edges = [
        Edge(cursor=encode_cursor(ordering, pos), node=to_node(row))
        for row, pos in zip(page.rows, page.positions, strict=True)
    ]

    async def count() -> int:
        return await db.run(lambda session: count_rows(session, stmt))

    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=position is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count=count,
    )
