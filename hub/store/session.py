"""Engines and sessions for SQLite (aiosqlite) and PostgreSQL (asyncpg).

``create_engine`` is called once per process (the app factory, the CLI, the test fixtures); each
unit of work opens its own ``AsyncSession`` from the returned ``async_sessionmaker``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

WRITE_OPTION = "hub_writes"
"""Execution option marking a SQLite connection whose transaction will write."""


CONNECT_TIMEOUT_SECONDS = 10
"""Longest wait for a new PostgreSQL connection (asyncpg waits 60 s by default): a server that
does not answer fails the request within this bound instead of hanging it."""


def create_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> AsyncEngine:
    """An async engine for the URL, with SQLite tuned for a small embedded store."""
    parsed = make_url(url)
    # hide_parameters: bound values (ID numbers, names, the key prefix) stay out of the text of
    # SQLAlchemy's errors, which end up in tracebacks in the log (issue #12, 2).
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs.update(
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            connect_args={"timeout": CONNECT_TIMEOUT_SECONDS},
        )
    engine = create_async_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module's own transaction handling breaks SAVEPOINT and transactional DDL; turn
    # it off and let SQLAlchemy emit BEGIN itself (see _sqlite_on_begin; SQLAlchemy's SQLite docs,
    # "Serializable isolation / Savepoints / Transactional DDL").
    dbapi_connection.isolation_level = None
    # SQLite leaves foreign keys off unless asked per connection; WAL lets readers run beside
    # the one writer (the sync engine) instead of waiting for it.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (no lazy reloads in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def for_writing(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> async_sessionmaker[AsyncSession]:
    """Sessions for units of work that write (see ``_sqlite_on_begin``); the same elsewhere."""
    bind = sessionmaker.kw.get("bind")
    if not isinstance(bind, AsyncEngine) or bind.dialect.name != "sqlite":
        return sessionmaker
    return async_sessionmaker(
        bind.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False, autoflush=False
    )


def _sqlite_on_begin(connection: Any) -> None:
    # A transaction that will write starts IMMEDIATE: it takes SQLite's write lock at once (and
    # waits for it up to the busy timeout), instead of failing with "database is locked" when
    # it first reads and then tries to write while another connection writes.
    immediate = connection.get_execution_options().get(WRITE_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# SQLSTATE classes of a lost or refused connection: 08 (connection exception) and 57P (operator
# intervention: admin or crash shutdown, cannot connect now).
_UNAVAILABLE_SQLSTATES = ("08", "57P")


def database_unavailable(error: BaseException) -> bool:
    """True when the error (or one it was raised from) means the database cannot be reached or
    dropped the connection — an outage to report as DATABASE_UNAVAILABLE, not a bug."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, exc.InterfaceError | exc.TimeoutError | ConnectionError):
            return True  # the DBAPI's connection-level errors; the pool's wait for a connection
        state = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(state, str) and state.startswith(_UNAVAILABLE_SQLSTATES):
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False
