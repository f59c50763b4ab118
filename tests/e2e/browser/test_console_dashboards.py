"""The console's dashboards in headless Chromium (issue #6): 各镇概况 with its town drill-down,
年度考核排名 with publication by 住建局, 数据同步 with its sources and 立即同步.

Every figure the tests expect is asked from the live hub's GraphQL API at the time of the check
(other browser tests change the ledger of the same database), never written into the test."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.enums import UtilityKind
from hub.store import models as m
from hub.store.session import create_engine
from tests.conftest import DEMO_TODAY
from tests.e2e.browser.conftest import LiveHub, api, click, text_of, visible, wait
from tests.factories import add_connection_task

SignIn = Callable[[str], Any]
Shot = Callable[[str], Path]

COMPETENT = "zjj"
INSPECTION_OFFICE = "dcs"
SEAT_TOWN = "150627100"  # 阿勒腾席热镇
SEAT_TOWN_UNIT = "town-150627100"
OTHER_TOWN = "150627101"  # 乌兰木伦镇
PUBLISHED_YEAR = DEMO_TODAY.year - 2  # the demo publishes the ranking of the year before last
DRAFT_YEAR = DEMO_TODAY.year - 1  # ended, left unpublished for 住建局

FIGURES = """code name figures { compounds coverageRate formationRate openConnectionTasks
  overdueConnectionTasks openOutages }"""

TABLE_ROWS = """
const t = [...document.querySelectorAll('table.data')]
  .find((t) => t.caption && t.caption.innerText.includes(arguments[0]));
if (!t) return null;
return [...t.tBodies[0].rows].map((r) => ({
  cells: [...r.cells].map((c) => c.innerText.trim()),
  sanctions: [...r.querySelectorAll('[data-sanction]')].map((e) => e.dataset.sanction),
}));
"""

CHART_OPTION = """
const el = document.querySelectorAll(arguments[0])[arguments[1]];
const chart = el && window.echarts.getInstanceByDom(el);
if (!chart) return null;
const o = chart.getOption();
return { x: o.xAxis[0].data, series: o.series.map((s) => ({ name: s.name, data: s.data })) };
"""


def go(driver: Any, hash_path: str) -> None:
    """Navigate inside the signed-in console (the token lives in the tab's session)."""
    driver.execute_script("location.hash = arguments[0]", hash_path)


def table_rows(driver: Any, caption: str) -> list[dict[str, Any]]:
    """The body rows (cell texts, sanction kinds) of the table whose caption holds ``caption``,
    once it is shown."""
    return wait(  # type: ignore[no-any-return]
        driver, lambda d: d.execute_script(TABLE_ROWS, caption), f"table {caption}"
    )


def percent_of(cell: str) -> float:
    assert cell.endswith("%"), cell
    return float(cell[:-1])


def assert_rate(cell: str, rate: float | None) -> None:
    """The page shows the rate as a percentage with one decimal."""
    if rate is None:
        assert cell == "—"
    else:
        assert abs(percent_of(cell) - rate * 100) <= 0.051, (cell, rate)


def assert_figure_rows(
    rows: list[dict[str, Any]], places: list[dict[str, Any]], ledger: dict[str, dict[str, int]]
) -> None:
    """Each row: name, compounds, 覆盖率, 组建率, ledger open and overdue, utility backlog."""
    assert [r["cells"][0] for r in rows] == [p["name"] for p in places]
    for row, place in zip(rows, places, strict=True):
        cells, f = row["cells"], place["figures"]
        assert cells[1] == str(f["compounds"])
        assert_rate(cells[2], f["coverageRate"])
        assert_rate(cells[3], f["formationRate"])
        figures = ledger.get(place["code"], {"open": 0, "overdue": 0})
        assert cells[4:6] == [str(figures["open"]), str(figures["overdue"])], place["name"]
        assert cells[6:9] == [
            str(f["openConnectionTasks"]),
            str(f["overdueConnectionTasks"]),
            str(f["openOutages"]),
        ]


def ledger_by_code(hub: LiveHub, unit: str, group_by: str) -> dict[str, dict[str, int]]:
    query = """query($g: LedgerGroupBy!) {
      ledgerStatistics(groupBy: $g) { code figures { open overdue } } }"""
    groups = api(hub, unit, query, g=group_by)["ledgerStatistics"]
    return {g["code"]: g["figures"] for g in groups}


def test_the_towns_page_shows_every_towns_figures_and_charts(
    signed_in: SignIn, live_hub: LiveHub, screenshot: Shot
) -> None:
    """各镇概况 lists each town with the API's coverage, formation, ledger and utility figures,
    draws them as bars, and says where the coverage data came from."""
    stats = api(
        live_hub,
        COMPETENT,
        f"""{{ statistics {{ total {{ coverageRate formationRate }} towns {{ {FIGURES} }}
             provenance {{ source stale }} }} }}""",
    )["statistics"]
    driver = signed_in(COMPETENT)
    click(driver, ".sidenav a[data-page=towns]")
    rows = table_rows(driver, f"各镇明细（共 {len(stats['towns'])} 个镇")
    assert_figure_rows(rows, stats["towns"], ledger_by_code(live_hub, COMPETENT, "TOWN"))
    summary = text_of(driver, "[data-testid=towns-summary]") or ""
    shown = re.search(r"覆盖率\n([0-9.]+%)", summary)
    assert shown is not None, summary
    assert_rate(shown.group(1), stats["total"]["coverageRate"])

    rates = wait(driver, lambda d: d.execute_script(CHART_OPTION, ".towns-chart", 0), "chart")
    assert rates["x"] == [t["name"] for t in stats["towns"]]
    coverage = next(s["data"] for s in rates["series"] if s["name"] == "覆盖率")
    for shown, town in zip(coverage, stats["towns"], strict=True):
        assert abs(shown - town["figures"]["coverageRate"] * 100) <= 0.051
    backlog = driver.execute_script(CHART_OPTION, ".towns-chart", 1)
    assert [s["name"] for s in backlog["series"]][:2] == ["台账在办", "台账逾期"]

    provenance = text_of(driver, ".towns-provenance") or ""
    (ordos,) = [p for p in stats["provenance"] if p["source"] == "ordos"]
    assert "覆盖率（物业服务合同） · 来自鄂尔多斯物业管理服务平台 · 同步于" in provenance
    assert ("数据已过期" in provenance) is ordos["stale"]
    assert "组建率（业主委员会） · 本地记录" in provenance
    screenshot("towns")


def test_selecting_a_town_shows_its_communities(
    signed_in: SignIn, live_hub: LiveHub, screenshot: Shot
) -> None:
    """A town's 查看社区 opens its communities with their figures; the selector switches town."""
    query = f"""query($t: String) {{ statistics(townCode: $t) {{ scopeName
        communities {{ {FIGURES} }} }} }}"""
    seat = api(live_hub, COMPETENT, query, t=SEAT_TOWN)["statistics"]
    other = api(live_hub, COMPETENT, query, t=OTHER_TOWN)["statistics"]
    driver = signed_in(COMPETENT)
    go(driver, "#/towns")
    click(driver, f'a.towns-drill[href="#/towns?town={SEAT_TOWN}"]')
    rows = table_rows(driver, f"各社区明细（共 {len(seat['communities'])} 个社区）")
    assert len(seat["communities"]) == 13
    ledger = ledger_by_code(live_hub, COMPETENT, "COMMUNITY")
    assert_figure_rows(rows, seat["communities"], ledger)
    assert f"{seat['scopeName']}（各社区）总体情况" in (text_of(driver, "main") or "")
    screenshot("towns-drilldown")

    Select(visible(driver, "#towns-select")).select_by_value(OTHER_TOWN)
    click(driver, ".towns-toolbar button[type=submit]")
    wait(driver, lambda d: f"{other['scopeName']}（各社区）" in (text_of(d, "main") or ""))
    rows = table_rows(driver, f"各社区明细（共 {len(other['communities'])} 个社区）")
    assert_figure_rows(rows, other["communities"], ledger)
    click(driver, "a.towns-back")
    table_rows(driver, "各镇明细")


def test_a_town_sees_its_own_communities_only(signed_in: SignIn, live_hub: LiveHub) -> None:
    """A town government starts at its own communities, has no town selector, and another
    town's address explains that only its own town is open to it."""
    stats = api(live_hub, SEAT_TOWN_UNIT, f"{{ statistics {{ communities {{ {FIGURES} }} }} }}")[
        "statistics"
    ]
    driver = signed_in(SEAT_TOWN_UNIT)
    go(driver, "#/towns")
    rows = table_rows(driver, f"各社区明细（共 {len(stats['communities'])} 个社区）")
    assert_figure_rows(
        rows, stats["communities"], ledger_by_code(live_hub, SEAT_TOWN_UNIT, "COMMUNITY")
    )
    assert "数据枢纽只提供本镇的数据" in (text_of(driver, "main") or "")
    assert driver.find_elements(By.ID, "towns-select") == []
    go(driver, f"#/towns?town={OTHER_TOWN}")
    assert "只能查看本镇的数据" in visible(driver, ".state-empty").text


async def _utility_backlog(database_url: str, town_code: str) -> None:
    """An overdue gas connection task and an ongoing outage in a compound of the town, synced
    from the gas company an hour ago. Runs on the live hub's event loop."""
    engine = create_engine(database_url)
    try:
        async with AsyncSession(engine) as session, session.begin():
            compound = await session.scalar(
                sa.select(m.Compound)
                .join(m.Jurisdiction, m.Jurisdiction.id == m.Compound.town_id)
                .where(m.Jurisdiction.code == town_code)
                .order_by(m.Compound.id)
            )
            utility = await session.scalar(
                sa.select(m.MemberUnit).where(m.MemberUnit.code == "utility-gas")
            )
            assert compound is not None and utility is not None
            synced = DEMO_TODAY - timedelta(hours=1)
            common = {"compound_id": compound.id, "utility_id": utility.id, "synced_at": synced}
            await add_connection_task(
                session,
                compound=compound,
                utility=utility,
                due_on=DEMO_TODAY.date() - timedelta(days=10),
                source="utility:utility-gas",
                source_id="console-test-task",
                synced_at=synced,
            )
            session.add(
                m.Outage(
                    utility_kind=UtilityKind.GAS,
                    starts_at=DEMO_TODAY - timedelta(hours=3),
                    ends_at=None,
                    reason="管道抢修（浏览器测试）",
                    affected_households=300,
                    source="utility:utility-gas",
                    source_id="console-test-outage",
                    **common,
                )
            )
    finally:
        await engine.dispose()


def test_a_utilitys_backlog_shows_in_its_town_with_its_provenance(
    signed_in: SignIn, live_hub: LiveHub
) -> None:
    """A gas company's overdue connection task and ongoing outage count in their town's row,
    the overdue one marked, with a provenance line naming the gas company's sync."""
    live_hub.run(_utility_backlog(live_hub.database_url, OTHER_TOWN))
    stats = api(
        live_hub, COMPETENT, f"{{ statistics {{ towns {{ {FIGURES} }} provenance {{ source }} }} }}"
    )["statistics"]
    town = next(t for t in stats["towns"] if t["code"] == OTHER_TOWN)
    assert town["figures"]["overdueConnectionTasks"] >= 1 and town["figures"]["openOutages"] >= 1
    assert "utility:utility-gas" in [p["source"] for p in stats["provenance"]]
    driver = signed_in(COMPETENT)
    go(driver, "#/towns")
    rows = table_rows(driver, "各镇明细")
    assert_figure_rows(rows, stats["towns"], ledger_by_code(live_hub, COMPETENT, "TOWN"))
    overdue = driver.execute_script(
        "return [...document.querySelectorAll('table.data tbody tr')]"
        ".filter((r) => r.cells[0].innerText === arguments[0])"
        ".map((r) => r.cells[7].querySelector('.badge-bad') !== null)",
        town["name"],
    )
    assert overdue == [True]
    provenance = driver.execute_script(
        "return [...document.querySelectorAll('.towns-provenance')].map((e) => e.innerText)"
        ".join('\\n')"
    )
    line = next(x for x in provenance.split("\n") if x.startswith("公用事业数据（utility-gas）"))
    assert "来自公用事业单位 · 同步于" in line and "数据已过期" not in line


RANKING = """query($y: Int!) { ranking(year: $y) { published publishedOn
  entries { rank score unrankedReason enterprise { name } sanctions { kind } } } }"""


def ranking_page_rows(driver: Any) -> list[dict[str, Any]]:
    return table_rows(driver, "排名")


def test_a_published_ranking_marks_rewards_and_bans(
    signed_in: SignIn, live_hub: LiveHub, screenshot: Shot
) -> None:
    """A published year shows each rank, score and the sanctions the API lists, and no 发布."""
    ranking = api(live_hub, COMPETENT, RANKING, y=PUBLISHED_YEAR)["ranking"]
    assert ranking["published"]
    ranked = [e for e in ranking["entries"] if e["rank"] is not None]
    driver = signed_in(COMPETENT)
    go(driver, f"#/ranking?year={PUBLISHED_YEAR}")
    assert visible(driver, "[data-testid=ranking-state]").text == "已发布"
    rows = table_rows(driver, "排名、得分与奖惩")
    assert len(rows) == len(ranked)
    for row, entry in zip(rows, ranked, strict=True):
        assert row["cells"][0] == str(entry["rank"])
        assert row["cells"][1].startswith(entry["enterprise"]["name"])
        assert row["cells"][2] == f"{entry['score']:.2f}"
        assert row["sanctions"] == [s["kind"] for s in entry["sanctions"]]
    kinds = [s["kind"] for e in ranked for s in e["sanctions"]]
    assert kinds.count("REWARD") > 0 and kinds.count("BANNED_NEW_PROJECTS") > 0
    status = text_of(driver, ".ranking-status") or ""
    assert f"奖励\n{kinds.count('REWARD')} 家" in status
    assert f"一年内不得承接新项目\n{kinds.count('BANNED_NEW_PROJECTS')} 家" in status
    unranked = [e for e in ranking["entries"] if e["rank"] is None]
    unranked_rows = table_rows(driver, "未排名企业及原因")
    if unranked:
        assert [r["cells"][1] for r in unranked_rows] == [e["unrankedReason"] for e in unranked]
    else:
        assert unranked_rows[0]["cells"] == ["所有企业均参与了排名。"]
    assert driver.find_elements(By.ID, "ranking-publish") == []
    screenshot("ranking")


def test_a_town_gets_no_publish_button(signed_in: SignIn, live_hub: LiveHub) -> None:
    """A town sees an unpublished year as not yet published and never gets the 发布 button."""
    driver = signed_in(SEAT_TOWN_UNIT)
    for year in (DRAFT_YEAR, PUBLISHED_YEAR):
        ranking = api(live_hub, SEAT_TOWN_UNIT, RANKING, y=year)["ranking"]
        go(driver, f"#/ranking?year={year}")
        if ranking is None:
            wait(
                driver, lambda d, y=year: f"{y} 年度考核排名尚未发布" in (text_of(d, "main") or "")
            )
        else:
            assert visible(driver, "[data-testid=ranking-state]").text == "已发布"
        assert driver.find_elements(By.ID, "ranking-publish") == []


def test_the_competent_department_publishes_an_ended_year_after_confirming(
    signed_in: SignIn, live_hub: LiveHub, screenshot: Shot
) -> None:
    """住建局 sees the ended year as a draft; 发布 asks first, sends nothing until 确认发布, then
    the page shows the published ranking with the sanctions the API applied."""
    assert api(live_hub, COMPETENT, RANKING, y=DRAFT_YEAR)["ranking"]["published"] is False
    driver = signed_in(COMPETENT)
    go(driver, f"#/ranking?year={DRAFT_YEAR}")
    assert visible(driver, "[data-testid=ranking-state]").text == "草稿（未发布）"
    click(driver, "#ranking-publish")
    confirm = visible(driver, "#ranking-publish-confirm")
    assert f"确认发布 {DRAFT_YEAR} 年度考核排名" in (text_of(driver, ".ranking-confirm") or "")
    assert driver.switch_to.active_element == confirm
    assert api(live_hub, COMPETENT, RANKING, y=DRAFT_YEAR)["ranking"]["published"] is False
    screenshot("ranking-publish-confirm")
    click(driver, "#ranking-publish-confirm")
    notice = visible(driver, ".ranking-notice-good").text
    assert f"{DRAFT_YEAR} 年度考核排名已发布" in notice
    assert DEMO_TODAY.date().isoformat() in notice
    wait(driver, lambda d: text_of(d, "[data-testid=ranking-state]") == "已发布")
    focused = driver.switch_to.active_element.get_attribute("class")
    assert "ranking-notice-good" in focused  # the keyboard's place after the button went
    published = api(live_hub, COMPETENT, RANKING, y=DRAFT_YEAR)["ranking"]
    assert published["published"] is True
    assert published["publishedOn"] == DEMO_TODAY.date().isoformat()
    rows = table_rows(driver, "排名、得分与奖惩")
    ranked = [e for e in published["entries"] if e["rank"] is not None]
    assert [r["sanctions"] for r in rows] == [[s["kind"] for s in e["sanctions"]] for e in ranked]
    assert any(r["sanctions"] for r in rows)
    assert driver.find_elements(By.ID, "ranking-publish") == []
    screenshot("ranking-published")


def test_publishing_a_year_that_has_not_ended_shows_the_refusal(signed_in: SignIn) -> None:
    """The hub's refusal (ValidationFailed) is shown as the message it gives; nothing changes."""
    driver = signed_in(COMPETENT)
    go(driver, f"#/ranking?year={DEMO_TODAY.year}")
    click(driver, "#ranking-publish")
    click(driver, "#ranking-publish-confirm")
    refusal = visible(driver, ".ranking-notice-bad").text
    assert refusal.startswith("发布被拒绝：")
    assert f"{DEMO_TODAY.year} has not ended" in refusal
    assert text_of(driver, "[data-testid=ranking-state]") == "草稿（未发布）"


SOURCES = "{ syncSources { name label } }"


def test_the_sync_page_lists_the_sources_and_runs_a_sync_on_request(
    signed_in: SignIn, live_hub: LiveHub, screenshot: Shot
) -> None:
    """数据同步 lists every configured source; 立即同步 starts a run that appears in the recent
    runs, refreshed until it has finished."""
    sources = api(live_hub, COMPETENT, SOURCES)["syncSources"]
    assert {s["name"] for s in sources} >= {"ordos", "tender"}
    driver = signed_in(COMPETENT)
    click(driver, ".sidenav a[data-page=sync]")
    rows = table_rows(driver, "各数据源的同步状态")
    assert [r["cells"][0] for r in rows] == [f"{s['label']}\n{s['name']}" for s in sources]
    buttons = driver.find_elements(By.CSS_SELECTOR, "button.sync-trigger")
    assert [b.get_attribute("data-source") for b in buttons] == [s["name"] for s in sources]
    screenshot("sync")

    click(driver, 'button.sync-trigger[data-source="tender"]')
    assert "已开始同步 招投标平台" in visible(driver, ".sync-notice-good").text

    def finished_run(d: Any) -> dict[str, Any] | None:
        runs = d.execute_script(TABLE_ROWS, "最近的同步运行") or []
        mine = [r for r in runs if len(r["cells"]) > 3 and "手动（zjj）" in r["cells"][3]]
        return mine[0] if mine and mine[0]["cells"][2] != "进行中" else None

    run = wait(driver, finished_run, "the triggered run finishes")
    last = api(
        live_hub,
        COMPETENT,
        '{ syncRuns(source: "tender", first: 1) { nodes { status trigger error } } }',
    )["syncRuns"]["nodes"][0]
    assert last["trigger"] == "graphql:zjj" and last["status"] != "RUNNING"
    shown = {"SUCCEEDED": "成功", "PARTIAL": "部分完成", "FAILED": "失败"}[last["status"]]
    assert run["cells"][1] == "tender" and run["cells"][2] == shown


def test_the_sync_page_without_the_operate_permission(signed_in: SignIn, live_hub: LiveHub) -> None:
    """督查室 reads the sync status without 立即同步; a town is told it may not see it."""
    sources = api(live_hub, INSPECTION_OFFICE, SOURCES)["syncSources"]
    driver = signed_in(INSPECTION_OFFICE)
    go(driver, "#/sync")
    assert len(table_rows(driver, "各数据源的同步状态")) == len(sources)
    assert driver.find_elements(By.CSS_SELECTOR, "button.sync-trigger") == []
    assert "立即同步仅限旗住建局操作" in (text_of(driver, "main") or "")
    click(driver, "#sign-out")
    driver = signed_in(SEAT_TOWN_UNIT)
    go(driver, "#/sync")
    assert "无权查看数据同步状态" in visible(driver, ".state-empty").text
