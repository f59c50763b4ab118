"""Global IDs and cursors: round trips, one spelling each, and clear errors for anything else."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from hub.errors import BadUserInput
from hub.graphql.relay import (
    INT64_MAX,
    check_first,
    decode_cursor,
    decode_global_id,
    encode_cursor,
    encode_global_id,
)
from hub.services.compounds import ORDERINGS as COMPOUND_ORDERINGS
from hub.services.enterprises import ORDERINGS as ENTERPRISE_ORDERINGS
from hub.services.ledger import ORDERINGS as LEDGER_ORDERINGS
from hub.services.paging import Ordering
from hub.services.tenders import ORDERINGS as TENDER_ORDERINGS


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def cursor_of(payload: Any) -> str:
    """A cursor as the hub writes one, around any payload (for forging)."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode()


def test_global_id_round_trip() -> None:
    """An encoded global ID decodes to its type and id, up to the largest int64."""
    assert decode_global_id(encode_global_id("Enterprise", 42)) == ("Enterprise", 42)
    assert decode_global_id(encode_global_id("Compound", INT64_MAX)) == ("Compound", INT64_MAX)


@pytest.mark.parametrize(
    "value",
    [
        "not base64!",
        b64("Enterprise"),
        b64("Enterprise:abc"),
        b64("Enterprise:-1"),
        b64("Enterprise:0"),
        b64(":1"),
        "",
        b64(f"Compound:{INT64_MAX + 1}"),  # past int64: the driver cannot send it
        b64("Compound: 5"),
        b64("Compound:5 "),
        b64("Compound:+5"),
        b64("Compound:05"),
        b64("Compound:5_0"),  # int() reads "5_0" as 50
        b64("Compound:٣"),  # an Arabic-Indic digit: int() reads it as 3
        b64("Compound:５"),  # a full-width digit
        b64("Compound:5\x00"),
        b64("compound:5"),
        b64("Com pound:5"),
        b64("Compound:5").rstrip("="),  # not padded as we pad
        b64("Compound:5") + "\n",
        " " + b64("Compound:5"),
        b64("Compound:1" + "0" * 200),
    ],
)
def test_anything_but_a_canonical_global_id_is_bad_input(value: str) -> None:
    """Only `base64(Type:positive int64)` exactly as the hub writes it is a global ID."""
    with pytest.raises(BadUserInput, match="not a valid global ID"):
        decode_global_id(value)


def test_cursor_round_trip_of_every_kind_of_sort_value() -> None:
    """Dates, timestamps, numbers and texts come back as they were written."""
    cases: list[tuple[Ordering, tuple[Any, ...]]] = [
        (TENDER_ORDERINGS["ANNOUNCED_DESC"], (date(2024, 3, 1), 17)),
        (LEDGER_ORDERINGS["REPORTED_DESC"], (datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), 9)),
        (LEDGER_ORDERINGS["DEADLINE"], (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), 9)),
        (ENTERPRISE_ORDERINGS["CREDIT_SCORE_DESC"], (-1.0, 3)),
        (ENTERPRISE_ORDERINGS["CREDIT_SCORE_DESC"], (87.25, 3)),
        (ENTERPRISE_ORDERINGS["NAME"], ("鄂尔多斯市某物业服务有限公司", INT64_MAX)),
        (COMPOUND_ORDERINGS["HOUSEHOLDS_DESC"], (0, 1)),
    ]
    for ordering, position in cases:
        assert decode_cursor(encode_cursor(ordering, position), ordering) == position


def test_cursor_of_another_list_with_an_ordering_of_the_same_name_is_refused() -> None:
    """A `compounds` cursor ordered by NAME does not page `enterprises` ordered by NAME."""
    cursor = encode_cursor(COMPOUND_ORDERINGS["NAME"], ("某小区", 3))
    with pytest.raises(BadUserInput, match=r"not one of this list.s \(made for another list"):
        decode_cursor(cursor, ENTERPRISE_ORDERINGS["NAME"])


def test_cursor_of_another_ordering_is_refused() -> None:
    """A cursor made for one ordering cannot be used with another of the same list."""
    cursor = encode_cursor(ENTERPRISE_ORDERINGS["NAME"], ("某物业", 3))
    with pytest.raises(BadUserInput, match="another ordering"):
        decode_cursor(cursor, ENTERPRISE_ORDERINGS["USCC"])


LONG = "长" * 201
"""Longer than any text column a list is ordered by."""

WRONG_VALUES: dict[str, list[Any]] = {
    "int": [INT64_MAX + 1, -1, 1.5, 3.0, "3", "NaN", True, None, [1], {"d": 1}, ""],
    "float": [1, INT64_MAX + 1, "1.5", "NaN", True, None, [1.5], {"d": 1.5}, ""],
    "str": [1, 1.5, True, None, ["x"], {"d": "x"}, LONG, "a\x00b", "\ud800"],
    "date": [
        "2024-3-1",
        "01/03/2024",
        "20240301",
        "2024-02-30",
        "2024-03-01T00:00:00+00:00",
        20240301,
        None,
        True,
        [2024, 3, 1],
        {"d": "2024-03-01"},
        "",
        "NaN",
    ],
    "timestamp": [
        "2026-01-02",
        "2026-01-02T03:04:05",  # naive
        "2026-01-02T03:04:05+08:00",  # not as we write it (UTC)
        "2026-01-02 03:04:05+00:00",
        "2026-13-02T03:04:05+00:00",
        1767323045,
        None,
        False,
        ["2026-01-02T03:04:05+00:00"],
        {"t": "2026-01-02T03:04:05+00:00"},
        "",
    ],
}

TEMPLATES: dict[str, tuple[Ordering, tuple[Any, ...], int]] = {
    "int": (COMPOUND_ORDERINGS["HOUSEHOLDS_DESC"], (120, 4), 0),
    "float": (ENTERPRISE_ORDERINGS["CREDIT_SCORE_DESC"], (87.5, 4), 0),
    "str": (ENTERPRISE_ORDERINGS["NAME"], ("某物业", 4), 0),
    "date": (TENDER_ORDERINGS["ANNOUNCED_DESC"], (date(2024, 3, 1), 4), 0),
    "timestamp": (LEDGER_ORDERINGS["REPORTED_DESC"], (datetime(2026, 1, 2, tzinfo=UTC), 4), 0),
}


@pytest.mark.parametrize(
    ("kind", "value"),
    [(kind, value) for kind, values in WRONG_VALUES.items() for value in values],
    ids=lambda v: repr(v)[:30],
)
def test_sort_value_of_the_wrong_kind_is_refused(kind: str, value: Any) -> None:
    """A forged cursor whose value does not fit its sort key is refused before any SQL."""
    ordering, position, index = TEMPLATES[kind]
    values = json.loads(base64.urlsafe_b64decode(encode_cursor(ordering, position)))[2]
    values[index] = value
    forged = cursor_of([ordering.subject, ordering.name, values])
    with pytest.raises(BadUserInput, match="not one of this list's"):
        decode_cursor(forged, ordering)


def test_a_forged_primary_key_is_refused() -> None:
    """The id part of a position is an int64 too (past it, PostgreSQL's driver fails)."""
    ordering = ENTERPRISE_ORDERINGS["NAME"]
    for value in (INT64_MAX + 1, -1, "4", None, 4.0):
        with pytest.raises(BadUserInput, match="not one of this list's"):
            decode_cursor(cursor_of([ordering.subject, "NAME", ["某物业", value]]), ordering)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "%%%",
        "bm90IGpzb24",
        base64.urlsafe_b64encode(b"[1]").decode(),
        base64.urlsafe_b64encode(b'["NAME", ["x", 1]]').decode(),  # the old format
        base64.urlsafe_b64encode(b'["enterprises","NAME",["x",NaN]]').decode(),
        base64.urlsafe_b64encode(b'["enterprises","NAME",["x",1e999]]').decode(),
        base64.urlsafe_b64encode(b'["enterprises","NAME",["x"]]').decode(),
        base64.urlsafe_b64encode(b'["enterprises","NAME",["x",1,2]]').decode(),
        base64.urlsafe_b64encode(b'["enterprises","NAME",{"a":1}]').decode(),
        base64.urlsafe_b64encode(b'{"enterprises":1}').decode(),
        base64.urlsafe_b64encode(b"[" * 100_000).decode()[:4000],
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        # The same position spelt another way: spaces, padding dropped, a character escaped.
        base64.urlsafe_b64encode(b'["enterprises", "NAME", ["x", 1]]').decode(),
        cursor_of(["enterprises", "NAME", ["xy", 1]]).rstrip("="),
        base64.urlsafe_b64encode(b'["enterprises","NAME",["\\u0078",1]]').decode(),
        "A" * 5000,
    ],
)
def test_malformed_cursor_is_bad_input(cursor: str) -> None:
    """Garbage, old-format and non-canonical cursors are BAD_USER_INPUT, not a crash."""
    with pytest.raises(BadUserInput, match="not one of this list's"):
        decode_cursor(cursor, ENTERPRISE_ORDERINGS["NAME"])


@pytest.mark.parametrize("first", [-1, 101])
def test_first_outside_0_to_100_is_refused(first: int) -> None:
    """`first` must be within 0…100."""
    with pytest.raises(BadUserInput, match="between 0 and 100"):
        check_first(first)
