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

The same holds for every other line, whatever it carries:

- a traceback is rendered without the local variables of its frames (structlog's dict
  tracebacks and rich's console tracebacks show them by default: the request's variables, a
  resident's ID number and name, the API key being checked); frames name file, line and
  function only, and an exception's message is cut at ``MAX_EXCEPTION_MESSAGE`` characters;
- a value longer than ``MAX_VALUE_LENGTH`` characters is cut (a 15 MiB message must not make a
  15 MiB line);
- the rendered line passes ``hub.domain.redaction.redact``: a credential keeps only its public
  prefix (``hub_<prefix>_[secret]``), an ID number or phone number that an exception's message
  or a client's operation name carried is masked.

uvicorn's "Exception in ASGI application" goes through the same root handler, so it too comes
out without locals and redacted.
"""

from __future__ import annotations

import logging
import sys
import traceback
from typing import IO, TYPE_CHECKING, Any

import structlog
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import EventDict, ExcInfo, Processor, WrappedLogger

from hub.domain.redaction import redact

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
    "websockets": logging.WARNING,
}
"""Loggers held at WARNING whatever HUB_LOG_LEVEL says: uvicorn's access line repeats the request
line without the request id; httpx logs every URL it calls (with its query string) at INFO, and
aiosqlite every statement with its bound values at DEBUG; alembic two lines per readiness probe;
the websockets library (when installed, uvicorn's choice over wsproto) every frame at DEBUG, the
credential of a connection_init among them."""


def _shared() -> list[Processor]:
    """Processors of every line, the hub's own and the stdlib's."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


MAX_VALUE_LENGTH = 4096
"""Characters kept of one value of a line (the event's message included)."""
MAX_EXCEPTION_MESSAGE = 2000
"""Characters kept of an exception's message in a traceback."""
_CUT = "…[cut]"

_STACKS = ExceptionDictTransformer(show_locals=False)
"""Frames as file, line and function: ``show_locals`` defaults to True in structlog."""


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + _CUT


def exception_stacks(exc_info: ExcInfo) -> list[dict[str, Any]]:
    """The JSON form of an exception: its chain of stacks, without locals, messages cut."""
    stacks = _STACKS(exc_info)
    for stack in stacks:
        if isinstance(stack.get("exc_value"), str):
            stack["exc_value"] = _cut(stack["exc_value"], MAX_EXCEPTION_MESSAGE)
    return stacks


def plain_traceback(sio: IO[str], exc_info: ExcInfo) -> None:
    """The console form of an exception: Python's own traceback (no locals, unlike rich's,
    structlog's default when rich is installed), its messages cut."""
    _, value, _ = exc_info
    lines = traceback.format_exception(*exc_info) if value is not None else []
    sio.write("\n" + "".join(_cut(line, MAX_EXCEPTION_MESSAGE) for line in lines))


def _bounded(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    """Cut every long text value of the line (see ``MAX_VALUE_LENGTH``)."""
    for key, value in event_dict.items():
        if isinstance(value, str) and len(value) > MAX_VALUE_LENGTH:
            event_dict[key] = _cut(value, MAX_VALUE_LENGTH)
    return event_dict


class Redacted:
    """A renderer whose lines pass ``hub.domain.redaction.redact`` (see the module)."""

    def __init__(self, renderer: Processor) -> None:
        self.renderer = renderer

    def __repr__(self) -> str:
        return f"Redacted({self.renderer!r})"

    def __call__(self, logger: WrappedLogger, name: str, event_dict: EventDict) -> str:
        rendered = self.renderer(logger, name, event_dict)
        return redact(rendered if isinstance(rendered, str) else str(rendered))


def formatter(*, json: bool) -> structlog.stdlib.ProcessorFormatter:
    """The formatter of the root handler: JSON lines, or coloured console lines; tracebacks
    without locals, long values cut, credentials and personal data masked (see the module)."""
    tail: list[Processor]
    if json:
        tail = [
            structlog.processors.ExceptionRenderer(exception_stacks),
            _bounded,
            Redacted(structlog.processors.JSONRenderer(ensure_ascii=False)),
        ]
    else:
        console = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=plain_traceback
        )
        tail = [_bounded, Redacted(console)]
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
