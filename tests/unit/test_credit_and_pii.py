"""Credit score and grade as of a date; masking of personal data; compound-name matching."""

from __future__ import annotations

from datetime import date

from hub.domain.credit import CreditCategory, CreditEntry, credit_grade, credit_score
from hub.domain.names import normalize_compound_name
from hub.domain.pii import mask_id_number, mask_name, mask_phone

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


def test_masks_keep_only_what_identifies_nobody() -> None:
    """Names keep the surname, IDs the area code and last 4, phones the first 3 and last 4."""
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_id_number("15062719800101123X") == "150627********123X"
    assert mask_phone("13812345678") == "138****5678"


def test_compound_names_match_across_spellings() -> None:
    """Full-width letters, spaces, case and a trailing 小区 do not make another compound."""
    key = normalize_compound_name("民悦A区")
    assert normalize_compound_name("民悦Ａ区") == key
    assert normalize_compound_name(" 民悦 a 区小区") == key
    assert normalize_compound_name("民悦B区") != key
