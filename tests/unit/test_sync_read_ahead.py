"""``read_ahead``: the sync engine fetches the next page while it writes the current one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import aclosing

import pytest

from hub.sync.pages import read_ahead


class Boom(Exception):
    """The upstream failed on a page."""


async def produced(log: list[str], *, fail_at: int | None = None) -> AsyncGenerator[int, None]:
    try:
        for number in range(1, 5):
            log.append(f"fetch {number}")
            await asyncio.sleep(0)
            if number == fail_at:
                raise Boom(number)
            yield number
    finally:
        log.append("closed")


async def test_the_next_item_is_produced_while_the_current_one_is_handled() -> None:
    """Item n + 1 is asked for before item n is handled, and every item arrives in order."""
    log: list[str] = []
    async with aclosing(read_ahead(produced(log))) as items:
        async for number in items:
            await asyncio.sleep(0)  # the handling of an item waits, e.g. for the database
            log.append(f"handle {number}")
    assert log.index("fetch 2") < log.index("handle 1")
    assert [entry for entry in log if entry.startswith("handle")] == [
        "handle 1",
        "handle 2",
        "handle 3",
        "handle 4",
    ]
    assert log.count("closed") == 1


async def test_an_error_producing_the_next_item_comes_after_the_current_one() -> None:
    """A failed fetch of page n + 1 does not cut the handling of page n short: it is raised when
    page n + 1 is asked for."""
    log: list[str] = []
    handled: list[int] = []
    with pytest.raises(Boom):
        async with aclosing(read_ahead(produced(log, fail_at=3))) as items:
            async for number in items:
                await asyncio.sleep(0)
                handled.append(number)
    assert handled == [1, 2]
    assert log[-1] == "closed"


async def test_stopping_early_cancels_the_item_in_production() -> None:
    """When the consumer stops (an error of its own), nothing is left running or unretrieved."""
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def slow() -> AsyncGenerator[int, None]:
        yield 1
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        yield 2  # pragma: no cover

    with pytest.raises(Boom):
        async with aclosing(read_ahead(slow())) as items:
            async for _ in items:
                await started.wait()
                raise Boom("the page could not be written")
    assert cancelled.is_set()
