"""Pages on their way from the upstream to the store: a page with what the connector made of its
records, the read-ahead that fetches and parses the next pages while one is written, and the
page token as the stream's checkpoint stores it. Used by the engine (``hub.sync.engine``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from connectors.core import InvalidRecord, MappedRecord, Page, PageToken, Tombstone

READ_AHEAD = 2
"""Pages fetched and parsed ahead of the one being written, at most (besides one in progress)."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ParsedPage:
    """A page and what the connector made of its records."""

    page: Page
    items: list[MappedRecord | Tombstone]
    invalid: list[tuple[Mapping[str, Any], InvalidRecord]]
    raw_by_id: dict[str, Mapping[str, Any]]
    """The raw record of each valid item, by source id (a quarantined payload, if refused)."""


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
