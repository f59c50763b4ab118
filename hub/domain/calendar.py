"""The years the hub holds data of: a year argument outside them is the caller's mistake."""

from __future__ import annotations

from datetime import date

from hub.errors import BadUserInput

FIRST_YEAR = 2000
"""No record of the banner's property services is older (the plan itself is of 2022)."""


def check_year(year: int, *, today: date, ahead: int = 0) -> int:
    """``year`` when it lies between FIRST_YEAR and ``ahead`` years after today's; else
    BAD_USER_INPUT naming the range (dates of year 0 or 99999 would not even exist)."""
    last = today.year + ahead
    if not FIRST_YEAR <= year <= last:
        raise BadUserInput(f"year: {year} is not between {FIRST_YEAR} and {last}", field="year")
    return year
