"""`hub ledger escalate` and `hub findings evaluate`: the periodic jobs as commands."""

from __future__ import annotations

import asyncio

from tests.conftest import ScratchDatabases
from tests.e2e.test_cli import run_hub


async def test_periodic_commands_run_and_are_idempotent(scratch: ScratchDatabases) -> None:
    """On the demo data both commands succeed; a second run changes nothing."""
    url = await scratch.create()
    for step in (("migrate",), ("demo-data",)):
        done = await asyncio.to_thread(run_hub, *step, database_url=url)
        assert done.returncode == 0, done.stderr
    escalated = await asyncio.to_thread(run_hub, "ledger", "escalate", database_url=url)
    assert escalated.returncode == 0, escalated.stderr
    again = await asyncio.to_thread(run_hub, "ledger", "escalate", database_url=url)
    assert "0 overdue ledger item(s) escalated" in again.stderr
    await asyncio.to_thread(run_hub, "findings", "evaluate", database_url=url)
    evaluated = await asyncio.to_thread(run_hub, "findings", "evaluate", database_url=url)
    assert evaluated.returncode == 0, evaluated.stderr
    assert "0 finding(s) opened, 0 closed" in evaluated.stderr
