"""``hub sandbox``: the fake upstream platforms on their loopback ports (development, tests).

``start_sandboxes`` is shared with ``hub serve --with-sandboxes``.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from hub.cli.common import fail, say

if TYPE_CHECKING:
    import uvicorn

Started = list[tuple["uvicorn.Server", asyncio.Task[None]]]
"""The sandboxes' servers, each with the task serving it."""


def sandbox(
    seed: Annotated[int, typer.Option(help="Random seed of the sandboxes' data.")] = 20221078,
    scale: Annotated[int, typer.Option(min=1, max=50, help="Multiply the counts.")] = 1,
    host: Annotated[
        str, typer.Option(help="Address to bind (0.0.0.0 in a container; loopback by default).")
    ] = "127.0.0.1",
) -> None:
    """Serve the fake upstream platforms (sandboxes) on their ports, until interrupted."""

    async def serve_all() -> None:
        sandboxes = await start_sandboxes(seed=seed, scale=scale, host=host)
        say("hub: sandboxes ready; Ctrl-C stops them")
        try:
            await asyncio.gather(*(task for _, task in sandboxes))
        finally:
            for server, _ in sandboxes:
                server.should_exit = True

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_all())


async def start_sandboxes(*, seed: int, scale: int, host: str = "127.0.0.1") -> Started:
    """Start every sandbox (a uvicorn server each) and wait until all listen."""
    import uvicorn

    from connectors.sandboxes import sandbox_apps
    from hub.demo.world import demo_world
    from hub.sync.sandboxes import SANDBOX_PORTS

    # The sandboxes serve the demo data set of this seed and scale, dated today.
    apps = sandbox_apps(demo_world(seed=seed, scale=scale, today=date.today()))
    # Each server takes the signals while it serves (uvicorn's capture_signals): with
    # --with-sandboxes the hub's, started last, gets Ctrl-C, and the sandboxes stop after it.
    started: Started = []
    for name, port in SANDBOX_PORTS.items():
        server = uvicorn.Server(
            uvicorn.Config(apps[name], host=host, port=port, log_level="warning")
        )
        started.append((server, asyncio.create_task(server.serve())))
        say(f"hub: sandbox {name} at http://{host}:{port}")
    while not all(server.started for server, _ in started):
        if any(task.done() for _, task in started):
            raise fail("a sandbox could not start (is its port taken? see `hub sandbox`)")
        await asyncio.sleep(0.05)
    return started
