"""Production settings: no GraphiQL, and no default database silently used."""

from __future__ import annotations

import base64
import os

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.app import create_app
from hub.config import Settings

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
