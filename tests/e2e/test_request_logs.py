"""Request log lines: one JSON line per request carrying the request id that the client sees in
``X-Request-ID`` and in ``extensions.requestId``, and no personal data in any log line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from hub.demo import build_dataset
from hub.observability.logs import QUIET_LOGGERS, formatter
from tests.conftest import DEMO_TODAY

OWNER_CREDIT = """query Check($idNumber: String!, $name: String!) {
  ownerCredit(idNumber: $idNumber, name: $name) { name grade records { category } } }"""


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Every log line of the process at DEBUG (but the third-party loggers that `hub serve` holds
    at WARNING), rendered as JSON, as `hub serve` renders them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter(json=True))
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", *QUIET_LOGGERS)}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name, level in QUIET_LOGGERS.items():  # as configure_logging holds them
        logging.getLogger(name).setLevel(level)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


async def test_request_line_carries_the_request_id_of_the_error(
    client: httpx.AsyncClient, captured: io.StringIO, api_key: Any
) -> None:
    """An invalid query: the log line is JSON, and its request id is the error's requestId and
    the X-Request-ID header; the caller's unit code is in it."""
    key = await api_key("zjj")
    response = await client.post(
        "/graphql",
        json={"query": "query Broken { towns { nope } }"},
        headers={"Authorization": f"Bearer {key}"},
    )
    error = response.json()["errors"][0]
    request_id = error["extensions"]["requestId"]
    assert response.headers["x-request-id"] == request_id
    [line] = [line for line in lines(captured) if line.get("logger") == "hub.request"]
    assert line["request_id"] == request_id
    assert line["event"] == "request" and line["level"] == "info"
    assert line["method"] == "POST" and line["path"] == "/graphql" and line["status"] == 200
    assert line["operation"] == "Broken" and line["outcome"] == "BAD_USER_INPUT"
    assert line["unit"] == "zjj" and line["role"] == "competent_department"
    assert line["duration_ms"] >= 0


async def test_a_client_request_id_is_kept(
    client: httpx.AsyncClient, captured: io.StringIO
) -> None:
    """A plain X-Request-ID sent by the client is the id of the log line and of the response;
    one that is not plain is replaced."""
    query = {"query": "{ towns { code } }"}
    kept = await client.post("/graphql", json=query, headers={"X-Request-ID": "trace-42"})
    replaced = await client.post("/graphql", json=query, headers={"X-Request-ID": "no spaces!"})
    assert kept.headers["x-request-id"] == "trace-42"
    assert replaced.headers["x-request-id"] not in ("no spaces!", "trace-42")
    ids = [line["request_id"] for line in lines(captured) if line.get("logger") == "hub.request"]
    assert ids == ["trace-42", replaced.headers["x-request-id"]]


async def test_owner_credit_look_ups_leave_no_personal_data_in_the_logs(
    client: httpx.AsyncClient, captured: io.StringIO
) -> None:
    """An ownerCredit look-up by ID number and name, sent by POST and by GET (variables in the
    query string): neither the number nor the name appears in any log line."""
    demo = build_dataset(today=DEMO_TODAY.date())
    with_records = {r["resident_id"] for r in demo.owner_credit_records}
    resident = next(r for r in demo.residents if r["id"] in with_records)
    variables = {"idNumber": resident["id_number"], "name": resident["name"]}
    posted = await client.post("/graphql", json={"query": OWNER_CREDIT, "variables": variables})
    assert "errors" not in posted.json(), posted.json()
    params = {"query": OWNER_CREDIT, "variables": json.dumps(variables, ensure_ascii=False)}
    got = await client.get("/graphql", params=params)
    assert got.status_code == 200 and "errors" not in got.json(), got.text
    text = captured.getvalue()
    assert len([line for line in lines(captured) if line.get("logger") == "hub.request"]) == 2
    assert resident["id_number"] not in text
    assert resident["id_number"][-6:] not in text
    assert resident["name"] not in text
