"""``hub tokens``: staff tokens signed with the hub's development key (development only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from hub.cli.common import fail, in_transaction, load_settings, say

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from hub.store.models import MemberUnit

app = typer.Typer(help="Staff tokens (development).", no_args_is_help=True)


@app.command("issue")
def issue(
    unit: Annotated[str, typer.Option(help="Code of the member unit to sign in as.")],
    hours: Annotated[int, typer.Option(min=1, max=24, help="Lifetime in hours.")] = 8,
) -> None:
    """Print a staff token for a unit, signed with the hub's development key.

    Development only: in production staff tokens come from the banner's identity provider.
    """
    from datetime import timedelta

    from hub.services import identity
    from hub.store.base import utcnow

    settings = load_settings()
    if settings.is_production:
        raise fail("tokens are issued by the identity provider in production", 2)

    async def unit_exists(session: AsyncSession) -> MemberUnit:
        return await identity.get_unit_or_raise(session, code=unit)

    in_transaction(settings, unit_exists)
    token = identity.issue_token(
        identity.dev_signing_key(settings.dev_signing_key_file),
        unit_code=unit,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        now=utcnow(),
        lifetime=timedelta(hours=hours),
    )
    say(f"hub: staff token for {unit}, valid {hours} h:")
    typer.echo(token)
