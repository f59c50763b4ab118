"""Fixtures of the console's browser tests: a live hub and headless Chromium.

- ``live_hub``: the hub served by uvicorn on a free loopback port, in a thread of this process,
  over a database of its own (a scratch database of the run's backend, migrated, with the demo
  data): the browser tests change data, so they do not share the other tests' database. Its
  ``run(coro)`` runs a coroutine on the server's event loop (e.g. a findings evaluation, whose
  findings reach the server's subscribers).
- ``browser``: headless Chromium (``/usr/bin/chromium`` and ``/usr/bin/chromedriver``, the Debian
  packages ``chromium`` and ``chromium-driver``; ``HUB_CHROMIUM``/``HUB_CHROMEDRIVER`` to
  override) driven by selenium, with a 1366×768 viewport. Without them the tests are skipped —
  or fail when ``HUB_REQUIRE_BROWSER=1`` (CI).
- ``console``: the browser at /console, signed out, for one test; afterwards it checks that the
  page logged no JavaScript error.
- ``signed_in(unit_code)``: sign in through the development sign-in list, as a user would.
- ``screenshot(name)``: save the page as artifacts/screenshots/<name>.png.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from hub.app import create_app
from hub.config import Settings, get_settings
from hub.demo.load import load_demo_data
from hub.store.migrate import upgrade_to_head
from hub.store.session import create_engine
from tests.conftest import DEMO_TODAY, ScratchDatabases

T = TypeVar("T")

CHROMIUM = Path(os.environ.get("HUB_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("HUB_CHROMEDRIVER", "/usr/bin/chromedriver"))
SCREENSHOTS = Path(os.environ.get("HUB_SCREENSHOTS", "artifacts/screenshots"))
VIEWPORT = (1366, 768)
WAIT_SECONDS = 30
"""Longest wait for the page to reach a state (the machine may be busy); not a measurement."""


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not path.exists():
            return (
                f"no {package} at {path}: the console's browser tests were skipped; install the "
                "Debian packages chromium and chromium-driver"
            )
    return None


@dataclass
class LiveHub:
    """The hub served over HTTP for the browser."""

    url: str
    loop: asyncio.AbstractEventLoop
    database_url: str

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the server's event loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=WAIT_SECONDS)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
async def console_database(scratch: ScratchDatabases) -> str:
    """A database of the browser tests' own: migrated, with the demo data."""
    url = await scratch.create()
    engine = create_engine(url)
    await upgrade_to_head(engine)
    async with AsyncSession(engine) as session, session.begin():
        await load_demo_data(session, settings=get_settings(), today=DEMO_TODAY.date())
    await engine.dispose()
    return url


@pytest.fixture(scope="session")
def live_hub(console_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    """The hub on a free loopback port, in a thread with its own event loop."""
    settings = Settings(
        database_url=console_database,
        dev_signing_key_file=tmp_path_factory.mktemp("console") / "dev-key.pem",
    )
    app = create_app(settings, clock=lambda: DEMO_TODAY)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="wsproto")
    )
    loop = asyncio.new_event_loop()
    thread = threading.Thread(
        target=loop.run_until_complete, args=(server.serve(),), name="live-hub", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + WAIT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the live hub did not start")
        time.sleep(0.05)
    yield LiveHub(url=f"http://127.0.0.1:{port}", loop=loop, database_url=console_database)
    server.should_exit = True
    thread.join(timeout=WAIT_SECONDS)
    loop.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium through chromedriver, viewport 1366×768."""
    missing = browser_missing()
    if missing is not None:
        if os.environ.get("HUB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{missing} (HUB_REQUIRE_BROWSER=1)")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-extensions",
        "--lang=zh-CN",
        f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    width, height = VIEWPORT
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    yield driver
    driver.quit()


@pytest.fixture
def console(browser: Any, live_hub: LiveHub) -> Iterator[Any]:
    """The browser at /console, signed out; fails the test if the page logged a JavaScript
    error (network answers such as a refused token are not errors of the page)."""
    browser.get(f"{live_hub.url}/console")
    browser.execute_script("sessionStorage.clear()")
    browser.get(f"{live_hub.url}/console")
    browser.get_log("browser")  # start with an empty log
    yield browser
    errors = [
        entry["message"]
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE" and entry.get("source") != "network"
    ]
    assert errors == [], errors


def api(hub: LiveHub, unit_code: str, query: str, **variables: Any) -> dict[str, Any]:
    """A GraphQL call to the live hub as the unit (with a development staff token)."""
    with httpx.Client(base_url=hub.url, timeout=30) as client:
        token = client.post("/console/dev/token", json={"unit": unit_code}).json()["token"]
        body = client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def wait(driver: Any, condition: Callable[[Any], T], message: str = "") -> T:
    """Wait until ``condition(driver)`` is truthy; its value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_SECONDS).until(condition, message)  # type: ignore[no-any-return]


def visible(driver: Any, css: str) -> Any:
    """Wait for an element matching ``css`` to be displayed; the element."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    return wait(driver, ec.visibility_of_element_located((By.CSS_SELECTOR, css)), css)


def click(driver: Any, css: str) -> None:
    """Click the element matching ``css`` once it is displayed and enabled (again if the page
    redrew it in between)."""
    from selenium.common.exceptions import (
        ElementNotInteractableException,
        NoSuchElementException,
        StaleElementReferenceException,
    )
    from selenium.webdriver.common.by import By

    def clicked(d: Any) -> bool:
        try:
            element = d.find_element(By.CSS_SELECTOR, css)
            if not (element.is_displayed() and element.is_enabled()):
                return False
            element.click()
        except (
            NoSuchElementException,
            StaleElementReferenceException,
            ElementNotInteractableException,
        ):
            return False
        return True

    wait(driver, clicked, css)


def text_of(driver: Any, css: str) -> str | None:
    """The text of the first element matching ``css`` now, or None (read in one step, so a
    redraw cannot leave a stale element)."""
    return driver.execute_script(  # type: ignore[no-any-return]
        "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", css
    )


@pytest.fixture
def signed_in(console: Any) -> Callable[[str], Any]:
    """``signed_in("zjj")`` signs in as the unit from the development list; the browser."""

    def sign_in(unit_code: str) -> Any:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        visible(console, "#unit-select")
        buttons = console.find_elements(By.CSS_SELECTOR, f'button[data-unit="{unit_code}"]')
        if buttons:
            buttons[0].click()
        else:  # not one of the demo units: the list of all units
            Select(console.find_element(By.ID, "unit-select")).select_by_value(unit_code)
            console.find_element(By.CSS_SELECTOR, ".unit-other button[type=submit]").click()
        visible(console, ".sidenav a[aria-current='page']")
        return console

    return sign_in


@pytest.fixture
def screenshot(console: Any) -> Callable[[str], Path]:
    """``screenshot("profile")`` saves the viewport as artifacts/screenshots/profile.png."""

    def save(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        console.save_screenshot(str(path))
        return path

    return save
