"""Pages on their way from the upstream to the store: a window's pages with what the connector
made of their records (``parsed_pages``), the read-ahead that fetches and parses the next pages
while one is written, and the page token as the stream's checkpoint stores it. Used by the engine
(``hub.sync.engine``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, TypeVar

from connectors.core import (
    Connector,
    InvalidRecord,
    MappedRecord,
    Page,
    PageToken,
    StreamSpec,
    Tombstone,
    Window,
)
from connectors.errors import UpstreamUnavailable
from connectors.paging import PageSource, iter_pages
from hub.sync.translate import upstream_error

READ_AHEAD = 2
"""Pages fetched and parsed ahead of the one being written, at most (besides one in progress)."""
PARSE_SLICE = 100
"""Records parsed between two turns of the event loop (a page of 1,000 takes ~15 ms)."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ParsedPage:
    """A page and what the connector made of its records."""

    page: Page
    items: list[MappedRecord | Tombstone]
    invalid: list[tuple[Mapping[str, Any], InvalidRecord]]
    raw_by_id: dict[str, Mapping[str, Any]]
    """The raw record of each valid item, by source id (a quarantined payload, if refused)."""


async def parsed_pages(
    client: PageSource,
    connector: Connector,
    stream: StreamSpec,
    window: Window,
    token: PageToken,
) -> AsyncGenerator[ParsedPage, None]:
    """The window's pages from ``token`` on, each with its records parsed; a connector's
    failure comes out as the hub's (``hub.sync.translate.upstream_error``)."""
    try:
        async with aclosing(iter_pages(client, stream, window, token)) as pages:
            async for page in pages:
                items: list[MappedRecord | Tombstone] = []
                invalid: list[tuple[Mapping[str, Any], InvalidRecord]] = []
                raw_by_id: dict[str, Mapping[str, Any]] = {}
                for number, raw in enumerate(page.records, 1):
                    if number % PARSE_SLICE == 0:
                        # Let the page being written go on: its next statement waits for us.
                        await asyncio.sleep(0)
                    try:
                        item = connector.parse(stream, raw)
                    except InvalidRecord as exc:
                        invalid.append((raw, exc))
                        continue
                    items.append(item)
                    raw_by_id[item.source_id] = raw
                yield ParsedPage(page, items, invalid, raw_by_id)
    except UpstreamUnavailable as exc:
        raise upstream_error(exc) from exc


async def read_ahead(
    items: AsyncGenerator[T, None], *, ahead: int = READ_AHEAD
) -> AsyncGenerator[T, None]:
    """Yield the items of ``items`` while a task of its own produces up to ``ahead`` more.

    The sync engine writes a page while the next ones are fetched and parsed: the upstream's
    serving, the hub's parsing and the database's work overlap instead of adding up. An error
    producing an item is raised when that item is asked for, i.e. after the ones before it were
    handled; when the consumer stops early, the production is cancelled and its items dropped.
    """
    queue: asyncio.Queue[tuple[bool, T | None, Exception | None]] = asyncio.Queue(ahead)

    async def produce() -> None:
        try:
            async for item in items:
                await queue.put((True, item, None))
        except Exception as exc:  # handed to the consumer, in order
            await queue.put((False, None, exc))
        else:
            await queue.put((False, None, None))

    producer = asyncio.create_task(produce())
    try:
        while True:
            more, item, error = await queue.get()
            if error is not None:
                raise error
            if not more:
                return
            yield item  # type: ignore[misc]
    finally:
        producer.cancel()
        await asyncio.wait([producer])
        await items.aclose()


def encode_token(token: PageToken) -> str | None:
    return None if token is None else json.dumps(token)


def decode_token(text: str | None) -> PageToken:
    return None if text is None else json.loads(text)
