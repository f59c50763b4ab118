"""The migration chain builds the schema of the models, and the app refuses a database behind."""

from __future__ import annotations

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from hub.app import create_app
from hub.config import Settings
from hub.errors import DatabaseBehind
from hub.store.base import Base
from hub.store.migrate import current_revision, ensure_at_head, head_revision, upgrade_to_head
from hub.store.session import create_engine
from tests.conftest import ScratchDatabases


async def test_upgrade_from_empty_reaches_head_and_matches_the_models(
    scratch: ScratchDatabases,
) -> None:
    """Migrating an empty database gives exactly the tables, columns and types of the models."""
    engine = create_engine(await scratch.create())
    try:
        assert await current_revision(engine) is None
        before, after = await upgrade_to_head(engine)
        assert (before, after) == (None, head_revision())
        await ensure_at_head(engine)

        def differences(connection: Connection) -> list[object]:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))

        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
        # A second upgrade is a no-op.
        assert await upgrade_to_head(engine) == (head_revision(), head_revision())
    finally:
        await engine.dispose()


async def test_database_behind_is_refused_by_check_and_readyz(scratch: ScratchDatabases) -> None:
    """An unmigrated database fails the head check, and /readyz says not ready with the reason."""
    engine = create_engine(await scratch.create())
    try:
        with pytest.raises(DatabaseBehind, match="run `hub migrate`"):
            await ensure_at_head(engine)
        app = create_app(Settings(), engine=engine)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            response = await client.get("/readyz")
        assert response.status_code == 503
        assert "hub migrate" in response.json()["reason"]
    finally:
        await engine.dispose()


async def test_app_startup_refuses_a_database_behind(scratch: ScratchDatabases) -> None:
    """The app's start-up (lifespan) raises instead of serving from an unmigrated database."""
    engine = create_engine(await scratch.create())
    try:
        app = create_app(Settings(), engine=engine)
        with pytest.raises(DatabaseBehind):
            async with app.router.lifespan_context(app):
                pass
    finally:
        await engine.dispose()
