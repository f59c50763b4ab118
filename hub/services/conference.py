"""The joint-conference report (联席会议报告, R1): one year's figures per town.

It assembles what the other services already compute — coverage and formation
(``hub.services.statistics``), the ledger figures (``hub.services.ledger``), the findings opened
and closed in the year, the year's sanctions (``hub.services.ranking``) and what the year's
special budget paid (``hub.services.repairs``) — so GraphQL and ``hub report`` show the same.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from openpyxl import Workbook  # type: ignore[import-untyped]  # openpyxl ships no type hints
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from hub.domain import ledger as ledger_rules
from hub.domain.access import Principal, Role
from hub.domain.calendar import check_year
from hub.domain.ranking import SanctionKind
from hub.domain.subsidies import BudgetSettings, BudgetStatus
from hub.services import ledger_statistics, ranking, repairs, statistics
from hub.store.models import Compound, Finding, Jurisdiction, RepairProject

BANNER_PRINCIPAL = Principal(role=Role.COMPETENT_DEPARTMENT)
"""Whom the command line reads as: the banner-wide view of the competent department."""

NO_LEDGER = ledger_rules.Figures(
    total=0,
    open=0,
    overdue=0,
    resolved=0,
    resolution_rate=None,
    median_handling_hours=None,
    satisfaction=None,
)


@dataclass(frozen=True, slots=True)
class TownReport:
    """One town's figures for the year."""

    code: str
    name: str
    figures: statistics.Figures
    ledger: ledger_rules.Figures
    findings_opened: int
    findings_closed: int
    repair_projects: int
    subsidies_yuan: float


@dataclass(frozen=True, slots=True)
class SanctionCount:
    """How many sanctions of one kind the year's ranking applied."""

    kind: SanctionKind
    count: int


@dataclass(frozen=True, slots=True)
class ConferenceReport:
    """The year's report: per town, and the banner-wide sanctions and budget."""

    year: int
    on: date
    towns: list[TownReport]
    ranking_published_on: date | None
    sanctions: list[SanctionCount]
    budget: BudgetStatus


def _year_bounds(year: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The year as an instant range [start, end) in banner time."""
    start = datetime.combine(date(year, 1, 1), time(), tzinfo=zone)
    return start, datetime.combine(date(year + 1, 1, 1), time(), tzinfo=zone)


async def _findings(
    session: AsyncSession,
    column: QueryableAttribute[datetime] | QueryableAttribute[datetime | None],
    start: datetime,
    end: datetime,
) -> Counter[int | None]:
    """Findings per town whose ``column`` (opened_at or closed_at) falls in [start, end)."""
    rows = await session.execute(
        sa.select(Finding.town_id, sa.func.count())
        .where(column >= start, column < end)
        .group_by(Finding.town_id)
    )
    return Counter({town: int(n) for town, n in rows.all()})


async def _subsidies(session: AsyncSession, year: int) -> dict[int, tuple[int, float]]:
    """Repair projects charged to the year's budget and their subsidies, per town."""
    rows = await session.execute(
        sa.select(
            Compound.town_id,
            sa.func.count(RepairProject.id),
            sa.func.coalesce(sa.func.sum(RepairProject.subsidy_yuan), 0.0),
        )
        .join(Compound, Compound.id == RepairProject.compound_id)
        .where(RepairProject.budget_year == year)
        .group_by(Compound.town_id)
    )
    return {town: (int(n), round(float(total), 2)) for town, n, total in rows.all()}


async def _sanctions(session: AsyncSession, year: int) -> tuple[date | None, list[SanctionCount]]:
    publication = await ranking.get_publication(session, year=year)
    if publication is None:
        return None, []
    rows = await ranking.list_publication_sanctions(session, publication_id=publication.id)
    counts = Counter(row.kind for row in rows)
    return publication.published_on, [
        SanctionCount(kind=kind, count=counts[kind]) for kind in SanctionKind
    ]


async def report(
    session: AsyncSession,
    *,
    year: int,
    town_code: str | None,
    principal: Principal,
    budget: BudgetSettings,
    now: datetime,
    zone: ZoneInfo,
) -> ConferenceReport:
    """The report of ``year`` for the banner, or for one town when ``town_code`` is given.

    Coverage and formation are taken on the year's last day (today for the current year); the
    ledger figures are those of the items reported in the year that the principal may see (their
    state as of now), findings count by the day they opened or closed.
    """
    today = now.astimezone(zone).date()
    check_year(year, today=today)
    on = min(today, date(year, 12, 31))
    at = min(now, datetime.combine(on, time.max, tzinfo=zone))
    coverage = await statistics.report(session, town_code=town_code, on=on, now=at)
    start, end = _year_bounds(year, zone)
    per_ledger = {
        g.code: g.figures
        for g in await ledger_statistics.list_group_figures(
            session, group_by="TOWN", principal=principal, now=now, reported=(start, end)
        )
    }
    opened = await _findings(session, Finding.opened_at, start, end)
    closed = await _findings(session, Finding.closed_at, start, end)
    subsidies = await _subsidies(session, year)
    ids = await _town_ids(session, [row.code for row in coverage.towns])
    towns = []
    for row in coverage.towns:
        town_id = ids.get(row.code)
        projects, subsidy = subsidies.get(town_id or 0, (0, 0.0))
        towns.append(
            TownReport(
                code=row.code,
                name=row.name,
                figures=row.figures,
                ledger=per_ledger.get(row.code, NO_LEDGER),
                findings_opened=opened.get(town_id, 0),
                findings_closed=closed.get(town_id, 0),
                repair_projects=projects,
                subsidies_yuan=subsidy,
            )
        )
    published_on, sanctions = await _sanctions(session, year)
    return ConferenceReport(
        year=year,
        on=on,
        towns=towns,
        ranking_published_on=published_on,
        sanctions=sanctions,
        budget=await repairs.get_budget_status(session, year=year, budget=budget),
    )


async def _town_ids(session: AsyncSession, codes: list[str]) -> dict[str, int]:
    rows = await session.execute(
        sa.select(Jurisdiction.code, Jurisdiction.id).where(Jurisdiction.code.in_(codes))
    )
    return {code: town_id for code, town_id in rows.all()}


# The flat table of ``hub report``: (header, value of a town) -------------------------------------

COLUMNS: list[tuple[str, str]] = [
    ("code", "镇代码 Town code"),
    ("name", "镇名称 Town"),
    ("compounds", "小区数 Compounds"),
    ("households", "户数 Households"),
    ("coverage_rate", "物业覆盖率 Coverage rate"),
    ("formation_rate", "业委会组建率 Committee formation rate"),
    ("ledger_total", "台账总数 Ledger items"),
    ("ledger_open", "台账未办结 Ledger open"),
    ("ledger_overdue", "台账超期 Ledger overdue"),
    ("ledger_resolved", "台账办结 Ledger resolved"),
    ("ledger_resolution_rate", "办结率 Resolution rate"),
    ("ledger_satisfaction", "满意度 Satisfaction"),
    ("findings_opened", "新增督办 Findings opened"),
    ("findings_closed", "销号督办 Findings closed"),
    ("repair_projects", "维修项目 Repair projects"),
    ("subsidies_yuan", "维修补贴(元) Subsidies (yuan)"),
]


def table_row(town: TownReport) -> list[object]:
    """The values of one town in the order of ``COLUMNS`` (empty for a rate without a base)."""
    values: dict[str, object] = {
        "code": town.code,
        "name": town.name,
        "compounds": town.figures.compounds,
        "households": town.figures.households,
        "coverage_rate": town.figures.coverage_rate,
        "formation_rate": town.figures.formation_rate,
        "ledger_total": town.ledger.total,
        "ledger_open": town.ledger.open,
        "ledger_overdue": town.ledger.overdue,
        "ledger_resolved": town.ledger.resolved,
        "ledger_resolution_rate": town.ledger.resolution_rate,
        "ledger_satisfaction": town.ledger.satisfaction,
        "findings_opened": town.findings_opened,
        "findings_closed": town.findings_closed,
        "repair_projects": town.repair_projects,
        "subsidies_yuan": town.subsidies_yuan,
    }
    return ["" if values[key] is None else values[key] for key, _ in COLUMNS]


def to_csv(report: ConferenceReport) -> str:
    """The towns' table as CSV (the caller writes it UTF-8 with a BOM, for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for _, header in COLUMNS])
    writer.writerows(table_row(town) for town in report.towns)
    return buffer.getvalue()


def to_xlsx(report: ConferenceReport) -> Workbook:
    """A workbook: sheet 各镇 Towns (the CSV's table), 奖惩 Sanctions and 专项资金 Budget."""
    book = Workbook()
    towns = book.active
    assert towns is not None
    towns.title = "各镇 Towns"
    towns.append([header for _, header in COLUMNS])
    for town in report.towns:
        towns.append(table_row(town))
    sanctions = book.create_sheet("奖惩 Sanctions")
    sanctions.append(["年度 Year", report.year])
    published = report.ranking_published_on
    sanctions.append(
        ["红黑榜发布日 Ranking published on", published.isoformat() if published else ""]
    )
    sanctions.append(["类别 Kind", "数量 Count"])
    for s in report.sanctions:
        sanctions.append([s.kind.value, s.count])
    budget = book.create_sheet("专项资金 Budget")
    budget.append(["项目 Item", "金额(元) Yuan"])
    for label, value in (
        ("年度预算 Budget total", report.budget.total),
        ("维修补贴 Subsidies", report.budget.subsidies),
        ("奖励 Rewards", report.budget.rewards),
        ("结余 Remaining", report.budget.remaining),
    ):
        budget.append([label, value])
    return book
