"""Year arguments: between 2000 and this year (or a few years ahead where planning allows)."""

from __future__ import annotations

from datetime import date

import pytest

from hub.domain.calendar import check_year
from hub.errors import BadUserInput

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize("year", [-3198, 0, 1999, 2027, 99999])
def test_a_year_outside_the_range_is_bad_user_input(year: int) -> None:
    """Years before 2000 or after this one are refused with the range in the message."""
    with pytest.raises(BadUserInput, match="not between 2000 and 2026"):
        check_year(year, today=TODAY)


def test_a_year_inside_the_range_passes_and_ahead_extends_it() -> None:
    """2000 and this year pass; with ahead=1 next year passes too, the one after does not."""
    assert check_year(2000, today=TODAY) == 2000
    assert check_year(2026, today=TODAY) == 2026
    assert check_year(2027, today=TODAY, ahead=1) == 2027
    with pytest.raises(BadUserInput, match="and 2027"):
        check_year(2028, today=TODAY, ahead=1)
