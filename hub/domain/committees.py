"""Owners' committees (业主委员会, MISSION.md R9): what an election must satisfy, and when a
committee assessed UNQUALIFIED still waits for its re-election.

Pure rules, no I/O: the services give the dates and members they read.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from hub.domain.enums import CommitteeMemberRole
from hub.errors import InvalidValue

MIN_MEMBERS = 5
MAX_MEMBERS = 11
MAX_TERM_YEARS = 5


class CommitteeAssessmentResult(enum.StrEnum):
    """The community's annual assessment of a committee (R9)."""

    EXCELLENT = "EXCELLENT"  # 优秀: rewarded
    QUALIFIED = "QUALIFIED"  # 合格
    UNQUALIFIED = "UNQUALIFIED"  # 不合格: the owners' assembly is guided to elect a new committee


@dataclass(frozen=True, slots=True)
class Election:
    """What an owners' assembly decided: the term and the roles of the members elected."""

    assembly_held_on: date
    starts_on: date
    ends_on: date
    roles: Sequence[CommitteeMemberRole]


def latest_term_end(starts_on: date) -> date:
    """The last day a term starting on ``starts_on`` may run: five years, less a day."""
    try:
        fifth = starts_on.replace(year=starts_on.year + MAX_TERM_YEARS)
    except ValueError:  # 29 February → 1 March five years later
        fifth = date(starts_on.year + MAX_TERM_YEARS, 3, 1)
    return fifth - timedelta(days=1)


def validate_election(election: Election) -> None:
    """Refuse (``InvalidValue``, naming the field) an election the rules do not allow.

    Members: 5–11 and an odd number (so that the committee's votes cannot tie), exactly one chair
    (主任) and at least one vice-chair (副主任). Term: starts on or after the assembly and lasts at
    most five years.
    """
    count = len(election.roles)
    if not MIN_MEMBERS <= count <= MAX_MEMBERS:
        raise InvalidValue(
            "members", f"a committee has {MIN_MEMBERS} to {MAX_MEMBERS} members, got {count}"
        )
    if count % 2 == 0:
        raise InvalidValue("members", f"a committee has an odd number of members, got {count}")
    chairs = sum(1 for role in election.roles if role is CommitteeMemberRole.CHAIR)
    if chairs != 1:
        raise InvalidValue("members", f"a committee has exactly one chair (主任), got {chairs}")
    if CommitteeMemberRole.VICE_CHAIR not in election.roles:
        raise InvalidValue("members", "a committee has at least one vice-chair (副主任)")
    if election.starts_on < election.assembly_held_on:
        raise InvalidValue("startsOn", "a term starts on or after the assembly that elected it")
    if election.ends_on < election.starts_on:
        raise InvalidValue("endsOn", "a term ends on or after its first day")
    if election.ends_on > latest_term_end(election.starts_on):
        raise InvalidValue(
            "endsOn",
            f"a term lasts at most {MAX_TERM_YEARS} years: it may end on "
            f"{latest_term_end(election.starts_on).isoformat()} at the latest",
        )


def awaits_reelection(
    *, result: CommitteeAssessmentResult, assessed_on: date, last_assembly_on: date | None
) -> bool:
    """Whether a committee's latest assessment still calls for a new election: it was
    UNQUALIFIED and no owners' assembly has elected a committee after the assessment."""
    if result is not CommitteeAssessmentResult.UNQUALIFIED:
        return False
    return last_assembly_on is None or last_assembly_on <= assessed_on
