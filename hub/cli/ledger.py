"""``hub ledger``: the ledger (台账, R3) from cron or by hand: escalation of overdue items."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from hub.cli.common import in_transaction, load_settings, say

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

app = typer.Typer(help="The ledger (台账, R3).", no_args_is_help=True)


@app.command("escalate")
def escalate() -> None:
    """Escalate every open ledger item past its deadline one level up, now (for cron or the
    scheduler; running it twice escalates nothing more: escalated items get a new deadline)."""
    from hub.services import ledger
    from hub.store.base import utcnow

    async def work(session: AsyncSession) -> int:
        return len(await ledger.escalate_overdue(session, now=utcnow()))

    count = in_transaction(load_settings(), work)
    say(f"hub: {count} overdue ledger item(s) escalated")
