"""``hub demo-data``: the demo data of 伊金霍洛旗 into the store (development and tests)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from hub.cli.common import (
    Database,
    fail,
    in_transaction,
    load_settings,
    run_on_database,
    say,
    where,
)


def demo_data(
    scale: Annotated[int, typer.Option(min=1, max=50, help="Multiply the counts.")] = 1,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 20221078,
    replace: Annotated[
        bool, typer.Option("--replace", help="Delete all data in the store first (reload).")
    ] = False,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Load only into an empty store; else do nothing.")
    ] = False,
    local_only: Annotated[
        bool,
        typer.Option(
            "--local-only",
            help="Load only local records; the upstream ones come from a sync with the sandboxes.",
        ),
    ] = False,
) -> None:
    """Load the demo data of 伊金霍洛旗, dated around today (reload it with --replace).

    The same seed on the same day gives the same data.
    """
    from hub.demo.load import load_demo_data, store_is_empty
    from hub.services import identity

    settings = load_settings()
    if settings.is_production:
        raise fail("demo data is for development and tests; HUB_ENV is production", 2)

    async def load(database: Database) -> str | None:
        async with database.sessionmaker() as session, session.begin():
            if if_empty and not await store_is_empty(session):
                return None
            summary = await load_demo_data(
                session,
                settings=settings,
                scale=scale,
                seed=seed,
                replace=replace,
                progress=say,
                today=datetime.now(ZoneInfo(settings.timezone)).date(),
                upstream=not local_only,
            )
            return str(summary)

    started = time.perf_counter()
    summary = run_on_database(settings, load)
    if summary is None:
        say(f"hub: {where(settings)} already holds data; demo data not loaded")
        return
    in_transaction(settings, identity.create_demo_clients)
    say(f"hub: demo data loaded in {time.perf_counter() - started:.1f} s: {summary}")
