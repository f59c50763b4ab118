"""``hub report``: the joint-conference report (联席会议报告) of a year as xlsx or CSV."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from hub.cli.common import fail, in_transaction, load_settings, say
from hub.errors import HubError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from hub.services.conference import ConferenceReport


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
    from hub.services.parameters import budget_settings
    from hub.store.base import utcnow

    kind = fmt.lower()
    if kind not in ("xlsx", "csv"):
        raise fail(f"--format: {fmt!r} is not one of xlsx, csv", 2)
    settings = load_settings()
    zone = ZoneInfo(settings.timezone)

    async def work(session: AsyncSession) -> ConferenceReport:
        try:
            return await conference.report(
                session,
                year=year,
                town_code=town,
                principal=conference.BANNER_PRINCIPAL,
                budget=budget_settings(settings),
                now=utcnow(),
                zone=zone,
            )
        except HubError as exc:  # name the command's option, not the GraphQL argument
            field = exc.details.get("field", "")
            option = {"year": "--year", "townCode": "--town"}.get(field, "report")
            raise HubError(f"{option}: {exc.message.split(': ', 1)[-1]}") from None

    result = in_transaction(settings, work)
    target = output or Path(f"report-{year}.{kind}")
    try:
        if kind == "csv":
            target.write_bytes(conference.to_csv(result).encode("utf-8-sig"))
        else:
            conference.to_xlsx(result).save(target)
    except OSError as exc:
        raise fail(f"{target}: cannot be written ({type(exc).__name__})", 1) from None
    say(f"hub: conference report of {year}, {len(result.towns)} town(s), written to {target}")
