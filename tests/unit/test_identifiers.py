"""USCC (GB 32100-2015) and resident ID (GB 11643) checks."""

from __future__ import annotations

import pytest

from hub.domain.identifiers import (
    resident_id_check_digit,
    uscc_area_code,
    uscc_check_char,
    validate_resident_id,
    validate_uscc,
)
from hub.errors import ErrorCode, InvalidValue

VALID_USCCS = ["91350200776049653A", "913502000728319549", "91350213678251743X"]


@pytest.mark.parametrize("uscc", VALID_USCCS)
def test_published_usccs_are_valid(uscc: str) -> None:
    """The examples of MISSION.md pass the check."""
    assert validate_uscc(uscc) == uscc
    assert uscc_check_char(uscc[:17]) == uscc[17]


def test_uscc_is_normalised_to_upper_case_and_trimmed() -> None:
    """Lower case and surrounding spaces are accepted and normalised."""
    assert validate_uscc(" 91350213678251743x ") == "91350213678251743X"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("9135020077604965", "18 characters, got 16"),
        ("91350200776049653B", "check character is B, expected A"),
        ("9135020077604965IA", "not allowed in a USCC: I"),
        ("91350200776O49653A", "not allowed in a USCC: O"),
    ],
)
def test_invalid_uscc_is_refused_with_field_and_reason(value: str, reason: str) -> None:
    """A bad USCC raises BAD_USER_INPUT naming the field and saying why."""
    with pytest.raises(InvalidValue) as caught:
        validate_uscc(value, field="filter.uscc")
    assert caught.value.field == "filter.uscc"
    assert reason in caught.value.message
    assert caught.value.message.startswith("filter.uscc: ")
    assert caught.value.code is ErrorCode.BAD_USER_INPUT


def test_uscc_area_code_is_positions_3_to_8() -> None:
    """The area code sits at positions 3–8."""
    assert uscc_area_code("91350200776049653A") == "350200"


def test_resident_id_example_is_valid() -> None:
    """The GB 11643 example passes and its check digit is X."""
    assert validate_resident_id("11010519491231002x") == "11010519491231002X"
    assert resident_id_check_digit("11010519491231002") == "X"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("110105194912310021", "check digit does not match"),
        ("1101051949123100", "17 digits and a check digit"),
        ("110105194913310029", "birth date"),
    ],
)
def test_invalid_resident_id_is_refused_without_echoing_it(value: str, reason: str) -> None:
    """A bad ID number is refused with a reason, and the message never contains the number."""
    with pytest.raises(InvalidValue) as caught:
        validate_resident_id(value)
    assert reason in caught.value.message
    assert value not in caught.value.message
    assert value[:10] not in caught.value.message
