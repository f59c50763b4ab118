"""``hub audit``: the audit log, exported as CSV."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from hub.cli.common import fail, in_transaction, load_settings, say

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

app = typer.Typer(help="The audit log.", no_args_is_help=True)


@app.command("export")
def export(
    since: Annotated[str, typer.Option(help="First day, YYYY-MM-DD (banner time).")],
    until: Annotated[str | None, typer.Option(help="Day after the last, YYYY-MM-DD.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
) -> None:
    """Write the audit log since a day as CSV (UTF-8, one row per entry, oldest first)."""

    from hub.services import audit
    from hub.store.models import AuditEntry

    settings = load_settings()
    zone = ZoneInfo(settings.timezone)

    def day(value: str, option: str) -> datetime:
        try:
            return datetime.fromisoformat(value).replace(tzinfo=zone)
        except ValueError:
            raise fail(f"{option}: {value!r} is not a date like 2026-11-01", 2) from None

    where = audit.AuditFilter(
        since=day(since, "--since"), until=day(until, "--until") if until else None
    )

    async def work(session: AsyncSession) -> str:
        stmt = audit.select_entries(where).order_by(AuditEntry.occurred_at, AuditEntry.id)
        return audit.to_csv((await session.scalars(stmt)).all())

    text = in_transaction(settings, work)
    count = text.count("\n") - 1
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
    say(f"hub: {count} audit entries exported" + (f" to {output}" if output else ""))
