"""The log pipeline: stdlib ``logging`` calls come out through the same structured formatter as
the hub's own lines, with the request id bound to the request; ``configure_logging`` owns one
root handler."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from hub.config import Settings
from hub.observability.logs import HANDLER_NAME, configure_logging, formatter, wants_json


@pytest.fixture
def root_restored() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    uvicorn = logging.getLogger("uvicorn.error")
    uvicorn_state = (list(uvicorn.handlers), uvicorn.propagate)
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    uvicorn.handlers[:], uvicorn.propagate = uvicorn_state


def test_stdlib_lines_are_json_with_the_bound_request_id() -> None:
    """A plain ``logging`` warning inside a request renders as JSON with its request id, its
    level, its logger and the formatted message."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter(json=True))
    logger = logging.getLogger("hub.test_logging")
    logger.addHandler(handler)
    try:
        with structlog.contextvars.bound_contextvars(request_id="req-1"):
            logger.warning("rate-limit storage failed, request admitted: %s", "ConnectionError")
        logger.warning("outside any request")
    finally:
        logger.removeHandler(handler)
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert inside["request_id"] == "req-1"
    assert inside["event"] == "rate-limit storage failed, request admitted: ConnectionError"
    assert inside["level"] == "warning" and inside["logger"] == "hub.test_logging"
    assert "timestamp" in inside
    assert "request_id" not in outside


def test_exceptions_are_rendered_inside_the_json_line() -> None:
    """``logger.exception`` keeps one JSON document per line, the traceback inside it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter(json=True))
    logger = logging.getLogger("hub.test_logging.exc")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("it failed")
    finally:
        logger.removeHandler(handler)
    [line] = stream.getvalue().splitlines()
    document = json.loads(line)
    assert document["event"] == "it failed"
    assert "ValueError" in json.dumps(document["exception"])


def test_format_follows_the_environment() -> None:
    """auto: JSON in production, console in development; an explicit format wins."""
    assert wants_json(Settings(log_format="auto")) is False
    assert wants_json(Settings(log_format="json")) is True
    assert wants_json(Settings(log_format="console")) is False


@pytest.mark.usefixtures("root_restored")
def test_configure_logging_installs_one_root_handler_and_routes_uvicorn() -> None:
    """Called twice, it leaves one structured handler on the root; uvicorn's loggers propagate
    to it (their own handlers removed) and lines are JSON when asked."""
    stream = io.StringIO()
    configure_logging(Settings(log_format="json"), stream=stream)
    configure_logging(Settings(log_format="json", log_level="WARNING"), stream=stream)
    root = logging.getLogger()
    assert [h.get_name() for h in root.handlers].count(HANDLER_NAME) == 1
    assert root.level == logging.WARNING
    uvicorn = logging.getLogger("uvicorn.error")
    assert uvicorn.propagate and not uvicorn.handlers
    uvicorn.error("Application startup failed")
    [line] = stream.getvalue().splitlines()
    assert json.loads(line)["logger"] == "uvicorn.error"
