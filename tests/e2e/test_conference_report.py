"""The joint-conference report (联席会议报告, issue #5 §8): GraphQL agrees with the services it
assembles, stays within a town's own town, is refused without READ_STATISTICS; `hub report`
writes the same as CSV and XLSX."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from hub.config import Settings
from hub.domain.access import ROLE_TABLE, Permission, Principal, Role
from hub.services import ledger_statistics, ranking, repairs, statistics
from hub.services.conference import COLUMNS
from hub.services.parameters import budget_settings
from hub.store.models import Finding, Jurisdiction
from tests.conftest import DEMO_TODAY, GraphQLCall, ScratchDatabases
from tests.e2e.test_access import UNIT_OF_ROLE
from tests.e2e.test_cli import run_hub

GqlAs = Callable[[str | None], Awaitable[GraphQLCall]]
YEAR = DEMO_TODAY.year
TOWN_CODE, OTHER_TOWN = "150627100", "150627101"
REPORT = """query($year: Int!, $town: String) { conferenceReport(year: $year, townCode: $town) {
  year on rankingPublishedOn
  towns { code name findingsOpened findingsClosed repairProjects subsidiesYuan
    figures { compounds coverageRate formationRate }
    ledger { total open overdue resolved resolutionRate satisfaction } }
  sanctions { kind count }
  budget { totalYuan subsidiesYuan rewardsYuan remainingYuan } } }"""


def _codes(body: dict[str, Any]) -> set[str]:
    return {e["extensions"]["code"] for e in body.get("errors", [])}


async def test_report_agrees_with_the_services(
    gql: GraphQLCall, session: AsyncSession, settings: Settings
) -> None:
    """Each section is what the underlying service computes on the demo data."""
    body = await gql(REPORT, year=YEAR)
    assert "errors" not in body, body
    report = body["data"]["conferenceReport"]
    towns = {t["code"]: t for t in report["towns"]}
    assert report["on"] == DEMO_TODAY.date().isoformat()

    coverage = await statistics.report(
        session, town_code=None, on=DEMO_TODAY.date(), now=DEMO_TODAY
    )
    assert list(towns) == [row.code for row in coverage.towns]
    for row in coverage.towns:
        figures = towns[row.code]["figures"]
        assert figures["compounds"] == row.figures.compounds
        assert figures["coverageRate"] == row.figures.coverage_rate
        assert figures["formationRate"] == row.figures.formation_rate

    zone = ZoneInfo(settings.timezone)
    start, end = datetime(YEAR, 1, 1, tzinfo=zone), datetime(YEAR + 1, 1, 1, tzinfo=zone)
    banner = Principal(role=Role.COMPETENT_DEPARTMENT)
    per_town = await ledger_statistics.list_group_figures(
        session, group_by="TOWN", principal=banner, now=DEMO_TODAY, reported=(start, end)
    )
    assert per_town, "the demo data has ledger items"
    for group in per_town:
        assert towns[group.code]["ledger"]["total"] == group.figures.total
        assert towns[group.code]["ledger"]["open"] == group.figures.open
        assert towns[group.code]["ledger"]["resolved"] == group.figures.resolved
    earlier = await gql(REPORT, year=YEAR - 2)  # the ledger holds no items reported then
    assert all(t["ledger"]["total"] == 0 for t in earlier["data"]["conferenceReport"]["towns"])
    opened = await session.scalar(
        sa.select(sa.func.count()).where(
            Finding.opened_at >= start, Finding.opened_at < end, Finding.town_id.is_not(None)
        )
    )
    assert sum(t["findingsOpened"] for t in towns.values()) == opened

    status = await repairs.get_budget_status(session, year=YEAR, budget=budget_settings(settings))
    assert report["budget"] == {
        "totalYuan": status.total,
        "subsidiesYuan": status.subsidies,
        "rewardsYuan": status.rewards,
        "remainingYuan": status.remaining,
    }
    assert round(sum(t["subsidiesYuan"] for t in towns.values()), 2) == status.subsidies

    publication = await ranking.get_publication(session, year=YEAR)
    if publication is None:
        assert report["sanctions"] == [] and report["rankingPublishedOn"] is None
    else:
        applied = await ranking.list_publication_sanctions(session, publication_id=publication.id)
        assert sum(s["count"] for s in report["sanctions"]) == len(applied)


async def test_a_town_reads_its_own_town_only(gql_as: GqlAs) -> None:
    """A town gets its own town without asking, and is refused another town's report."""
    town = await gql_as(UNIT_OF_ROLE[Role.TOWN])
    own = await town(REPORT, year=YEAR)
    assert "errors" not in own, own
    assert [t["code"] for t in own["data"]["conferenceReport"]["towns"]] == [TOWN_CODE]
    other = await town(REPORT, year=YEAR, town=OTHER_TOWN)
    assert _codes(other) == {"FORBIDDEN"}


async def test_one_town_for_a_banner_reader(gql_as: GqlAs) -> None:
    """The inspection office and party/publicity read any town banner-wide."""
    for role in (Role.INSPECTION_OFFICE, Role.PARTY_PUBLICITY):
        call = await gql_as(UNIT_OF_ROLE[role])
        body = await call(REPORT, year=YEAR, town=OTHER_TOWN)
        assert "errors" not in body, (role, body)
        assert [t["code"] for t in body["data"]["conferenceReport"]["towns"]] == [OTHER_TOWN]


@pytest.mark.parametrize("role", list(Role))
async def test_refused_without_the_statistics_permission(gql_as: GqlAs, role: Role) -> None:
    call = await gql_as(UNIT_OF_ROLE[role])
    body = await call("query($y: Int!) { conferenceReport(year: $y) { year } }", y=YEAR)
    if ROLE_TABLE[role].may(Permission.READ_STATISTICS):
        assert "errors" not in body, (role, body)
    else:
        refusal = "UNAUTHENTICATED" if role is Role.PUBLIC else "FORBIDDEN"
        assert _codes(body) == {refusal}, (role, body)


async def test_a_bad_year_or_town_is_named(gql: GraphQLCall) -> None:
    future = await gql(REPORT, year=YEAR + 1)
    assert _codes(future) == {"BAD_USER_INPUT"}
    assert "year" in future["errors"][0]["message"]
    unknown = await gql(REPORT, year=YEAR, town="999")
    assert _codes(unknown) == {"BAD_USER_INPUT"}
    assert "townCode" in unknown["errors"][0]["message"]


async def test_hub_report_writes_csv_and_xlsx(scratch: ScratchDatabases, tmp_path: Path) -> None:
    """`hub report` writes one row per town in both formats; bad options are named."""
    url = await scratch.create()
    for step in (("migrate",), ("demo-data",)):
        done = await asyncio.to_thread(run_hub, *step, database_url=url)
        assert done.returncode == 0, done.stderr
    year = str(datetime.now().year)
    target = tmp_path / "report.csv"
    written = await asyncio.to_thread(
        run_hub, "report", "--year", year, "--format", "csv", "-o", str(target), database_url=url
    )
    assert written.returncode == 0, written.stderr
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, for Excel"
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == [header for _, header in COLUMNS]
    assert len(rows) > 2 and all(len(r) == len(COLUMNS) for r in rows)

    book_path = tmp_path / "report.xlsx"
    done = await asyncio.to_thread(
        run_hub,
        "report",
        "--year",
        year,
        "--town",
        TOWN_CODE,
        "--format",
        "xlsx",
        "-o",
        str(book_path),
        database_url=url,
    )
    assert done.returncode == 0, done.stderr
    book = load_workbook(book_path)
    assert book.sheetnames == ["各镇 Towns", "奖惩 Sanctions", "专项资金 Budget"]
    sheet = [list(r) for r in book["各镇 Towns"].iter_rows(values_only=True)]
    assert sheet[0] == [header for _, header in COLUMNS]
    assert [r[0] for r in sheet[1:]] == [TOWN_CODE]

    for args, named in (
        (("--year", year, "--format", "pdf"), "--format"),
        (("--year", "1999", "--format", "csv"), "--year"),
        (("--year", year, "--town", "999", "--format", "csv"), "--town"),
    ):
        bad = await asyncio.to_thread(
            run_hub, "report", *args, "-o", str(tmp_path / "x"), database_url=url
        )
        assert bad.returncode == 2 and named in bad.stderr, (args, bad.stderr)


async def test_town_codes_are_towns(session: AsyncSession) -> None:
    """The test's towns exist in the demo data (so the scope tests test something)."""
    codes = set(await session.scalars(sa.select(Jurisdiction.code)))
    assert {TOWN_CODE, OTHER_TOWN} <= codes
