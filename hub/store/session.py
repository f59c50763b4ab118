"""Engines and sessions for SQLite (aiosqlite) and PostgreSQL (asyncpg).

``create_engine`` is called once per process (the app factory, the CLI, the test fixtures); each
unit of work opens its own ``AsyncSession`` from the returned ``async_sessionmaker``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, exc
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

if TYPE_CHECKING:
    from hub.config import Settings

WRITE_OPTION = "hub_writes"
"""Execution option marking a SQLite connection whose transaction will write."""


CONNECT_TIMEOUT_SECONDS = 5.0
"""Longest wait for a new PostgreSQL connection, the server's answer to the start-up included
(asyncpg waits 60 s by default): a server that does not answer fails the request within this
bound instead of hanging it. Setting: HUB_DATABASE_CONNECT_TIMEOUT_SECONDS."""

POOL_TIMEOUT_SECONDS = 5.0
"""Longest wait for a free connection of the pool (SQLAlchemy waits 30 s by default): when every
connection hangs on a server that does not answer, the next requests give up this soon.
Setting: HUB_DATABASE_POOL_TIMEOUT_SECONDS."""


def create_engine(
    url: str,
    *,
    echo: bool = False,
    pool_size: int = 10,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    command_timeout: float | None = None,
    pool_timeout: float = POOL_TIMEOUT_SECONDS,
) -> AsyncEngine:
    """An async engine for the URL, with SQLite tuned for a small embedded store.

    Connecting and waiting for a pooled connection are bounded (the ``*_TIMEOUT_SECONDS`` above),
    so that a database that hangs fails requests with DATABASE_UNAVAILABLE
    (``database_unavailable``) instead of hanging them. ``command_timeout`` bounds each
    statement (asyncpg's ``command_timeout``; on SQLite the busy timeout, else 30 s): none by
    default, for the batch commands whose statements may run long (migrations, loads); a serving
    process takes it from the settings (``engine_from_settings``).
    """
    parsed = make_url(url)
    # hide_parameters: bound values (ID numbers, names, the key prefix) stay out of the text of
    # SQLAlchemy's errors, which end up in tracebacks in the log.
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # sqlite3's busy timeout: how long a statement waits for another connection's lock.
        kwargs["connect_args"] = {"timeout": 30.0 if command_timeout is None else command_timeout}
    else:
        # No pool pre-ping (it costs a round trip per checkout, three with its transaction): a
        # connection that died in the pool fails its first statement, which invalidates it and
        # the pool's other connections of its age, and the request reports DATABASE_UNAVAILABLE.
        connect_args: dict[str, Any] = {"timeout": connect_timeout}
        if command_timeout is not None:
            connect_args["command_timeout"] = command_timeout
        kwargs.update(
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=pool_timeout,
            connect_args=connect_args,
        )
    engine = create_async_engine(url, **kwargs)
    event.listen(engine.sync_engine, "handle_error", _timeout_invalidates_the_connection)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
    return engine


def _timeout_invalidates_the_connection(context: ExceptionContext) -> None:
    # A statement that timed out leaves its connection waiting for the server's answer (asyncpg
    # then sends a cancel request, over a new connection, to a server that may not answer that
    # either): the connection must not go back to the pool, where the next request would wait
    # behind it. Only this connection: one slow statement says nothing of the others.
    if isinstance(context.original_exception, TimeoutError):
        context.is_disconnect = True
        context.invalidate_pool_on_disconnect = False


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
# SQLite's result codes of a lock held by another connection past the busy timeout.
_SQLITE_LOCK_ERRORS = ("SQLITE_BUSY", "SQLITE_LOCKED")


def database_unavailable(error: BaseException) -> bool:
    """True when the error (or one it was raised from) means the database cannot be reached, does
    not answer in time, or dropped the connection — an outage to report as DATABASE_UNAVAILABLE,
    not a bug.

    The timeouts: SQLAlchemy's wait for a pooled connection (``exc.TimeoutError``), asyncpg's
    connect and command timeouts (``asyncio.TimeoutError``, which is the builtin ``TimeoutError``;
    nothing else in a request raises it: the connectors translate their own timeouts), and
    SQLite's busy timeout on a lock (``database is locked``).
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(
            current, exc.InterfaceError | exc.TimeoutError | ConnectionError | TimeoutError
        ):
            return True  # the DBAPI's connection-level errors; the waits bounded by timeouts
        state = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(state, str) and state.startswith(_UNAVAILABLE_SQLSTATES):
            return True
        sqlite_error = getattr(current, "sqlite_errorname", None)
        if isinstance(sqlite_error, str) and sqlite_error.startswith(_SQLITE_LOCK_ERRORS):
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


def engine_from_settings(settings: Settings) -> AsyncEngine:
    """The engine of a serving process: its pool and every timeout from the settings
    (HUB_DATABASE_*)."""
    return create_engine(
        settings.database_url,
        echo=settings.database_echo,
        pool_size=settings.database_pool_size,
        connect_timeout=settings.database_connect_timeout_seconds,
        command_timeout=settings.database_command_timeout_seconds,
        pool_timeout=settings.database_pool_timeout_seconds,
    )
