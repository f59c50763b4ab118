"""``hub clients``: the API keys of member-unit systems (create, list, revoke)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from hub.cli.common import fail, in_transaction, load_settings, say, stamp

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from hub.services.identity import NewKey
    from hub.store.models import ApiClient

app = typer.Typer(help="API keys of member-unit systems.", no_args_is_help=True)


@app.command("create")
def create(
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
        raise fail(f"unknown role {role!r}; one of: {roles}", 2) from None
    settings = load_settings()

    async def work(session: AsyncSession) -> NewKey:
        return await identity.create_client(session, unit_code=unit, role=role_value, label=label)

    created = in_transaction(settings, work)
    say(
        f"hub: API client {created.client.key_prefix} created for {unit} ({role_value.value}); "
        "send it as `Authorization: Bearer <key>`. The key:"
    )
    typer.echo(created.key)


@app.command("list")
def list_() -> None:
    """List API clients: prefix, unit, role, label, created, last used, revoked."""
    from rich.console import Console
    from rich.table import Column, Table

    from hub.services import identity

    settings = load_settings()
    rows = in_transaction(settings, identity.list_clients)
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
            stamp(client.created_at, settings=settings),
            stamp(client.last_used_at, settings=settings),
            stamp(client.revoked_at, settings=settings),
        )
    Console().print(table)


@app.command("revoke")
def revoke(
    prefix: Annotated[str, typer.Argument(help="The key's prefix (see `hub clients list`).")],
) -> None:
    """Revoke an API key at once; requests with it get 401 from now on."""
    from hub.services import identity
    from hub.store.base import utcnow

    settings = load_settings()

    async def work(session: AsyncSession) -> ApiClient:
        return await identity.revoke_client(session, prefix=prefix, now=utcnow())

    client = in_transaction(settings, work)
    revoked = stamp(client.revoked_at, settings=settings)
    say(f"hub: API client {client.key_prefix} revoked at {revoked}")
