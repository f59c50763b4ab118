"""The console's HTTP side (/console): the page and its files, and the development sign-in that
exists only while the hub signs staff tokens with its own development key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.app import create_app
from hub.config import Settings
from tests.conftest import DEMO_TODAY
from tests.e2e.test_production_mode import PRODUCTION_PII_KEYS

VIEWER = "{ viewer { authenticated unitCode unitName role } }"


async def _client(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> httpx.AsyncClient:
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker, clock=lambda: DEMO_TODAY)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test")


@pytest.fixture
async def dev_client(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url="sqlite+aiosqlite:///:memory:", dev_signing_key_file=tmp_path / "key.pem"
    )
    async with await _client(settings, engine, sessionmaker) as client:
        yield client


async def test_the_console_page_and_its_files_are_served_from_the_hub(
    dev_client: httpx.AsyncClient,
) -> None:
    """/console is the page (Chinese, no CDN: every script from the hub itself, under a CSP
    that allows only the hub), and its modules and the vendored ECharts are served."""
    page = await dev_client.get("/console")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "http" not in page.text.replace('href="data:,"', "")  # nothing from elsewhere
    for path in ("app.js", "api.js", "pages/profile.js", "vendor/echarts/echarts.min.js"):
        response = await dev_client.get(f"/console/static/{path}")
        assert response.status_code == 200, path
        assert "javascript" in response.headers["content-type"]
    license_file = await dev_client.get("/console/static/vendor/echarts/LICENSE")
    assert "Apache License" in license_file.text
    assert (await dev_client.get("/console/static/../routes.py")).status_code == 404


async def test_development_sign_in_lists_units_and_issues_a_working_token(
    dev_client: httpx.AsyncClient,
) -> None:
    """The demo units come first, one per role; the token issued for a unit is accepted by
    /graphql as that unit (the viewer names it)."""
    units = (await dev_client.get("/console/dev/units")).json()["units"]
    demo = [u for u in units if u["demo"]]
    assert demo[0] == {
        "code": "zjj",
        "name": demo[0]["name"],
        "role": "competent_department",
        "demo": True,
    }
    assert len({u["role"] for u in demo}) == len(demo) == 7
    issued = await dev_client.post("/console/dev/token", json={"unit": "town-150627100"})
    token = issued.json()["token"]
    body = (
        await dev_client.post(
            "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
        )
    ).json()
    town = next(u for u in units if u["code"] == "town-150627100")
    assert body["data"]["viewer"] == {
        "authenticated": True,
        "unitCode": "town-150627100",
        "unitName": town["name"],
        "role": "town",
    }


async def test_development_sign_in_refuses_unknown_units(dev_client: httpx.AsyncClient) -> None:
    """No token for a unit that does not exist, nor for a request without a unit."""
    assert (await dev_client.post("/console/dev/token", json={"unit": "nope"})).status_code == 400
    assert (await dev_client.post("/console/dev/token", content=b"x")).status_code == 400


@pytest.mark.parametrize("configured", ["production", "identity-provider"])
async def test_no_development_sign_in_in_production_or_with_an_identity_provider(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    configured: str,
) -> None:
    """In production, or when staff tokens come from the identity provider's JWKS, both
    development endpoints answer 404; the page itself is still served."""
    if configured == "production":
        settings = Settings(
            env="production", database_url="postgresql+asyncpg://x@y/z", **PRODUCTION_PII_KEYS
        )
    else:
        jwks = tmp_path / "jwks.json"
        jwks.write_text('{"keys": []}', encoding="utf-8")
        settings = Settings(database_url="sqlite+aiosqlite:///:memory:", jwt_jwks_file=jwks)
    async with await _client(settings, engine, sessionmaker) as client:
        assert (await client.get("/console/dev/units")).status_code == 404
        refused = await client.post("/console/dev/token", json={"unit": "zjj"})
        assert refused.status_code == 404 and "token" not in refused.json()
        assert (await client.get("/console")).status_code == 200
