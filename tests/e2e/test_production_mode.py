"""Production settings: no GraphiQL, and no default database silently used."""

from __future__ import annotations

import base64
import os

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.app import create_app
from hub.config import DEMO_PII_INDEX_KEY, DEMO_PII_KEY, Settings

# Production refuses to start without personal-data keys (and refuses the demo ones).
PRODUCTION_PII_KEYS = {
    "pii_keys": {"p1": base64.b64encode(os.urandom(32)).decode()},
    "pii_index_key": base64.b64encode(os.urandom(32)).decode(),
}


def test_production_requires_an_explicit_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """HUB_ENV=production with the embedded default database is refused with a clear message."""
    monkeypatch.delenv("HUB_DATABASE_URL", raising=False)
    with pytest.raises(ValidationError, match="HUB_DATABASE_URL must be set"):
        Settings(env="production")


async def test_graphiql_is_off_in_production(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """In production a browser gets no GraphiQL page, but queries still work."""
    settings = Settings(
        env="production", database_url="postgresql+asyncpg://x@y/z", **PRODUCTION_PII_KEYS
    )
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
    ) as client:
        page = await client.get("/graphql", headers={"accept": "text/html"})
        assert "graphiql" not in page.text.lower()
        answer = await client.post("/graphql", json={"query": "{ towns { code } }"})
        assert len(answer.json()["data"]["towns"]) == 8


_DEMO_KEY = base64.b64encode(DEMO_PII_KEY).decode()
_DEMO_INDEX_KEY = base64.b64encode(DEMO_PII_INDEX_KEY).decode()
_REAL_KEY = base64.b64encode(os.urandom(32)).decode()
_REAL_INDEX_KEY = base64.b64encode(os.urandom(32)).decode()


@pytest.mark.parametrize(
    ("keys", "index_key", "named"),
    [
        ({"k1": _DEMO_KEY}, _REAL_INDEX_KEY, "HUB_PII_KEYS['k1']"),
        ({"p1": _REAL_KEY, "old": f" {_DEMO_KEY}\n"}, _REAL_INDEX_KEY, "HUB_PII_KEYS['old']"),
        ({"k1": _DEMO_INDEX_KEY}, _REAL_INDEX_KEY, "HUB_PII_KEYS['k1']"),
        ({"k1": _REAL_KEY}, _DEMO_INDEX_KEY, "HUB_PII_INDEX_KEY"),
        ({"k1": _REAL_KEY}, _DEMO_KEY, "HUB_PII_INDEX_KEY"),
    ],
    ids=[
        "demo-key-renamed",
        "demo-key-as-old-key",
        "index-key-as-key",
        "demo-index",
        "key-as-index",
    ],
)
def test_production_refuses_the_demo_keys_by_value(
    keys: dict[str, str], index_key: str, named: str
) -> None:
    """The public demo keys are refused in production whatever key id they are given under and
    in either setting, and the message names the setting (never the key)."""
    active = "p1" if "p1" in keys else None
    with pytest.raises(ValidationError, match="public demo key") as caught:
        Settings(
            env="production",
            database_url="postgresql+asyncpg://x@y/z",
            pii_keys=keys,
            pii_active_key=active,
            pii_index_key=index_key,
        )
    message = str(caught.value)
    assert named in message
    assert _DEMO_KEY not in message and _DEMO_INDEX_KEY not in message
