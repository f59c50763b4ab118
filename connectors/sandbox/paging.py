"""The window filter and the three paging kinds a sandbox serves, over a ``RecordStore``.

Query parameters: ``updatedFrom`` (inclusive) and ``updatedTo`` (exclusive), ISO 8601 instants;
then per kind ``page`` + ``pageSize`` (from 1), ``offset`` + ``limit``, or ``cursor`` + ``limit``.
Page and offset positions are counted in the window as it is *now*: a record that changes while
a client pages moves to the end (its ``updatedAt`` is now) and shifts the pages after it, as on a
real upstream. A cursor is a keyset position — the ``(updatedAt, id)`` of the last record served,
with the window — so records changing behind it do not shift it.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from connectors.sandbox.records import RecordStore, StoredRecord, iso, parse_instant

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
LOWER_PARAM = "updatedFrom"
UPPER_PARAM = "updatedTo"


class PagingKind(enum.StrEnum):
    """How a stream is paged."""

    PAGE = "page"  # page + pageSize, total in the envelope
    OFFSET = "offset"  # offset + limit, total in the envelope
    CURSOR = "cursor"  # opaque cursor + limit, next cursor (and next link) in the envelope


class BadRequest(ValueError):
    """A query parameter the sandbox cannot use (answered with 400)."""


@dataclass(frozen=True, slots=True)
class PageInfo:
    """What an envelope says about a page besides its records."""

    kind: PagingKind
    size: int
    total: int | None = None
    page: int | None = None
    offset: int | None = None
    next_cursor: str | None = None
    next_params: Mapping[str, str] | None = None
    """Query of the next page (window, size and cursor), for a next link."""


@dataclass(frozen=True, slots=True)
class ServedPage:
    """One page: its records, what the envelope says, and the window it came from."""

    records: list[StoredRecord]
    info: PageInfo
    window: range
    first: bool
    """Whether this is the first page of its window (page 1, offset 0, no cursor)."""


def serve_page(store: RecordStore, kind: PagingKind, query: Mapping[str, str]) -> ServedPage:
    """The page of ``store`` that ``query`` asks for; ``BadRequest`` if it asks wrongly."""
    lower = _instant(query, LOWER_PARAM)
    upper = _instant(query, UPPER_PARAM)
    token = query.get("cursor") if kind is PagingKind.CURSOR else None
    position = None
    if token:
        # A cursor carries its window: the bounds may be left out, but not changed.
        c_lower, c_upper, position = decode_cursor(token)
        if (lower or c_lower) != c_lower or (upper or c_upper) != c_upper:
            raise BadRequest("cursor belongs to another window")
        lower, upper = c_lower, c_upper
    if lower is not None and upper is not None and upper < lower:
        raise BadRequest(f"{UPPER_PARAM} is before {LOWER_PARAM}")
    window = store.window(lower, upper)
    ordered = store.ordered()
    if kind is PagingKind.PAGE:
        page = _int(query, "page", 1, minimum=1)
        size = _int(query, "pageSize", DEFAULT_PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE)
        start = window.start + (page - 1) * size
        info = PageInfo(kind, size, total=len(window), page=page)
        return ServedPage(_slice(ordered, window, start, size), info, window, first=page == 1)
    if kind is PagingKind.OFFSET:
        offset = _int(query, "offset", 0, minimum=0)
        size = _int(query, "limit", DEFAULT_PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE)
        info = PageInfo(kind, size, total=len(window), offset=offset)
        start = window.start + offset
        return ServedPage(_slice(ordered, window, start, size), info, window, first=offset == 0)

    size = _int(query, "limit", DEFAULT_PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE)
    start = window.start if position is None else max(window.start, store.index_after(position))
    records = _slice(ordered, window, start, size)
    next_cursor = None
    next_params = None
    if records and start + len(records) < window.stop:
        next_cursor = encode_cursor(lower, upper, records[-1].key)
        next_params = {
            **({LOWER_PARAM: _exact(lower)} if lower else {}),
            **({UPPER_PARAM: _exact(upper)} if upper else {}),
            "limit": str(size),
            "cursor": next_cursor,
        }
    info = PageInfo(kind, size, next_cursor=next_cursor, next_params=next_params)
    return ServedPage(records, info, window, first=position is None)


def _slice(ordered: list[StoredRecord], window: range, start: int, size: int) -> list[StoredRecord]:
    return ordered[min(start, window.stop) : min(start + size, window.stop)]


def encode_cursor(
    lower: datetime | None, upper: datetime | None, position: tuple[datetime, str]
) -> str:
    """An opaque cursor: the window and the last position served, base64url of JSON."""
    data = [_exact(lower) if lower else None, _exact(upper) if upper else None, iso(position[0])]
    text = json.dumps([*data, position[1]], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[datetime | None, datetime | None, tuple[datetime, str]]:
    """The window and the position in a cursor; ``BadRequest`` if it is garbled."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        low, up, at, record_id = json.loads(text)
        return (
            parse_instant(low) if low else None,
            parse_instant(up) if up else None,
            (parse_instant(at), str(record_id)),
        )
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadRequest("cursor is not valid") from exc


def _exact(moment: datetime) -> str:
    # Window bounds keep the client's precision (microseconds), so that no page moves them.
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _instant(query: Mapping[str, str], name: str) -> datetime | None:
    text = query.get(name)
    if not text:
        return None
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise BadRequest(f"{name} must be an ISO 8601 instant with a time zone") from exc


def _int(
    query: Mapping[str, str],
    name: str,
    default: int,
    *,
    minimum: int,
    maximum: int | None = None,
) -> int:
    text = query.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError as exc:
        raise BadRequest(f"{name} must be an integer") from exc
    if value < minimum or (maximum is not None and value > maximum):
        raise BadRequest(f"{name} must be between {minimum} and {maximum or 'any'}")
    return value
