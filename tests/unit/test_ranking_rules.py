"""The pure rules of the annual ranking and its sanctions (R8) and of the budget (R13)."""

from __future__ import annotations

from datetime import date

import pytest

from hub.domain import ranking as rules
from hub.domain.subsidies import BudgetStatus, RepairParty, missing_parties

SETTINGS = rules.RankingSettings()


def record(n: int, semi: list[float], deductions: float = 0.0) -> rules.YearRecord:
    return rules.YearRecord(n, f"USCC{n:02d}", semi, deductions, inspections=1)


def test_score_is_the_documented_weighting() -> None:
    """60 % semi-annual average + 40 % of (100 − deductions)."""
    (placing,) = rules.rank([record(1, [80.0, 90.0], deductions=10.0)], SETTINGS)
    assert placing.score == round(85.0 * 0.6 + 90.0 * 0.4, 2) and placing.rank == 1


def test_credit_score_counts_only_when_weighted() -> None:
    """With a credit weight the credit score joins the weighted average; without one, it does
    not; and an enterprise without a credit score is then unranked."""
    settings = rules.RankingSettings(credit_weight=0.5)
    with_credit = rules.YearRecord(1, "A", [80.0, 80.0], 0.0, 1, credit_score=60.0)
    without = rules.YearRecord(2, "B", [80.0, 80.0], 0.0, 1, credit_score=None)
    placings = {p.enterprise_id: p for p in rules.rank([with_credit, without], settings)}
    assert placings[1].score == round((80 * 0.6 + 100 * 0.4 + 60 * 0.5) / 1.5, 2)
    assert placings[2].rank is None and "credit score" in (placings[2].unranked_reason or "")


def test_too_few_assessments_are_unranked_with_the_reason() -> None:
    """One semi-annual assessment of the two needed: listed after the ranked, with the reason."""
    placings = rules.rank([record(1, [99.0]), record(2, [50.0, 50.0])], SETTINGS)
    assert [p.enterprise_id for p in placings] == [2, 1]
    assert placings[1].rank is None and placings[1].score is None
    assert placings[1].unranked_reason == (
        "too few assessments: 2 semi-annual assessments needed in the year, 1 recorded"
    )


def test_ties_are_broken_by_semi_annual_average_then_deductions_then_uscc() -> None:
    """Equal scores: the higher semi-annual average first, then fewer deductions, then USCC."""
    # Both score 0.6 × 90 + 0.4 × 90 = 90 and 0.6 × 95 + 0.4 × 82.5 = 90.
    a = record(1, [90.0, 90.0], deductions=10.0)
    b = record(2, [95.0, 95.0], deductions=17.5)
    # Same score and same average: fewer deductions cannot differ, so the USCC decides.
    c = record(3, [90.0, 90.0], deductions=10.0)
    placings = rules.rank([c, a, b], SETTINGS)
    assert [(p.enterprise_id, p.score, p.rank) for p in placings] == [
        (2, 90.0, 1),
        (1, 90.0, 2),
        (3, 90.0, 3),
    ]


def ten() -> list[rules.Placing]:
    return rules.rank([record(n, [100.0 - n, 100.0 - n]) for n in range(1, 11)], SETTINGS)


def test_top_five_rewarded_bottom_five_banned_for_one_year() -> None:
    drafts = rules.sanctions_for(
        ten(), settings=SETTINGS, published_on=date(2026, 3, 1), previous_bottom=None
    )
    rewards = [d.enterprise_id for d in drafts if d.kind is rules.SanctionKind.REWARD]
    bans = [d for d in drafts if d.kind is rules.SanctionKind.BANNED_NEW_PROJECTS]
    assert rewards == [1, 2, 3, 4, 5]
    assert [d.enterprise_id for d in bans] == [6, 7, 8, 9, 10]
    assert {(d.starts_on, d.ends_on) for d in bans} == {(date(2026, 3, 1), date(2027, 3, 1))}
    assert not any(d.kind is rules.SanctionKind.MARKET_EXIT for d in drafts)


def test_bottom_five_two_consecutive_years_exit_the_market() -> None:
    """Only those in the bottom of the previous published year too; none after a gap year."""
    previous = frozenset({9, 10, 42})
    drafts = rules.sanctions_for(
        ten(), settings=SETTINGS, published_on=date(2026, 3, 1), previous_bottom=previous
    )
    exits = [d.enterprise_id for d in drafts if d.kind is rules.SanctionKind.MARKET_EXIT]
    assert exits == [9, 10]
    gap = rules.sanctions_for(
        ten(), settings=SETTINGS, published_on=date(2026, 3, 1), previous_bottom=None
    )
    assert not any(d.kind is rules.SanctionKind.MARKET_EXIT for d in gap)


def test_a_small_ranking_never_rewards_and_bans_the_same_enterprise() -> None:
    placings = rules.rank([record(n, [90.0 - n, 90.0 - n]) for n in range(1, 4)], SETTINGS)
    top, bottom = rules.top_and_bottom(placings, SETTINGS)
    assert top == [1] and bottom == [3]


@pytest.mark.parametrize(
    ("on", "banned"),
    [
        (date(2026, 2, 28), False),  # the day before publication
        (date(2026, 3, 1), True),  # the publication day
        (date(2027, 2, 28), True),  # the last day of the year
        (date(2027, 3, 1), False),  # exactly one year after: free again
        (date(2027, 3, 2), False),
    ],
)
def test_ban_runs_exactly_one_year_from_publication(on: date, banned: bool) -> None:
    published = date(2026, 3, 1)
    assert rules.in_force(published, rules.one_year_after(published), on) is banned


def test_one_year_after_29_february_is_1_march() -> None:
    assert rules.one_year_after(date(2028, 2, 29)) == date(2029, 3, 1)


def test_forms_are_checked_item_by_item() -> None:
    today = date(2026, 11, 25)
    full = [rules.ItemInput(code, maximum) for code, (_, maximum) in rules.SEMI_ANNUAL_FORM.items()]
    lines = rules.check_semi_annual(full, half=1, on=date(2026, 6, 30), today=today)
    assert sum(line.points for line in lines) == 100.0
    cases = [
        (full[:-1], 1, date(2026, 6, 30), "items"),  # an item missing
        ([*full[:-1], rules.ItemInput("S08", 10.5)], 1, date(2026, 6, 30), "items[7]"),
        (full, 3, date(2026, 6, 30), "half"),
        (full, 2, date(2026, 6, 30), "assessedOn"),  # before the second half began
        (full, 1, date(2026, 11, 26), "assessedOn"),  # in the future
    ]
    for items, half, on, field in cases:
        with pytest.raises(rules.FormError) as caught:
            rules.check_semi_annual(items, half=half, on=on, today=today)
        assert caught.value.field == field
    with pytest.raises(rules.FormError, match="given twice"):
        rules.check_inspection(
            [rules.ItemInput("D01", 1), rules.ItemInput("D01", 2)], on=today, today=today
        )
    with pytest.raises(rules.FormError, match="not an item"):
        rules.check_inspection([rules.ItemInput("S01", 1)], on=today, today=today)


def test_budget_allows_up_to_exactly_what_is_left() -> None:
    status = BudgetStatus(year=2026, total=5_000_000, subsidies=2_500_000, rewards=500_000)
    assert status.remaining == 2_000_000
    assert status.allows(2_000_000) and not status.allows(2_000_000.01)


def test_all_four_parties_must_accept() -> None:
    assert missing_parties([RepairParty.COMMUNITY, RepairParty.TOWN]) == [
        RepairParty.COMMITTEE,
        RepairParty.COMPETENT_DEPARTMENT,
    ]
