"""The log pipeline: stdlib ``logging`` calls come out through the same structured formatter as
the hub's own lines, with the request id bound to the request; ``configure_logging`` owns one
root handler; no line carries a local variable of a traceback, a credential's secret, an ID
number or a phone number, nor an unbounded value (issue #12, §2)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from hub.config import Settings
from hub.observability.logs import (
    HANDLER_NAME,
    MAX_EXCEPTION_MESSAGE,
    MAX_VALUE_LENGTH,
    configure_logging,
    formatter,
    wants_json,
)


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


def _render(*, json_lines: bool, raise_with: dict[str, str]) -> str:
    """The line(s) of ``logger.exception`` for an error raised where ``raise_with`` are locals."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter(json=json_lines))
    logger = logging.getLogger("hub.test_logging.locals")
    logger.addHandler(handler)

    def check_owner(idn: str, name: str, key: str) -> None:
        raise LookupError("no such owner")

    try:
        try:
            check_owner(**raise_with)
        except LookupError:
            logger.exception("owner check failed")
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


SECRET_LOCALS = {
    "idn": "150627197511023181",
    "name": "魏兰金",
    "key": "hub_0123456789ab_S3cretS3cretS3cretS3cret",
}


@pytest.mark.parametrize("json_lines", [True, False], ids=["json", "console"])
def test_tracebacks_name_the_frames_but_not_their_local_variables(json_lines: bool) -> None:
    """A traceback shows the failing function and the exception, never the values of the
    frames' locals (structlog's dict tracebacks and rich's console ones show them by default)."""
    text = _render(json_lines=json_lines, raise_with=SECRET_LOCALS)
    assert "check_owner" in text and "LookupError" in text and "no such owner" in text
    for value in (*SECRET_LOCALS.values(), "S3cretS3cret", json.dumps("魏兰金")[1:-1]):
        assert value not in text
    if json_lines:
        [stack] = json.loads(text)["exception"]
        assert all(set(frame) == {"filename", "lineno", "name"} for frame in stack["frames"])


@pytest.mark.parametrize("json_lines", [True, False], ids=["json", "console"])
def test_credentials_and_numbers_of_people_are_masked_in_every_line(json_lines: bool) -> None:
    """Whatever a line carries (its message, its arguments, an exception's text), an API key
    keeps only its public prefix, and an ID number, a phone number or a bearer token is masked."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter(json=json_lines))
    logger = logging.getLogger("hub.test_logging.masks")
    logger.addHandler(handler)
    try:
        logger.warning(
            "refused %s for %s, call %s, header %s",
            "hub_0123456789ab_S3cretS3cretS3cret",
            "150627197511023181",
            "13930856648",
            "Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
        )
        try:
            raise ValueError("invalid input for query argument $1: '15062719751102318X'")
        except ValueError:
            logger.exception("query failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "hub_0123456789ab_[secret]" in text and "S3cret" not in text
    assert "150627197511023181" not in text and "15062719751102318X" not in text
    assert "13930856648" not in text and "eyJzdWIiOiJ4In0" not in text
    assert "[ID number]" in text and "[phone]" in text and "[credential]" in text


def test_long_values_and_exception_messages_are_cut() -> None:
    """A huge message (a 15 MiB document) or exception text does not make a huge line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter(json=True))
    logger = logging.getLogger("hub.test_logging.long")
    logger.addHandler(handler)
    try:
        logger.warning("document: %s", "x" * 1_000_000)
        try:
            raise ValueError("y" * 1_000_000)
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    first, second = stream.getvalue().splitlines()
    assert len(first) < 2 * MAX_VALUE_LENGTH and json.loads(first)["event"].endswith("…[cut]")
    assert len(second) < 2 * MAX_EXCEPTION_MESSAGE + 2000
