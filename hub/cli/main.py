"""The ``hub`` command: serve, migrate, demo-data, export-schema, sync, sandbox, clients, tokens,
audit …

Every command reads its settings from the environment (``HUB_*``) and says on stderr what it is
doing; results meant for other programs (the schema) go to stdout.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer

from hub.config import Settings, get_settings
from hub.errors import HubError

if TYPE_CHECKING:
    import uvicorn
    from sqlalchemy.ext.asyncio import AsyncEngine

app = typer.Typer(
    help="GraphQL integration hub for the property-service supervision of 伊金霍洛旗.",
    no_args_is_help=True,
    add_completion=False,
)


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def _settings() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:
        raise _fail(f"invalid settings: {exc}", 2) from None


def _where(settings: Settings) -> str:
    path = settings.sqlite_path()
    return f"SQLite file {path}" if path else settings.database_url.split("@")[-1]


@app.command()
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

    settings = _settings()
    host = host or settings.host
    port = port or settings.port
    if with_sandboxes:
        if settings.is_production:
            raise _fail("--with-sandboxes is for development; HUB_ENV is production", 2)
        settings = settings.model_copy(update={"scheduler": True, "sync_on_start": True})
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    if settings.is_production:
        _say(f"hub: serving GraphQL at http://{shown}:{port}/graphql")
    else:
        _say(f"hub: GraphiQL at http://{shown}:{port}/graphql  (database: {_where(settings)})")
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
        raise _fail(str(exc), 2) from None
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
        keys = _in_transaction(settings, identity.demo_clients_present)
    except typer.Exit:
        return  # e.g. not migrated yet: serving will say so
    if not keys:
        return
    _say("hub: demo API keys (development; send as `Authorization: Bearer <key>`):")
    for role, (unit, key) in keys.items():
        _say(f"       {role.value:<22} {unit:<24} {key}")


async def _serve_with_sandboxes(hub_server: Any) -> None:
    """The hub and the sandboxes in one process; the sandboxes are up before the first sync."""
    sandboxes = await _start_sandboxes(seed=20221078, scale=1)
    try:
        await hub_server.serve()
    finally:
        for server, _ in sandboxes:
            server.should_exit = True
        await asyncio.gather(*(task for _, task in sandboxes), return_exceptions=True)


async def _start_sandboxes(
    *, seed: int, scale: int, host: str = "127.0.0.1"
) -> list[tuple[Any, asyncio.Task[None]]]:
    import uvicorn

    from connectors.sandboxes import sandbox_apps
    from hub.demo.world import demo_world
    from hub.sync.sandboxes import SANDBOX_PORTS

    # The sandboxes serve the demo data set of this seed and scale, dated today.
    apps = sandbox_apps(demo_world(seed=seed, scale=scale, today=date.today()))
    started = []
    for name, port in SANDBOX_PORTS.items():
        server = uvicorn.Server(
            uvicorn.Config(apps[name], host=host, port=port, log_level="warning")
        )
        # The hub's server handles Ctrl-C; the sandboxes stop when it does.
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        started.append((server, asyncio.create_task(server.serve())))
        _say(f"hub: sandbox {name} at http://{host}:{port}")
    while not all(server.started for server, _ in started):
        if any(task.done() for _, task in started):
            raise _fail("a sandbox could not start (is its port taken? see `hub sandbox`)")
        await asyncio.sleep(0.05)
    return started


@app.command()
def migrate() -> None:
    """Upgrade the database schema to the newest revision."""
    from hub.store.migrate import upgrade_to_head
    from hub.store.session import create_engine

    settings = _settings()

    async def run() -> tuple[str | None, str]:
        engine = create_engine(settings.database_url)
        try:
            return await upgrade_to_head(engine, keyring=settings.pii_keyring())
        finally:
            await engine.dispose()

    before, after = asyncio.run(run())
    if before == after:
        _say(f"hub: {_where(settings)} is at revision {after}; nothing to do")
    else:
        _say(f"hub: migrated {_where(settings)} from {before or '(empty)'} to {after}")


@app.command("demo-data")
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
    from hub.store.migrate import ensure_at_head
    from hub.store.session import create_engine, create_sessionmaker

    settings = _settings()
    if settings.is_production:
        raise _fail("demo data is for development and tests; HUB_ENV is production", 2)

    async def run() -> str | None:
        engine = create_engine(settings.database_url)
        try:
            await ensure_at_head(engine)
            async with create_sessionmaker(engine)() as session, session.begin():
                if if_empty and not await store_is_empty(session):
                    return None
                summary = await load_demo_data(
                    session,
                    settings=settings,
                    scale=scale,
                    seed=seed,
                    replace=replace,
                    progress=_say,
                    today=datetime.now(ZoneInfo(settings.timezone)).date(),
                    upstream=not local_only,
                )
                return str(summary)
        finally:
            await engine.dispose()

    started = time.perf_counter()
    try:
        summary = asyncio.run(run())
    except HubError as exc:
        raise _fail(exc.message, 2) from None
    if summary is None:
        _say(f"hub: {_where(settings)} already holds data; demo data not loaded")
        return
    from hub.services import identity

    _in_transaction(settings, identity.ensure_demo_clients)
    _say(f"hub: demo data loaded in {time.perf_counter() - started:.1f} s: {summary}")


@app.command()
def sync(
    source: Annotated[
        str | None,
        typer.Argument(help="Source to sync (ordos, tender, utility:…); all if omitted."),
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Pull everything and mark what is gone as deleted.")
    ] = False,
) -> None:
    """Sync from the upstream platforms now, with a progress bar and a summary."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from hub.errors import SyncBusy
    from hub.services.findings import evaluate_findings
    from hub.store.migrate import ensure_at_head
    from hub.store.session import create_engine, create_sessionmaker
    from hub.sync.manager import SyncManager
    from hub.sync.reports import Progress as SyncProgress
    from hub.sync.reports import RunReport

    settings = _settings()
    console = Console(stderr=True)

    async def run() -> list[RunReport]:
        engine = create_engine(settings.database_url)
        # The findings follow the synced data (``run_after_sync`` below).
        manager = SyncManager(settings, create_sessionmaker(engine), after_sync=evaluate_findings)
        names = [source] if source else sorted(manager.sources)
        for name in names:
            manager.source(name)
        reports = []
        try:
            await ensure_at_head(engine)
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            ) as bar:
                tasks: dict[str, int] = {}
                for name in names:

                    def show(event: SyncProgress, name: str = name) -> None:
                        key = f"{name} · {event.stream}"
                        if key not in tasks:
                            tasks[key] = bar.add_task(key, total=event.total)
                        bar.update(tasks[key], completed=event.fetched, total=event.total)

                    try:
                        reports.append(
                            await manager.run(name, full=full, trigger="cli", progress=show)
                        )
                    except SyncBusy as exc:
                        console.print(f"[yellow]{exc.message}[/yellow]")
            if reports:
                await manager.run_after_sync()  # the findings follow the synced data
        finally:
            await manager.aclose()
            await engine.dispose()
        return reports

    # As `hub serve` does: the start-up objects (modules, mappers, schema) out of the collector's
    # way, so that a long sync does not walk them again and again.
    gc.collect()
    gc.freeze()
    try:
        reports = asyncio.run(run())
    except HubError as exc:
        raise _fail(exc.message, 2) from None
    table = Table(title="sync summary")
    for column in (
        "source",
        "status",
        "fetched",
        "inserted",
        "updated",
        "unchanged",
        "quarantined",
        "deleted",
        "reconcile",
        "retries",
        "429s",
    ):
        table.add_column(column, justify="left" if column in {"source", "status"} else "right")
    for report in reports:
        table.add_row(
            report.source,
            report.status.value,
            *(
                str(report.total(n))
                for n in (
                    "fetched",
                    "inserted",
                    "updated",
                    "unchanged",
                    "quarantined",
                    "deleted",
                    "reconciliation",
                    "retries",
                    "rate_limited",
                )
            ),
        )
    console.print(table)
    for report in reports:
        if report.error:
            console.print(f"[red]{report.source}: {report.error}[/red]")
    if any(r.status.value == "FAILED" for r in reports):
        raise typer.Exit(1)


@app.command()
def sandbox(
    seed: Annotated[int, typer.Option(help="Random seed of the sandboxes' data.")] = 20221078,
    scale: Annotated[int, typer.Option(min=1, max=50, help="Multiply the counts.")] = 1,
    host: Annotated[
        str, typer.Option(help="Address to bind (0.0.0.0 in a container; loopback by default).")
    ] = "127.0.0.1",
) -> None:
    """Serve the fake upstream platforms (sandboxes) on their ports, until interrupted."""

    async def serve_all() -> None:
        sandboxes = await _start_sandboxes(seed=seed, scale=scale, host=host)
        _say("hub: sandboxes ready; Ctrl-C stops them")
        try:
            await asyncio.gather(*(task for _, task in sandboxes))
        finally:
            for server, _ in sandboxes:
                server.should_exit = True

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_all())


@app.command("export-schema")
def export_schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
) -> None:
    """Print the GraphQL schema (SDL) of this code."""
    from hub.graphql.schema import build_schema

    sdl = build_schema().as_str() + "\n"
    if output is None:
        sys.stdout.write(sdl)
    else:
        output.write_text(sdl, encoding="utf-8")
        _say(f"hub: schema written to {output}")


# Personal data (issue #4): keys of the encryption at rest ------------------------------------

keys_app = typer.Typer(
    help="Keys of the personal data encrypted at rest (HUB_PII_KEYS).", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")


@keys_app.command("rotate")
def keys_rotate(
    batch_size: Annotated[
        int, typer.Option(min=1, max=10_000, help="Rows re-sealed per transaction.")
    ] = 500,
) -> None:
    """Re-seal every personal-data value with the active key (HUB_PII_ACTIVE_KEY).

    Add the new key to HUB_PII_KEYS, make it active, run this, then remove the old key. Values
    already under the active key are left alone, so the command is idempotent, and each batch
    commits on its own, so an interrupted run resumes where it stopped. Blind indexes of ID
    numbers are not recomputed: their key (HUB_PII_INDEX_KEY) is separate and unchanged.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from hub.domain.crypto import PersonalDataError
    from hub.services import personal_data
    from hub.store.migrate import ensure_at_head
    from hub.store.session import create_engine, create_sessionmaker, for_writing

    settings = _settings()
    keyring = settings.pii_keyring()
    console = Console(stderr=True)
    tables = list(personal_data.SEALED_FIELDS)

    async def count(sessionmaker: Any) -> dict[str, int]:
        async with sessionmaker() as session:
            return {
                table: await personal_data.count_to_rotate(session, keyring, table=table)
                for table in tables
            }

    async def run() -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
        engine = create_engine(settings.database_url)
        try:
            await ensure_at_head(engine)
            sessionmaker = create_sessionmaker(engine)
            todo = await count(sessionmaker)
            done: dict[str, tuple[int, int]] = {}
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            ) as bar:
                for table in tables:
                    task = bar.add_task(table, total=todo[table])
                    after, rows, values = 0, 0, 0
                    while True:
                        async with for_writing(sessionmaker)() as session, session.begin():
                            batch = await personal_data.rotate_batch(
                                session, keyring, table=table, after_id=after, limit=batch_size
                            )
                        if batch.last_id is None:
                            break
                        after, rows, values = (
                            batch.last_id,
                            rows + batch.rows,
                            values + batch.values,
                        )
                        bar.update(task, advance=batch.rows)
                    done[table] = (rows, values)
            return done, await count(sessionmaker)
        finally:
            await engine.dispose()

    try:
        done, left = asyncio.run(run())
    except (HubError, PersonalDataError) as exc:
        raise _fail(exc.message, 2) from None
    table = Table(title=f"re-sealed with key {keyring.active!r}")
    for column in ("table", "rows re-sealed", "values re-sealed", "rows left"):
        table.add_column(column, justify="left" if column == "table" else "right")
    for name, (rows, values) in done.items():
        table.add_row(name, f"{rows:,}", f"{values:,}", f"{left[name]:,}")
    console.print(table)
    if any(left.values()):
        # Rows changed by someone else during the run are skipped; a second run takes them.
        raise _fail("some rows changed during the run and were skipped: run it again", 1)
    others = sorted(keyring.key_ids - {keyring.active})
    unused = f"; {', '.join(others)} may now be removed from HUB_PII_KEYS" if others else ""
    _say(f"hub: every personal-data value is sealed with key {keyring.active!r}{unused}")


# Access (issue #4): API clients, staff tokens in development, the audit log ----------------

clients_app = typer.Typer(help="API keys of member-unit systems.", no_args_is_help=True)
tokens_app = typer.Typer(help="Staff tokens (development).", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
app.add_typer(clients_app, name="clients")
app.add_typer(tokens_app, name="tokens")
app.add_typer(audit_app, name="audit")


def _in_transaction(settings: Settings, work: Any) -> Any:
    """Run ``work(session)`` in one transaction on a migrated database; a HubError ends it."""
    from hub.store.migrate import ensure_at_head
    from hub.store.session import create_engine, create_sessionmaker, for_writing

    async def run() -> Any:
        engine = create_engine(settings.database_url)
        try:
            await ensure_at_head(engine)
            async with for_writing(create_sessionmaker(engine))() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except HubError as exc:
        raise _fail(exc.message, 2) from None


@clients_app.command("create")
def clients_create(
    unit: Annotated[str, typer.Option(help="Code of the member unit, e.g. zjj or town-150627100.")],
    role: Annotated[str, typer.Option(help="The unit's role, e.g. town (see README: Roles).")],
    label: Annotated[str | None, typer.Option(help="What the key is for.")] = None,
) -> None:
    """Create an API key for a member unit's system; the key is the last line printed.

    Only a hash of the key is stored: copy it now, it cannot be shown again.
    """
    from hub.domain.access import Role
    from hub.services import identity

    try:
        role_value = Role(role)
    except ValueError:
        roles = ", ".join(r.value for r in Role if r is not Role.PUBLIC)
        raise _fail(f"unknown role {role!r}; one of: {roles}", 2) from None
    settings = _settings()

    async def work(session: Any) -> identity.NewKey:
        return await identity.create_client(session, unit_code=unit, role=role_value, label=label)

    created = _in_transaction(settings, work)
    _say(
        f"hub: API client {created.client.key_prefix} created for {unit} ({role_value.value}); "
        "send it as `Authorization: Bearer <key>`. The key:"
    )
    typer.echo(created.key)


@clients_app.command("list")
def clients_list() -> None:
    """List API clients: prefix, unit, role, label, created, last used, revoked."""
    from rich.console import Console
    from rich.table import Column, Table

    from hub.services import identity

    rows = _in_transaction(_settings(), identity.list_clients)
    table = Table(
        Column("prefix", no_wrap=True),
        Column("unit", no_wrap=True),
        Column("role", no_wrap=True),
        Column("label", overflow="fold"),
        "created",
        "last used",
        "revoked",
    )
    for client, unit in rows:
        table.add_row(
            client.key_prefix,
            unit.code,
            client.role.value,
            client.label,
            _stamp(client.created_at),
            _stamp(client.last_used_at),
            _stamp(client.revoked_at),
        )
    Console().print(table)


@clients_app.command("revoke")
def clients_revoke(
    prefix: Annotated[str, typer.Argument(help="The key's prefix (see `hub clients list`).")],
) -> None:
    """Revoke an API key at once; requests with it get 401 from now on."""
    from hub.services import identity
    from hub.store.base import utcnow

    async def work(session: Any) -> Any:
        return await identity.revoke_client(session, prefix, now=utcnow())

    client = _in_transaction(_settings(), work)
    _say(f"hub: API client {client.key_prefix} revoked at {_stamp(client.revoked_at)}")


@tokens_app.command("issue")
def tokens_issue(
    unit: Annotated[str, typer.Option(help="Code of the member unit to sign in as.")],
    hours: Annotated[int, typer.Option(min=1, max=24, help="Lifetime in hours.")] = 8,
) -> None:
    """Print a staff token for a unit, signed with the hub's development key.

    Development only: in production staff tokens come from the banner's identity provider.
    """
    from datetime import timedelta

    from hub.services import identity
    from hub.store.base import utcnow

    settings = _settings()
    if settings.is_production:
        raise _fail("tokens are issued by the identity provider in production", 2)
    _in_transaction(settings, lambda session: identity.unit_by_code(session, unit))
    token = identity.issue_token(
        identity.dev_signing_key(settings.dev_signing_key_file),
        unit_code=unit,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        now=utcnow(),
        lifetime=timedelta(hours=hours),
    )
    _say(f"hub: staff token for {unit}, valid {hours} h:")
    typer.echo(token)


@audit_app.command("export")
def audit_export(
    since: Annotated[str, typer.Option(help="First day, YYYY-MM-DD (banner time).")],
    until: Annotated[str | None, typer.Option(help="Day after the last, YYYY-MM-DD.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
) -> None:
    """Write the audit log since a day as CSV (UTF-8, one row per entry, oldest first)."""

    from hub.services import audit
    from hub.store.models import AuditEntry

    settings = _settings()
    zone = ZoneInfo(settings.timezone)

    def day(value: str, option: str) -> datetime:
        try:
            return datetime.fromisoformat(value).replace(tzinfo=zone)
        except ValueError:
            raise _fail(f"{option}: {value!r} is not a date like 2026-11-01", 2) from None

    where = audit.AuditFilter(
        since=day(since, "--since"), until=day(until, "--until") if until else None
    )

    async def work(session: Any) -> str:
        stmt = audit.select_entries(where).order_by(AuditEntry.occurred_at, AuditEntry.id)
        return audit.to_csv((await session.scalars(stmt)).all())

    text = _in_transaction(settings, work)
    count = text.count("\n") - 1
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
    _say(f"hub: {count} audit entries exported" + (f" to {output}" if output else ""))


def _stamp(value: datetime | None) -> str:
    return (
        value.astimezone(ZoneInfo(_settings().timezone)).strftime("%Y-%m-%d %H:%M")
        if value
        else "—"
    )


# Trusted documents (issue #4): the operations a production hub may run -----------------------

documents_app = typer.Typer(
    help="Trusted documents: registered GraphQL operations (persisted queries).",
    no_args_is_help=True,
)
app.add_typer(documents_app, name="documents")


@documents_app.command("add")
def documents_add(
    file: Annotated[
        Path, typer.Argument(help="A .graphql file with one or more operations.", exists=True)
    ],
) -> None:
    """Register each operation of FILE; prints one line per operation: its id and its name.

    Each operation is checked against the schema first; nothing is registered if one fails.
    Clients send the id as extensions.persistedQuery.sha256Hash (Apollo's persisted queries).
    """
    from graphql import parse, validate

    from hub.graphql.schema import build_schema
    from hub.services import documents

    try:
        operations = documents.split_operations(file.read_text(encoding="utf-8"))
    except HubError as exc:
        raise _fail(f"{file}: {exc.message}", 2) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"{file}: cannot be read ({type(exc).__name__})", 2) from None
    schema = build_schema()
    for operation in operations:
        errors = validate(schema._schema, parse(operation.body))
        if errors:
            name = operation.name or "the operation"
            raise _fail(f"{file}: {name}: {errors[0].message}", 2)

    async def work(session: Any) -> list[tuple[documents.Operation, bool]]:
        return [
            (operation, (await documents.create(session, operation=operation))[1])
            for operation in operations
        ]

    added = _in_transaction(_settings(), work)
    new = sum(1 for _, is_new in added if is_new)
    _say(f"hub: {file}: {len(added)} operation(s), {new} newly registered; their ids:")
    for operation, _ in added:
        typer.echo(f"{operation.sha256}  {operation.name or '(anonymous)'}")


@documents_app.command("list")
def documents_list() -> None:
    """List the registered documents, one a line: id (sha256), operation name, registered at."""
    from hub.services import documents

    settings = _settings()
    rows = _in_transaction(settings, documents.get_all)
    zone = ZoneInfo(settings.timezone)
    for row in rows:
        name = row.operation_name or "(anonymous)"
        registered = row.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        typer.echo(f"{row.sha256}  {name}  {registered}")
    _say(f"hub: {len(rows)} registered documents")


ledger_app = typer.Typer(help="The ledger (台账, R3).", no_args_is_help=True)
findings_app = typer.Typer(help="Compliance findings (督办事项).", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")
app.add_typer(findings_app, name="findings")


@ledger_app.command("escalate")
def ledger_escalate() -> None:
    """Escalate every open ledger item past its deadline one level up, now (for cron or the
    scheduler; running it twice escalates nothing more: escalated items get a new deadline)."""
    from hub.services import ledger
    from hub.store.base import utcnow

    async def work(session: Any) -> int:
        return len(await ledger.escalate_overdue(session, now=utcnow()))

    count = _in_transaction(_settings(), work)
    _say(f"hub: {count} overdue ledger item(s) escalated")


@findings_app.command("evaluate")
def findings_evaluate() -> None:
    """Evaluate the findings rules now: open new findings, close those that no longer hold
    (idempotent; run it after each sync and periodically)."""
    from hub.services import findings
    from hub.store.base import utcnow

    async def work(session: Any) -> tuple[int, int]:
        result = await findings.evaluate_findings(session, utcnow())
        return len(result.opened), len(result.closed)

    opened, closed = _in_transaction(_settings(), work)
    _say(f"hub: {opened} finding(s) opened, {closed} closed")


@app.command("report")
def report(
    year: Annotated[int, typer.Option(help="The year to report on.")],
    town: Annotated[str | None, typer.Option(help="Only this town (its code).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="xlsx or csv.")] = "xlsx",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (default: report-YEAR.FORMAT)."),
    ] = None,
) -> None:
    """Write the joint-conference report (联席会议报告) of a year, one row per town: coverage,
    formation, ledger, findings, repair subsidies; the xlsx adds the sanctions and the budget.

    The same figures as the GraphQL field conferenceReport, read banner-wide.
    """
    from hub.services import conference
    from hub.store.base import utcnow

    kind = fmt.lower()
    if kind not in ("xlsx", "csv"):
        raise _fail(f"--format: {fmt!r} is not one of xlsx, csv", 2)
    settings = _settings()
    zone = ZoneInfo(settings.timezone)

    async def work(session: Any) -> conference.ConferenceReport:
        try:
            return await conference.report(
                session,
                year=year,
                town_code=town,
                principal=conference.BANNER_PRINCIPAL,
                budget=settings.budget,
                now=utcnow(),
                zone=zone,
            )
        except HubError as exc:  # name the command's option, not the GraphQL argument
            field = exc.details.get("field", "")
            option = {"year": "--year", "townCode": "--town"}.get(field, "report")
            raise HubError(f"{option}: {exc.message.split(': ', 1)[-1]}") from None

    result = _in_transaction(settings, work)
    target = output or Path(f"report-{year}.{kind}")
    try:
        if kind == "csv":
            target.write_bytes(conference.to_csv(result).encode("utf-8-sig"))
        else:
            conference.to_xlsx(result).save(target)
    except OSError as exc:
        raise _fail(f"{target}: cannot be written ({type(exc).__name__})", 1) from None
    _say(f"hub: conference report of {year}, {len(result.towns)} town(s), written to {target}")
