"""``hub serve``: the hub over HTTP (GraphQL at /graphql), optionally with the sandboxes."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer

from hub.cli.common import fail, in_transaction, load_settings, say, where
from hub.config import Settings

if TYPE_CHECKING:
    import uvicorn
    from sqlalchemy.ext.asyncio import AsyncEngine


def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default HUB_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default HUB_PORT).")] = None,
    with_sandboxes: Annotated[
        bool,
        typer.Option(
            "--with-sandboxes",
            help="Also serve the fake upstreams (as `hub sandbox`) and sync from them at start "
            "and on schedule (development).",
        ),
    ] = False,
) -> None:
    """Serve the hub over HTTP (GraphQL at /graphql)."""
    import uvicorn

    from hub.app import create_app

    settings = load_settings()
    host = host or settings.host
    port = port or settings.port
    if with_sandboxes:
        if settings.is_production:
            raise fail("--with-sandboxes is for development; HUB_ENV is production", 2)
        settings = settings.model_copy(update={"scheduler": True, "sync_on_start": True})
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    if settings.is_production:
        say(f"hub: serving GraphQL at http://{shown}:{port}/graphql")
    else:
        say(f"hub: GraphiQL at http://{shown}:{port}/graphql  (database: {where(settings)})")
        _show_demo_keys(settings)
    from hub.http_limits import server_config
    from hub.observability import TracingUnavailable, configure_logging
    from hub.store.session import engine_from_settings

    configure_logging(settings)  # JSON lines in production; uvicorn's go the same way
    # The database's timeouts from the settings (HUB_DATABASE_*_TIMEOUT_SECONDS), and uvicorn's
    # limits with the guards against slow clients (HUB_SERVER_*; hub.http_limits).
    engine = engine_from_settings(settings)
    try:
        hub_app = create_app(settings, engine=engine)
    except TracingUnavailable as exc:
        raise fail(str(exc), 2) from None
    config = server_config(
        hub_app, settings, host=host, port=port, log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    # The loop uvicorn would pick itself (uvloop when installed), as Server.run does.
    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(_serve_until_stopped(server, engine=engine, with_sandboxes=with_sandboxes))


async def _serve_until_stopped(
    server: uvicorn.Server, *, engine: AsyncEngine, with_sandboxes: bool
) -> None:
    """Serve (with the sandboxes too when asked); the engine is closed once serving stops."""
    try:
        if with_sandboxes:
            await _serve_with_sandboxes(server)
        else:
            await server.serve()
    finally:
        await engine.dispose()


def _show_demo_keys(settings: Settings) -> None:
    """Development: print the demo keys in the store, so a newcomer can explore every role."""
    from hub.services import identity

    try:
        keys = in_transaction(settings, identity.list_demo_clients)
    except typer.Exit:
        return  # e.g. not migrated yet: serving will say so
    if not keys:
        return
    say("hub: demo API keys (development; send as `Authorization: Bearer <key>`):")
    for role, (unit, key) in keys.items():
        say(f"       {role.value:<22} {unit:<24} {key}")


async def _serve_with_sandboxes(hub_server: uvicorn.Server) -> None:
    """The hub and the sandboxes in one process; the sandboxes are up before the first sync."""
    from hub.cli.sandbox import start_sandboxes

    sandboxes = await start_sandboxes(seed=20221078, scale=1)
    try:
        await hub_server.serve()
    finally:
        for server, _ in sandboxes:
            server.should_exit = True
        await asyncio.gather(*(task for _, task in sandboxes), return_exceptions=True)
