"""Global IDs and cursors: round trips, and clear errors for anything malformed."""

from __future__ import annotations

import base64
from datetime import date

import pytest

from hub.errors import BadUserInput
from hub.graphql.relay import (
    check_first,
    decode_cursor,
    decode_global_id,
    encode_cursor,
    encode_global_id,
)
from hub.services.enterprises import ORDERINGS as ENTERPRISE_ORDERINGS
from hub.services.tenders import ORDERINGS as TENDER_ORDERINGS


def test_global_id_round_trip() -> None:
    """An encoded global ID decodes to its type and id."""
    assert decode_global_id(encode_global_id("Enterprise", 42)) == ("Enterprise", 42)


@pytest.mark.parametrize(
    "value",
    [
        "not base64!",
        base64.b64encode(b"Enterprise").decode(),
        base64.b64encode(b"Enterprise:abc").decode(),
        base64.b64encode(b"Enterprise:-1").decode(),
        base64.b64encode(b":1").decode(),
        "",
    ],
)
def test_malformed_global_ids_are_bad_input(value: str) -> None:
    """Anything that is not `base64(Type:positive int)` is BAD_USER_INPUT."""
    with pytest.raises(BadUserInput, match="not a valid global ID"):
        decode_global_id(value)


def test_cursor_round_trip_keeps_dates() -> None:
    """A cursor with a date sort value decodes to the same position."""
    ordering = TENDER_ORDERINGS["ANNOUNCED_DESC"]
    position = (date(2024, 3, 1), 17)
    assert decode_cursor(encode_cursor(ordering, position), ordering) == position


def test_cursor_of_another_ordering_is_refused() -> None:
    """A cursor made for one ordering cannot be used with another."""
    cursor = encode_cursor(ENTERPRISE_ORDERINGS["NAME"], ("某物业", 3))
    with pytest.raises(BadUserInput, match="another ordering"):
        decode_cursor(cursor, ENTERPRISE_ORDERINGS["USCC"])


@pytest.mark.parametrize(
    "cursor", ["%%%", "bm90IGpzb24", base64.urlsafe_b64encode(b"[1]").decode()]
)
def test_malformed_cursor_is_bad_input(cursor: str) -> None:
    """Garbage cursors are BAD_USER_INPUT, not a crash."""
    with pytest.raises(BadUserInput, match="cursor is malformed"):
        decode_cursor(cursor, ENTERPRISE_ORDERINGS["NAME"])


@pytest.mark.parametrize("first", [-1, 101])
def test_first_outside_0_to_100_is_refused(first: int) -> None:
    """`first` must be within 0…100."""
    with pytest.raises(BadUserInput, match="between 0 and 100"):
        check_first(first)
