"""Relay building blocks: the ``Node`` interface, global IDs, cursors and cursor connections.

Global IDs are ``base64("<TypeName>:<database id>")``; cursors are opaque base64 of the list, the
ordering name and the sort values of a row (keyset pagination, see ``hub.services.paging``).
Both are checked on the way in, strictly (one spelling each, values of the expected kind), and
anything else is a BAD_USER_INPUT error that says so, before any SQL is built.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import sqlalchemy as sa
import strawberry

from hub.domain.text import text_problem
from hub.errors import BadUserInput, InvalidCursor
from hub.services.paging import Ordering, Page, Position, SortKey, count_rows, fetch_page

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


INT64_MAX = 2**63 - 1
"""The largest database id (and sort value) the stores can hold: BIGINT on PostgreSQL."""

_GLOBAL_ID = re.compile(r"([A-Z][A-Za-z0-9]*):([1-9][0-9]*)")
"""The decoded text of a global ID: a type name, a colon and a positive decimal id written as
``encode_global_id`` writes it (ASCII digits only, no sign, no leading zero, no space)."""

_MAX_GLOBAL_ID_LENGTH = 120
"""Longer than any ID we issue (a type name of 40 letters and 19 digits, in base64)."""


def decode_global_id(value: str, *, field: str = "id") -> tuple[str, int]:
    """(type name, database id) of a global ID, or BAD_USER_INPUT if it is not one of ours.

    Only the exact text ``encode_global_id`` makes is accepted: ``Compound: 5``, ``Compound:05``,
    ``Compound:٣`` (an Arabic-Indic digit) or an id past int64 would otherwise reach the
    database, as another spelling of a record or as a number the driver cannot send. The value
    is not echoed in the message (a client may have put anything there).
    """
    match = None
    if len(value) <= _MAX_GLOBAL_ID_LENGTH:
        try:
            text = base64.b64decode(value, validate=True).decode("ascii")
        except (ValueError, UnicodeError, binascii.Error):
            text = ""
        match = _GLOBAL_ID.fullmatch(text)
    if (
        match is None
        or int(match[2]) > INT64_MAX
        or encode_global_id(match[1], int(match[2])) != value  # canonical base64 only
    ):
        raise BadUserInput(f"{field}: not a valid global ID", field=field)
    return match[1], int(match[2])


def expect_global_id(value: str, expected: type[Node], *, field: str = "id") -> int:
    """The database id of a global ID that must be of the expected type."""
    type_name, db_id = decode_global_id(value, field=field)
    if type_name != expected.graphql_type_name():
        raise BadUserInput(
            f"{field}: the ID is of a {type_name}, expected a {expected.graphql_type_name()}",
            field=field,
        )
    return db_id


# --- cursors --------------------------------------------------------------------------------
#
# A cursor is the URL-safe base64 of the JSON ``[list, ordering, [value, …]]``: the list it was
# made for (``Ordering.subject``, the table of its rows), the ordering's name, and the row's sort
# values, each written as its kind requires (a date as ``YYYY-MM-DD``, a timestamp as ISO 8601 in
# UTC). A cursor comes back from the client, so every part is checked against the ordering it is
# used with before any SQL is built: a value of the wrong kind (a list, a huge integer, NaN, a
# string where a date belongs …) would otherwise reach the driver, which fails on one database and
# not on the other. Finally the cursor must be exactly the one this code would write for that
# position, so there is one spelling per position.

MAX_CURSOR_LENGTH = 4096
"""Longer than any cursor we issue (the longest sort value is a 200-character name)."""

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?\+00:00"
)


def sort_value_kind(key: SortKey) -> tuple[str, int | None]:
    """The kind of a sort key's values (int, float, str, date, timestamp) and a string's length."""
    type_ = key.column.type
    while isinstance(type_, sa.types.TypeDecorator):
        type_ = type_.impl_instance
    if isinstance(type_, sa.Boolean):
        raise TypeError(f"cannot page by a boolean column: {key.column}")
    if isinstance(type_, sa.Integer):
        return "int", None
    if isinstance(type_, sa.Float):
        return "float", None
    if isinstance(type_, sa.DateTime):
        return "timestamp", None
    if isinstance(type_, sa.Date):
        return "date", None
    if isinstance(type_, sa.String):
        return "str", type_.length
    raise TypeError(f"cannot page by a column of type {type_!r}: {key.column}")


def _encode_value(key: SortKey, value: Any) -> Any:
    kind, _ = sort_value_kind(key)
    if kind == "timestamp":
        return value.astimezone(UTC).isoformat()
    if kind == "date":
        return value.isoformat()
    return value


def _decode_value(key: SortKey, value: Any) -> Any:
    """The sort value a cursor part stands for, if it is of the key's kind."""
    kind, length = sort_value_kind(key)
    if kind == "int":
        if type(value) is not int or not 0 <= value <= INT64_MAX:
            raise InvalidCursor("a sort value is not an integer of the list")
        return value
    if kind == "float":
        if type(value) is not float or not math.isfinite(value):
            raise InvalidCursor("a sort value is not a number of the list")
        return value
    if not isinstance(value, str):
        raise InvalidCursor(f"a sort value is not a {'text' if kind == 'str' else kind}")
    if kind == "date":
        if not _DATE.fullmatch(value):
            raise InvalidCursor("a sort value is not a date")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidCursor("a sort value is not a date") from None
    if kind == "timestamp":
        if not _TIMESTAMP.fullmatch(value):
            raise InvalidCursor("a sort value is not a timestamp")
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise InvalidCursor("a sort value is not a timestamp") from None
    problem = text_problem(value, max_length=length)
    if problem is not None:
        raise InvalidCursor(f"a sort value {problem}")
    return value


def encode_cursor(ordering: Ordering, position: Position) -> str:
    """An opaque cursor for a row at a position in an ordering (of its list)."""
    values = [_encode_value(k, v) for k, v in zip(ordering.keys, position, strict=True)]
    payload = [ordering.subject, ordering.name, values]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return base64.urlsafe_b64encode(text.encode()).decode()


def _refuse_constant(name: str) -> Any:
    raise InvalidCursor("a sort value is not a number")  # NaN, Infinity: not JSON, not a position


def decode_cursor(cursor: str, ordering: Ordering) -> Position:
    """The position a cursor stands for in this ordering of this list, or BAD_USER_INPUT.

    Refused: anything that is not a cursor we wrote (old-format cursors included: they are
    short-lived), a cursor of another list or ordering, and sort values of the wrong kind.
    """
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("malformed")
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii"))
        payload = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, UnicodeError, binascii.Error, RecursionError):
        raise InvalidCursor("malformed") from None
    if not (isinstance(payload, list) and len(payload) == 3 and isinstance(payload[2], list)):
        raise InvalidCursor("malformed")
    subject, name, values = payload
    if subject != ordering.subject:
        raise InvalidCursor("made for another list")
    if name != ordering.name:
        raise InvalidCursor("made for another ordering of this list")
    if len(values) != len(ordering.keys):
        raise InvalidCursor("its sort values do not fit the ordering")
    position = tuple(_decode_value(k, v) for k, v in zip(ordering.keys, values, strict=True))
    if encode_cursor(ordering, position) != cursor:
        raise InvalidCursor("not written the way this hub writes cursors")
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
    # An empty cursor is not a cursor (the first page is asked for without one).
    position = decode_cursor(after, ordering) if after is not None else None
    page: Page[Any] = await db.run(
        lambda session: fetch_page(
            session, stmt=stmt, ordering=ordering, first=first, after=position
        )
    )
    if prefetch is not None:
        await prefetch(page.rows)
    edges = [
        Edge(cursor=encode_cursor(ordering, pos), node=to_node(row))
        for row, pos in zip(page.rows, page.positions, strict=True)
    ]

    async def count() -> int:
        return await db.run(lambda session: count_rows(session, stmt=stmt))

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
