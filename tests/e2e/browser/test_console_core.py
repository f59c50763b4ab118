"""The staff console in headless Chromium (issue #6): sign-in, the enterprise profile with its
credit chart and provenance, a ledger step, a finding arriving live, keyboard navigation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import ledger as rules
from hub.services import findings
from hub.store import models as m
from hub.store.session import create_engine
from tests.conftest import DEMO_TODAY
from tests.e2e.browser.conftest import LiveHub, api, click, text_of, visible, wait
from tests.factories import add_ledger_item

COMMUNITY = "community-150627100001"
ENTERPRISE = "91150627128386539F"  # 鄂尔多斯市辰恒物业服务有限公司 in the demo data
SignIn = Callable[[str], Any]
Shot = Callable[[str], Path]


def text(driver: Any, css: str) -> str:
    return str(visible(driver, css).text)


def test_sign_in_from_the_unit_list_shows_the_viewer_and_sign_out_returns(
    console: Any, live_hub: LiveHub, screenshot: Shot
) -> None:
    """The development list names each demo unit with its role; signing in shows the unit and
    its role in the top bar and the six pages; signing out forgets the token."""
    visible(console, "button.unit-button")
    buttons = console.find_elements(By.CSS_SELECTOR, "button.unit-button")
    assert len(buttons) == 7
    assert "主管部门" in buttons[0].text and "伊金霍洛旗住房和城乡建设局" in buttons[0].text
    assert console.find_element(By.CSS_SELECTOR, "label[for=token-input]").text == "工作人员令牌"
    screenshot("sign-in")
    buttons[0].click()
    assert text(console, ".viewer-unit") == "伊金霍洛旗住房和城乡建设局"
    assert console.find_element(By.CSS_SELECTOR, ".viewer-role").text == "主管部门"
    pages = [a.text for a in console.find_elements(By.CSS_SELECTOR, ".sidenav a")]
    assert pages == ["企业画像", "各镇概况", "台账", "年度考核排名", "督办事项", "数据同步"]
    click(console, "#sign-out")
    visible(console, "button.unit-button")
    assert console.execute_script("return sessionStorage.getItem('hub.console.token')") is None


def test_a_refused_token_brings_back_the_sign_in_screen(console: Any, live_hub: LiveHub) -> None:
    """A token the hub refuses (401) is dropped and the sign-in screen says why."""
    console.execute_script("sessionStorage.setItem('hub.console.token', 'not-a-token')")
    console.get(f"{live_hub.url}/console/#/ledger")
    assert "登录已失效" in text(console, ".notice")
    visible(console, "button.unit-button")
    assert console.execute_script("return sessionStorage.getItem('hub.console.token')") is None


def test_search_an_enterprise_and_see_its_credit_chart_and_provenance(
    signed_in: SignIn, live_hub: LiveHub, screenshot: Shot
) -> None:
    """Search by part of the name, open the profile: the credit chart draws the enterprise's
    score history, and the registration panel says where and when it was synced."""
    expected = api(
        live_hub,
        "zjj",
        """query($uscc: String!) { enterprise(uscc: $uscc) {
             name credit { history { score } } provenance { stale } } }""",
        uscc=ENTERPRISE,
    )["enterprise"]
    console = signed_in("zjj")
    search = visible(console, "#enterprise-q")
    search.send_keys("辰恒", Keys.ENTER)
    click(console, f"a.enterprise-link[href='#/profile?uscc={ENTERPRISE}']")
    assert text(console, "#profile-name") == expected["name"]
    visible(console, "#credit-chart canvas")
    drawn = wait(
        console,
        lambda d: d.execute_script(
            "const c = echarts.getInstanceByDom(document.getElementById('credit-chart'));"
            "return c && c.getOption().series[0].data;"
        ),
    )
    assert drawn == [h["score"] for h in expected["credit"]["history"]]
    blue_pixels = console.execute_script(
        "const c = document.querySelector('#credit-chart canvas');"
        "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "let n = 0; for (let i = 0; i < d.length; i += 4)"
        "  if (d[i + 3] > 0 && d[i + 2] > d[i] + 60) n++;"
        "return n;"
    )
    assert blue_pixels > 100  # the line and its points, in the series colour
    registration = console.find_elements(By.CSS_SELECTOR, ".panel .provenance")[0]
    assert registration.text.startswith("来自鄂尔多斯物业管理服务平台 · 同步于 2026-")
    assert ("数据已过期" in registration.text) is expected["provenance"]["stale"]
    width = console.execute_script("return document.documentElement.scrollWidth")
    assert width <= 1366  # no sideways scrolling at 1366×768
    screenshot("profile")
    console.execute_script("document.getElementById('credit-chart').scrollIntoView()")
    screenshot("profile-credit")


def test_a_ledger_item_moves_through_the_allowed_steps(
    signed_in: SignIn, live_hub: LiveHub, screenshot: Shot
) -> None:
    """The community accepts a new item with its button, then resolves it with a note in the
    dialog; the board shows each new status and the hub has both steps by the community."""
    compound = api(live_hub, COMMUNITY, "{ compounds(first: 1) { nodes { id } } }")
    created = api(
        live_hub,
        COMMUNITY,
        """mutation($c: ID!) { ledgerItemCreate(compoundId: $c, title: "楼道灯损坏（浏览器测试）",
             channel: PROACTIVE, category: FACILITIES, severity: LOW) {
             ... on LedgerItemSuccess { item { id } } } }""",
        c=compound["compounds"]["nodes"][0]["id"],
    )
    item_id = created["ledgerItemCreate"]["item"]["id"]
    console = signed_in(COMMUNITY)
    click(console, ".sidenav a[data-page=ledger]")
    Select(visible(console, "#f-status")).select_by_value("REPORTED")
    click(console, "form.toolbar button[type=submit]")
    visible(console, "#ledger-list table")  # the filtered list (the click showed "loading")
    assert "status=REPORTED" in console.execute_script("return location.hash")
    row = f'tr:has(button[data-item="{item_id}"])'
    click(console, f'{row} button[data-action="ACCEPT"]')
    wait(console, lambda d: text_of(d, f"{row} [data-status]") == "已受理")
    click(console, f'{row} button[data-action="RESOLVE"]')
    visible(console, "dialog[open] #step-note").send_keys("已更换灯具")
    click(console, "dialog[open] button[type=submit]")
    wait(console, lambda d: text_of(d, f"{row} [data-status]") == "已办结")
    assert "已办结" in text(console, ".action-status")
    screenshot("ledger")
    stored = api(
        live_hub,
        COMMUNITY,
        """query($id: ID!) { node(id: $id) { ... on LedgerItem {
             status resolutionNote history { action actorUnit } } } }""",
        id=item_id,
    )["node"]
    assert stored["status"] == "RESOLVED" and stored["resolutionNote"] == "已更换灯具"
    assert [(e["action"], e["actorUnit"]) for e in stored["history"]][1:] == [
        ("ACCEPT", COMMUNITY),
        ("RESOLVE", COMMUNITY),
    ]


def test_a_unit_that_reads_the_ledger_gets_no_step_buttons(signed_in: SignIn) -> None:
    """The inspection office reads the ledger but works none of it: no step buttons."""
    console = signed_in("dcs")
    click(console, ".sidenav a[data-page=ledger]")
    visible(console, "#ledger-list table")
    assert console.find_elements(By.CSS_SELECTOR, "button.step") == []
    assert "不办理台账事项" in text(console, "main .hint")


async def _open_overdue_department_item(database_url: str) -> int:
    """An item overdue at the department level, then a findings evaluation (committed: the
    opened findings go to the subscribers). Runs on the live hub's event loop."""
    engine = create_engine(database_url)
    try:
        async with AsyncSession(engine) as session, session.begin():
            compound = await session.scalar(sa.select(m.Compound).order_by(m.Compound.id))
            assert compound is not None
            item = await add_ledger_item(
                session,
                compound=compound,
                title="消防通道堵塞（浏览器测试）",
                reported_at=DEMO_TODAY - timedelta(days=3),
                assigned_unit="xfdd",
                status=rules.Status.ACCEPTED,
                deadline=DEMO_TODAY - timedelta(hours=1),
            )
            await findings.evaluate_findings(session, now=DEMO_TODAY)
            return item.id
    finally:
        await engine.dispose()


def test_a_new_finding_appears_live_on_the_findings_page(
    signed_in: SignIn, live_hub: LiveHub, screenshot: Shot
) -> None:
    """With the findings page open, a finding opened by an evaluation appears at the top,
    marked new, without reloading."""
    console = signed_in("zjj")
    click(console, ".sidenav a[data-page=findings]")
    visible(console, "#findings-live[data-live=connected]")
    visible(console, "#findings-list table, #findings-list .state-empty")
    wait(console, lambda _: findings.BROADCASTER.subscribers > 0, "the subscription started")
    live_hub.run(_open_overdue_department_item(live_hub.database_url))
    fresh = wait(
        console,
        lambda d: [
            row
            for row in d.execute_script(
                "return [...document.querySelectorAll('#findings-list tr:has(.badge-new)')]"
                ".map((row) => row.innerText)"
            )
            if "部门层级超期未办结" in row
        ],
    )
    assert "xfdd" in fresh[0]
    assert console.find_element(By.CSS_SELECTOR, "#findings-list tbody tr:first-child .badge-new")
    screenshot("findings-live")


def test_the_keyboard_reaches_the_sign_in_and_the_navigation(
    console: Any, live_hub: LiveHub
) -> None:
    """Tab reaches the first unit button and Enter signs in; Tab reaches the 台账 link and
    Enter opens the page, with the focus moved to its content."""

    def tab_to(css: str) -> None:
        for _ in range(40):
            if console.execute_script(f"return document.activeElement.matches({css!r})"):
                return
            console.switch_to.active_element.send_keys(Keys.TAB)
        raise AssertionError(f"Tab never reached {css}")

    visible(console, "button.unit-button")
    console.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    tab_to('button[data-unit="zjj"]')
    console.switch_to.active_element.send_keys(Keys.ENTER)
    visible(console, ".sidenav a[aria-current='page']")
    tab_to(".sidenav a[data-page=ledger]")
    console.switch_to.active_element.send_keys(Keys.ENTER)
    wait(console, lambda d: text_of(d, "#page-title") == "台账")
    assert console.execute_script("return location.hash") == "#/ledger"
    wait(console, lambda d: d.execute_script("return document.activeElement.id") == "main")
    current = console.find_element(By.CSS_SELECTOR, ".sidenav a[aria-current='page']")
    assert current.text == "台账"
