"""Credit score and grade as of a date; masking of personal data; compound-name matching."""

from __future__ import annotations

from datetime import date

import pytest

from hub.domain.credit import CreditCategory, CreditEntry, credit_grade, credit_score
from hub.domain.names import normalize_compound_name
from hub.domain.pii import (
    PersonalField,
    PhoneKind,
    mask,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_phone,
    parse_phone,
)
from hub.errors import ErrorCode, InvalidValue

THRESHOLDS = [("AAA", 85.0), ("AA", 80.0), ("A", 70.0), ("B", 60.0), ("C", 0.0)]


def test_score_is_basic_plus_good_minus_bad_valid_on_the_date() -> None:
    """Only records valid on the date count; bad records subtract."""
    entries = [
        CreditEntry(CreditCategory.BASIC, 70, date(2020, 1, 1), None),
        CreditEntry(CreditCategory.GOOD, 5, date(2025, 1, 1), date(2025, 12, 31)),
        CreditEntry(CreditCategory.BAD, 8, date(2025, 6, 1), date(2026, 5, 31)),
        CreditEntry(CreditCategory.GOOD, 3, date(2027, 1, 1), None),  # not yet valid
    ]
    assert credit_score(entries, on=date(2025, 7, 1)) == 67.0
    assert credit_score(entries, on=date(2026, 1, 1)) == 62.0  # the good record expired
    assert credit_score(entries, on=date(2026, 6, 1)) == 70.0  # the bad one too


def test_validity_bounds_are_inclusive() -> None:
    """A record counts on its first and on its last day."""
    entry = CreditEntry(CreditCategory.GOOD, 2, date(2025, 1, 1), date(2025, 12, 31))
    assert credit_score([entry], on=date(2025, 1, 1)) == 2.0
    assert credit_score([entry], on=date(2025, 12, 31)) == 2.0
    assert credit_score([entry], on=date(2026, 1, 1)) == 0.0


def test_grade_thresholds_are_lower_bounds() -> None:
    """A score equal to a grade's lowest score gets that grade."""
    assert credit_grade(85.0, THRESHOLDS) == "AAA"
    assert credit_grade(84.99, THRESHOLDS) == "AA"
    assert credit_grade(60.0, THRESHOLDS) == "B"
    assert credit_grade(-3.0, THRESHOLDS) == "C"


@pytest.mark.parametrize(
    ("field", "value", "masked"),
    [
        ("name", "张三", "张*"),
        ("name", "张三丰", "张**"),
        ("name", " 李四 ", "李*"),
        ("name", "欧阳娜娜", "欧阳**"),
        ("name", "司马光", "司马*"),
        ("name", "欧阳", "欧*"),  # two characters: the surname alone would show the whole name
        ("name", "巴特尔", "巴**"),  # Mongolian names have no surname: the first character
        ("name", "张", "*"),
        ("id_number", "15062719800101123X", "150627********123X"),
        ("id_number", "150627800101123", "150627*****1123"),  # the old 15-digit numbers
        ("id_number", "12345", "*****"),
        ("phone", "13812345678", "138****5678"),
        ("phone", "+86 138 1234 5678", "138****5678"),
        ("phone", "0477-8581234", "0477-***1234"),
        ("phone", "04778581234", "0477-***1234"),
        ("phone", "010-62345678", "010-****5678"),
        ("phone", "0477-8581234-123", "0477-***1234-***"),
        ("phone", "12345678", "********"),  # stored before validation: no kind, masked whole
        ("phone", "5678", "****"),
    ],
)
def test_each_kind_of_personal_value_has_its_mask(field: str, value: str, masked: str) -> None:
    """Names keep the surname (two characters of a compound one), ID numbers the area code and
    the last 4, mobiles the first 3 and the last 4, landlines the area code and the last 4."""
    assert mask(field, value) == masked


def test_the_mask_functions_are_the_dispatched_rules() -> None:
    """``mask`` and the per-kind functions agree (callers may use either)."""
    assert mask_name("欧阳娜娜") == mask(PersonalField.NAME, "欧阳娜娜")
    assert mask_id_number("15062719800101123X") == mask("id_number", "15062719800101123X")
    assert mask_phone("0477-8581234") == mask("phone", "0477-8581234")


@pytest.mark.parametrize(
    ("text", "kind", "canonical"),
    [
        ("13812345678", PhoneKind.MOBILE, "13812345678"),
        (" 138 1234 5678 ", PhoneKind.MOBILE, "13812345678"),
        ("138-1234-5678", PhoneKind.MOBILE, "13812345678"),
        ("+8619912345678", PhoneKind.MOBILE, "19912345678"),
        ("0477-8581234", PhoneKind.LANDLINE, "0477-8581234"),
        ("04778581234", PhoneKind.LANDLINE, "0477-8581234"),
        ("(0477)8581234", PhoneKind.LANDLINE, "0477-8581234"),
        ("0477 8581234", PhoneKind.LANDLINE, "0477-8581234"),
        ("010-62345678", PhoneKind.LANDLINE, "010-62345678"),
        ("02162345678", PhoneKind.LANDLINE, "021-62345678"),
        ("0477-8581234-12", PhoneKind.LANDLINE, "0477-8581234-12"),
        ("0477-8581234转123", PhoneKind.LANDLINE, "0477-8581234-123"),
        ("021-62345678 ext. 9", PhoneKind.LANDLINE, "021-62345678-9"),
    ],
)
def test_phone_numbers_are_recognised_by_kind(text: str, kind: PhoneKind, canonical: str) -> None:
    """Mobiles (1[3-9] and 9 digits, +86 allowed) and landlines with their area code (an
    extension allowed) are accepted, in the canonical form the hub stores."""
    phone = parse_phone(text)
    assert phone.kind is kind
    assert str(phone) == canonical == normalize_phone(text)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("13900001", "11 digits starting with 13–19, got 8 digits"),
        ("6581234", "a landline needs its area code"),
        ("12812345678", "11 digits starting with 13–19"),
        ("138123456789", "11 digits starting with 13–19, got 12 digits"),
        ("0477-0581234", "a local number of 7–8 digits starting with 2–9"),
        ("047-8581234", "a local number of 7–8 digits"),
        ("1381234567a", "characters other than digits"),
        ("phone me", "characters other than digits"),
        ("   ", "empty"),
        ("1" * 31, "too long"),
    ],
)
def test_anything_else_is_refused_naming_the_problem(text: str, problem: str) -> None:
    """Anything but a mobile or a landline with its area code is refused with BAD_USER_INPUT on
    the field, saying what is wrong and what a phone looks like, never repeating the value."""
    with pytest.raises(InvalidValue) as caught:
        parse_phone(text, field="members[2].phone")
    error = caught.value
    assert error.field == "members[2].phone" and error.code is ErrorCode.BAD_USER_INPUT
    assert problem in error.message and "0477-8581234" in error.message
    if text.strip():
        assert text.strip() not in error.message


def test_a_phone_never_shows_its_digits_in_its_repr() -> None:
    """A Phone in a log line or a traceback shows its kind, not the number."""
    assert "5678" not in repr(parse_phone("13812345678"))
    assert normalize_phone(None) is None and normalize_phone(" ") is None


def test_compound_names_match_across_spellings() -> None:
    """Full-width letters, spaces, case and a trailing 小区 do not make another compound."""
    key = normalize_compound_name("民悦A区")
    assert normalize_compound_name("民悦Ａ区") == key
    assert normalize_compound_name(" 民悦 a 区小区") == key
    assert normalize_compound_name("民悦B区") != key
