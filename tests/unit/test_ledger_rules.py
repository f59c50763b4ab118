"""The ledger's pure rules (R3): deadlines, transitions, routing and statistics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.domain import ledger as rules

T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def test_deadline_follows_the_severity() -> None:
    """URGENT 1 day, HIGH 3, MEDIUM 7, LOW 15, counted from the given time."""
    assert rules.deadline(rules.Severity.URGENT, since=T0) == T0 + timedelta(days=1)
    assert rules.deadline(rules.Severity.LOW, since=T0) == T0 + timedelta(days=15)


def test_overdue_only_strictly_after_the_deadline_and_only_while_open() -> None:
    """At the deadline an item is on time; a second later it is overdue; resolved never."""
    assert not rules.is_overdue(rules.Status.ACCEPTED, T0, now=T0)
    assert rules.is_overdue(rules.Status.ACCEPTED, T0, now=T0 + timedelta(seconds=1))
    assert not rules.is_overdue(rules.Status.RESOLVED, T0, now=T0 + timedelta(days=9))


def test_levels_and_departments() -> None:
    """Community → town → department; fire safety to 消防大队, illegal construction to 城管局,
    everything else to 住建局."""
    assert rules.next_level(rules.Level.COMMUNITY) is rules.Level.TOWN
    assert rules.next_level(rules.Level.TOWN) is rules.Level.DEPARTMENT
    assert rules.next_level(rules.Level.DEPARTMENT) is None
    assert rules.department_for(rules.Category.FIRE_SAFETY) == "xfdd"
    assert rules.department_for(rules.Category.ILLEGAL_CONSTRUCTION) == "cgj"
    assert rules.department_for(rules.Category.NOISE) == "zjj"


@pytest.mark.parametrize(
    ("action", "status", "note", "score", "field"),
    [
        (rules.Action.START, rules.Status.REPORTED, None, None, "action"),
        (rules.Action.RESOLVE, rules.Status.IN_PROGRESS, " ", None, "note"),
        (rules.Action.VERIFY, rules.Status.RESOLVED, None, None, "satisfaction"),
        (rules.Action.VERIFY, rules.Status.RESOLVED, None, 0, "satisfaction"),
        (rules.Action.ACCEPT, rules.Status.REPORTED, None, 5, "satisfaction"),
    ],
)
def test_refused_transitions_name_the_field(
    action: rules.Action, status: rules.Status, note: str | None, score: int | None, field: str
) -> None:
    """Each refusal says which input is at fault."""
    with pytest.raises(rules.LedgerRuleError) as caught:
        rules.check_transition(
            action, status, channel=rules.Channel.COMPLAINT, note=note, satisfaction=score
        )
    assert caught.value.field == field


def test_a_proactive_item_is_verified_without_a_score() -> None:
    """Only complaints carry a satisfaction score."""
    assert (
        rules.check_transition(
            rules.Action.VERIFY,
            rules.Status.RESOLVED,
            channel=rules.Channel.PROACTIVE,
            note=None,
            satisfaction=None,
        )
        is rules.Status.VERIFIED
    )


def test_summarize_counts_and_the_median_handling_time() -> None:
    """Open, overdue, resolution rate, median hours and mean satisfaction of a group."""

    def facts(status: rules.Status, hours: int | None, score: int | None = None) -> rules.ItemFacts:
        return rules.ItemFacts(
            status=status,
            reported_at=T0,
            deadline=T0 + timedelta(days=1),
            resolved_at=T0 + timedelta(hours=hours) if hours is not None else None,
            satisfaction=score,
        )

    figures = rules.summarize(
        [
            facts(rules.Status.VERIFIED, 10, 5),
            facts(rules.Status.RESOLVED, 30),
            facts(rules.Status.VERIFIED, 20, 2),
            facts(rules.Status.IN_PROGRESS, None),
        ],
        now=T0 + timedelta(days=2),
    )
    assert (figures.total, figures.open, figures.overdue, figures.resolved) == (4, 1, 1, 3)
    assert figures.resolution_rate == 0.75
    assert figures.median_handling_hours == 20
    assert figures.satisfaction == 3.5
    empty = rules.summarize([], now=T0)
    assert empty.resolution_rate is None and empty.median_handling_hours is None
