"""Structured logs: one pipeline (structlog) for the hub's own lines and every stdlib ``logging``
call, rendered as JSON lines in production and readable lines in development.

``configure_logging`` is called once by ``hub serve`` (before uvicorn starts, which is then told
not to configure logging itself): it puts one handler on the root logger whose formatter runs the
structlog processors, so that ``logging.getLogger(...).warning(...)`` anywhere in the code (and in
uvicorn, SQLAlchemy, httpx) comes out in the same shape, with the request id of the request it
belongs to (bound by ``hub.observability.requests.Observer``). Without it (tests, scripts) the
hub's loggers behave as plain stdlib loggers.

The request line (``request_logger``) is a structlog logger over the stdlib logger
``hub.request``: its fields (method, path, operation, status, duration, request id, the unit code
and role of the caller) stay separate keys in the JSON. Nothing personal is logged: no query
string, no variables, no credential, no name of a person (the principal's ``client`` may be a
staff member's subject, so it is left out too).
"""

from __future__ import annotations

import logging
import sys
from typing import IO, TYPE_CHECKING, Any

import structlog
from structlog.typing import Processor

if TYPE_CHECKING:
    from hub.config import Settings

HANDLER_NAME = "hub-structured"
"""The name of the root handler ``configure_logging`` installs (and replaces when called again)."""
QUIET_LOGGERS = {
    "uvicorn.access": logging.WARNING,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "alembic.runtime.migration": logging.WARNING,
}
"""Loggers held at WARNING whatever HUB_LOG_LEVEL says: uvicorn's access line repeats the request
line without the request id; httpx logs every URL it calls (with its query string) at INFO, and
aiosqlite every statement with its bound values at DEBUG; alembic two lines per readiness probe."""


def _shared() -> list[Processor]:
    """Processors of every line, the hub's own and the stdlib's."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def formatter(*, json: bool) -> structlog.stdlib.ProcessorFormatter:
    """The formatter of the root handler: JSON lines, or coloured console lines."""
    renderer: Processor
    if json:
        renderer = structlog.processors.JSONRenderer(ensure_ascii=False)
        tail: list[Processor] = [structlog.processors.dict_tracebacks, renderer]
    else:
        tail = [structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *tail],
    )


def wants_json(settings: Settings) -> bool:
    """``HUB_LOG_FORMAT``: json, console, or auto (JSON in production)."""
    if settings.log_format == "auto":
        return settings.is_production
    return settings.log_format == "json"


def configure_logging(settings: Settings, *, stream: IO[str] | None = None) -> logging.Handler:
    """Route every log line of the process through one structured handler (see the module)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(formatter(json=wants_json(settings)))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)
    return handler


def request_logger() -> Any:
    """The structlog logger of the request lines (``hub.request``), independent of structlog's
    global configuration: a disabled level costs one ``isEnabledFor``."""
    return structlog.wrap_logger(
        logging.getLogger("hub.request"),
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.stdlib.BoundLogger,
    )
