"""``hub findings``: the compliance findings (督办事项) evaluated now, from cron or by hand."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from hub.cli.common import in_transaction, load_settings, say

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

app = typer.Typer(help="Compliance findings (督办事项).", no_args_is_help=True)


@app.command("evaluate")
def evaluate() -> None:
    """Evaluate the findings rules now: open new findings, close those that no longer hold
    (idempotent; run it after each sync and periodically)."""
    from hub.services import findings
    from hub.store.base import utcnow

    async def work(session: AsyncSession) -> tuple[int, int]:
        result = await findings.evaluate_findings(session, now=utcnow())
        return len(result.opened), len(result.closed)

    opened, closed = in_transaction(load_settings(), work)
    say(f"hub: {opened} finding(s) opened, {closed} closed")
