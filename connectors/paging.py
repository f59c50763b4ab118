"""Page-number, offset and cursor paging: the query of a page, the page read from an answer, and
the walk of a window from page to page.

A stream declares its kind of paging (``connectors.core.PageNumberPaging``, ``OffsetPaging``,
``CursorPaging``); the HTTP client (``connectors.http.UpstreamClient.fetch_page``) sends the query
``page_params`` makes and reads the answer with ``read_page``; ``iter_pages`` walks a window from
a page token to the last page, and refuses an upstream that sends it round in circles.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Mapping
from datetime import UTC, datetime
from typing import Protocol

from connectors.core import (
    JSON,
    CursorPaging,
    OffsetPaging,
    Page,
    PageNumberPaging,
    PageToken,
    StreamSpec,
    Window,
)
from connectors.errors import PagingLoop, UpstreamProtocolError


class PageSource(Protocol):
    """What walks a window's pages: the upstream client of one source."""

    source: str

    async def fetch_page(self, stream: StreamSpec, window: Window, token: PageToken) -> Page:
        """The page of ``stream`` in ``window`` that ``token`` points at (None: the first)."""
        ...


def follows_link(stream: StreamSpec, token: PageToken) -> str | None:
    """The URL of the next page when the stream's cursor is a link (it carries the whole query,
    window bounds included); None when the page is asked for with ``page_params``."""
    paging = stream.paging
    if isinstance(paging, CursorPaging) and paging.next_is_link and token is not None:
        return str(token)
    return None


def page_params(stream: StreamSpec, window: Window, token: PageToken) -> dict[str, str]:
    """The query of a page: the stream's own parameters, the window's bounds and the paging's."""
    params = {**stream.params, **_window_params(stream, window)}
    params.update(_paging_params(stream, token))
    return params


def read_page(
    data: JSON,
    stream: StreamSpec,
    token: PageToken,
    *,
    source: str,
    resolve_link: Callable[[str], str],
    retries: int = 0,
    rate_limited: int = 0,
) -> Page:
    """The page an upstream answered with: its records, its total when the paging has one, and
    the token of the next page (None after the last). ``resolve_link`` turns a next link into
    the absolute URL to fetch (the client resolves it against the page and keeps it on the
    upstream). ``UpstreamProtocolError`` when the answer does not have the declared shape."""
    op = f"list {stream.name}"
    paging = stream.paging
    records = _records_at(data, stream.record_path)
    if records is None:
        path = ".".join(stream.record_path) or "(root)"
        raise UpstreamProtocolError(source, op=op, reason=f"no record list at {path}")
    total = None
    if not isinstance(paging, CursorPaging) and paging.total_path is not None:
        found, value = _value_at(data, paging.total_path)
        if found and value is not None:
            if not isinstance(value, int) or isinstance(value, bool):
                raise UpstreamProtocolError(source, op=op, reason="total is not an integer")
            total = value

    n = len(records)
    full = n >= stream.page_size
    next_token: PageToken
    if isinstance(paging, PageNumberPaging):
        page = int(token) if token is not None else paging.first_page
        seen = (page - paging.first_page + 1) * stream.page_size
        next_token = page + 1 if full and (total is None or seen < total) else None
    elif isinstance(paging, OffsetPaging):
        offset = int(token) if token is not None else 0
        next_token = offset + n if full and (total is None or offset + n < total) else None
    else:
        next_token = _next_cursor(data, paging, source=source, op=op, resolve_link=resolve_link)
    return Page(
        records=records,
        next_token=next_token,
        token=token,
        total=total,
        retries=retries,
        rate_limited=rate_limited,
    )


async def iter_pages(
    client: PageSource, stream: StreamSpec, window: Window, start_token: PageToken = None
) -> AsyncGenerator[Page, None]:
    """Yield the pages of ``stream`` in ``window`` from ``start_token`` until the last one.

    Raises ``PagingLoop`` when a page token comes back within the window, or when a non-empty
    page has the same record keys as the page before it (an upstream ignoring our paging).
    """
    op = f"list {stream.name}"
    seen: set[str] = set()
    previous_keys: tuple[str, ...] = ()
    token = start_token
    while True:
        if token is not None:
            if str(token) in seen:
                # Opaque cursors and links stay out of the message: they may embed anything.
                shown = f" ({token})" if isinstance(token, int) else ""
                raise PagingLoop(client.source, op=op, reason=f"page token repeated{shown}")
            seen.add(str(token))
        page = await client.fetch_page(stream, window, token)
        keys = tuple(str(record.get(stream.primary_key)) for record in page.records)
        if keys and keys == previous_keys:
            raise PagingLoop(client.source, op=op, reason="the same page came back twice")
        previous_keys = keys
        yield page
        if page.next_token is None:
            return
        token = page.next_token


def _next_cursor(
    data: JSON,
    paging: CursorPaging,
    *,
    source: str,
    op: str,
    resolve_link: Callable[[str], str],
) -> PageToken:
    _, value = _value_at(data, paging.next_path)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise UpstreamProtocolError(source, op=op, reason="next cursor is not a string")
    if not paging.next_is_link:
        return value
    return resolve_link(str(value))


def _iso_utc(moment: datetime) -> str:
    """``2026-11-25T04:00:00Z`` (microseconds kept when present, so no record slips between)."""
    if moment.tzinfo is None:
        raise ValueError("window bounds must be timezone-aware")
    spec = "microseconds" if moment.microsecond else "seconds"
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def _window_params(stream: StreamSpec, window: Window) -> dict[str, str]:
    params = {stream.upper_param: _iso_utc(window.upper)}
    if window.lower is not None:
        params[stream.lower_param] = _iso_utc(window.lower)
    return params


def _paging_params(stream: StreamSpec, token: PageToken) -> dict[str, str]:
    paging = stream.paging
    size = str(stream.page_size)
    if isinstance(paging, PageNumberPaging):
        page = int(token) if token is not None else paging.first_page
        return {paging.page_param: str(page), paging.size_param: size}
    if isinstance(paging, OffsetPaging):
        offset = int(token) if token is not None else 0
        return {paging.offset_param: str(offset), paging.limit_param: size}
    params = {paging.size_param: size}
    if token is not None:
        params[paging.cursor_param] = str(token)
    return params


def _value_at(data: JSON, path: tuple[str, ...]) -> tuple[bool, JSON]:
    node = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False, None
        node = node[key]
    return True, node


def _records_at(data: JSON, path: tuple[str, ...]) -> list[Mapping[str, JSON]] | None:
    found, records = _value_at(data, path)
    if not found or not isinstance(records, list):
        return None
    if not all(isinstance(record, dict) for record in records):
        return None
    return records
