"""Shared fixtures: a real, migrated database with the demo data, and the app over HTTP.

The database is chosen by ``HUB_TEST_DATABASE_URL``:
- ``sqlite`` (or unset): a fresh SQLite file in a temporary folder;
- ``postgresql+asyncpg://…``: a scratch database created next to the one named in the URL and
  dropped at the end, so runs never disturb each other or the named database.

The schema is built by the migrations (not ``create_all``), and the demo data is loaded once per
session; every test then runs in a transaction that is rolled back, so tests are independent of
their order.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from hub.app import create_app
from hub.config import Settings, get_settings
from hub.demo.load import load_demo_data
from hub.domain.access import Role
from hub.services import identity
from hub.store.migrate import upgrade_to_head
from hub.store.session import create_engine

# Demo data and requests share one fixed "now", so that "current" and "stale" do not drift.
DEMO_TODAY = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)


def _requested_url() -> str:
    return os.environ.get("HUB_TEST_DATABASE_URL", "sqlite") or "sqlite"


def backend_name() -> str:
    """``sqlite`` or ``postgresql``: the database this run tests."""
    return "sqlite" if _requested_url() == "sqlite" else "postgresql"


def pytest_report_header() -> str:
    return f"hub test database: {backend_name()} ({_requested_url()})"


class ScratchDatabases:
    """Creates fresh empty databases of the run's backend, and drops them at the end."""

    def __init__(self, base_url: str, folder: Path) -> None:
        self.base_url = base_url
        self.folder = folder
        self.created: list[str] = []

    async def create(self) -> str:
        name = f"hub_test_{uuid.uuid4().hex[:10]}"
        if self.base_url == "sqlite":
            return f"sqlite+aiosqlite:///{self.folder / name}.db"
        admin = create_engine(self.base_url)
        async with admin.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()
        self.created.append(name)
        return make_url(self.base_url).set(database=name).render_as_string(hide_password=False)

    async def drop_all(self) -> None:
        if not self.created:
            return
        admin = create_engine(self.base_url)
        async with admin.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            for name in self.created:
                await connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture(scope="session")
async def scratch(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ScratchDatabases]:
    databases = ScratchDatabases(_requested_url(), tmp_path_factory.mktemp("databases"))
    yield databases
    await databases.drop_all()


@dataclass
class StatementCounter:
    """Counts the SQL statements an engine runs while ``active``."""

    active: bool = False
    statements: list[str] = field(default_factory=list)

    def __call__(self, *args: Any) -> None:
        if self.active:
            self.statements.append(args[2])


@pytest.fixture(scope="session")
async def engine(scratch: ScratchDatabases) -> AsyncIterator[AsyncEngine]:
    """A migrated database with the demo data (scale 1), shared by the whole session."""
    url = await scratch.create()
    engine = create_engine(url)
    await upgrade_to_head(engine)
    async with AsyncSession(engine) as session, session.begin():
        await load_demo_data(session, settings=get_settings(), today=DEMO_TODAY.date())
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def statement_counter(engine: AsyncEngine) -> StatementCounter:
    """Counts statements on the shared engine (only while a test activates it)."""
    counter = StatementCounter()
    sa.event.listen(engine.sync_engine, "before_cursor_execute", counter)
    return counter


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside a transaction that is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """Sessions on the test's connection; their commits become savepoints."""
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


@pytest.fixture
def settings() -> Settings:
    return Settings(database_url="sqlite+aiosqlite:///:memory:")


@pytest.fixture
async def client(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app (ASGI transport) over the test's transaction."""
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker, clock=lambda: DEMO_TODAY)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        yield client


GraphQLCall = Callable[..., Any]
COMPETENT_DEPARTMENT = "zjj"
"""Demo unit code of 住建局, the caller of the ``gql`` fixture."""


def _caller(client: httpx.AsyncClient, key: str | None) -> GraphQLCall:
    headers = {"Authorization": f"Bearer {key}"} if key else {}

    async def call(query: str, **variables: Any) -> dict[str, Any]:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return call


@pytest.fixture
def api_key(sessionmaker: async_sessionmaker[AsyncSession]) -> Callable[[str], Awaitable[str]]:
    """Creates a real API key (``hub clients create``) for a member unit, in the unit's role."""

    async def make(unit_code: str) -> str:
        async with sessionmaker() as session:
            unit = await identity.get_unit_or_raise(session, code=unit_code)
            created = await identity.create_client(
                session, unit_code=unit_code, role=Role(unit.role.value)
            )
            await session.commit()
            return created.key

    return make


@pytest.fixture
def gql_as(
    client: httpx.AsyncClient, api_key: Callable[[str], Awaitable[str]]
) -> Callable[[str | None], Awaitable[GraphQLCall]]:
    """``await gql_as("town-150627100")`` → a GraphQL call as that unit (None: the public)."""

    async def as_unit(unit_code: str | None) -> GraphQLCall:
        return _caller(client, await api_key(unit_code) if unit_code else None)

    return as_unit


@pytest.fixture
async def gql(gql_as: Callable[[str | None], Awaitable[GraphQLCall]]) -> GraphQLCall:
    """POST a GraphQL document as 住建局 (the competent department: reads the whole banner,
    personal data masked); returns the decoded JSON body (data and errors)."""
    return await gql_as(COMPETENT_DEPARTMENT)


@pytest.fixture
def public_gql(client: httpx.AsyncClient) -> GraphQLCall:
    """POST a GraphQL document without a credential (the anonymous public)."""
    return _caller(client, None)


@pytest.fixture
def count_statements(
    statement_counter: StatementCounter,
) -> Iterator[Callable[[], StatementCounter]]:
    """Start counting the SQL statements of the shared engine; returns the counter."""
    counter = statement_counter

    def start() -> StatementCounter:
        counter.statements.clear()
        counter.active = True
        return counter

    yield start
    counter.active = False
