"""The ledger's rules (台账, 挂账督办, MISSION.md R3): levels, deadlines, transitions, escalation.

Pure: no session and no clock — callers pass ``now``. The service ``hub.services.ledger`` applies
these rules to stored items; the deadline table and the routing of hard matters to departments
live here so that the whole workflow can be read in one place.

The workflow: an item is REPORTED at the level of the unit that reports it, ACCEPTED and worked
(IN_PROGRESS) by the unit it is assigned to, RESOLVED with a note, and VERIFIED (or REOPENED) by
the level that reported it. An item not resolved by its deadline goes up one level — community →
town → the department responsible for its category — *small matters stay in the community, big
matters stay in the town, hard matters are solved by the departments*.
"""

from __future__ import annotations

import enum
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


class Channel(enum.StrEnum):
    """How an item came into the ledger (R3)."""

    COMPLAINT = "COMPLAINT"  # 接诉即办
    PROACTIVE = "PROACTIVE"  # 未诉先办
    SMALL_PROBLEM = "SMALL_PROBLEM"  # 小问题小隐患
    SWEEP = "SWEEP"  # 大排查大整治


class Category(enum.StrEnum):
    """What the problem is about; it decides the department of a hard matter."""

    FACILITIES = "FACILITIES"  # 设施设备
    FIRE_SAFETY = "FIRE_SAFETY"  # 消防安全
    SANITATION = "SANITATION"  # 环境卫生
    FEES = "FEES"  # 物业收费
    NOISE = "NOISE"  # 噪声扰民
    ILLEGAL_CONSTRUCTION = "ILLEGAL_CONSTRUCTION"  # 违章搭建
    GREENERY = "GREENERY"  # 绿化
    SECURITY = "SECURITY"  # 秩序维护
    OTHER = "OTHER"


class Severity(enum.StrEnum):
    """How urgent an item is; it decides the deadline at each level."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    URGENT = "URGENT"


class Level(enum.StrEnum):
    """Who handles an item: community → town → department (R3)."""

    COMMUNITY = "COMMUNITY"
    TOWN = "TOWN"
    DEPARTMENT = "DEPARTMENT"


class Status(enum.StrEnum):
    """Where an item stands."""

    REPORTED = "REPORTED"
    ACCEPTED = "ACCEPTED"
    IN_PROGRESS = "IN_PROGRESS"
    RESOLVED = "RESOLVED"
    VERIFIED = "VERIFIED"
    REOPENED = "REOPENED"


class Action(enum.StrEnum):
    """A step of the workflow, as asked for by `ledgerItemTransition`."""

    ACCEPT = "ACCEPT"
    START = "START"
    RESOLVE = "RESOLVE"
    VERIFY = "VERIFY"
    REOPEN = "REOPEN"


OPEN_STATUSES = frozenset({Status.REPORTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.REOPENED})
"""Statuses of an item not yet resolved: its deadline runs."""

DONE_STATUSES = frozenset({Status.RESOLVED, Status.VERIFIED})

DEADLINES: dict[Severity, timedelta] = {
    Severity.URGENT: timedelta(days=1),
    Severity.HIGH: timedelta(days=3),
    Severity.MEDIUM: timedelta(days=7),
    Severity.LOW: timedelta(days=15),
}
"""Time allowed at each level, by severity; the clock restarts when an item goes up a level."""

DEPARTMENT_OF_CATEGORY: dict[Category, str] = {
    Category.FIRE_SAFETY: "xfdd",  # 消防大队
    Category.ILLEGAL_CONSTRUCTION: "cgj",  # 城管局
}
DEFAULT_DEPARTMENT = "zjj"
"""住建局, the competent department, takes every hard matter no other department owns."""

TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.ACCEPT: (frozenset({Status.REPORTED, Status.REOPENED}), Status.ACCEPTED),
    Action.START: (frozenset({Status.ACCEPTED}), Status.IN_PROGRESS),
    Action.RESOLVE: (frozenset({Status.ACCEPTED, Status.IN_PROGRESS}), Status.RESOLVED),
    Action.VERIFY: (frozenset({Status.RESOLVED}), Status.VERIFIED),
    Action.REOPEN: (frozenset({Status.RESOLVED}), Status.REOPENED),
}
"""Action → (statuses it may start from, status it leads to)."""

REPORTER_ACTIONS = frozenset({Action.VERIFY, Action.REOPEN})
"""Actions of the level that reported the item (R3: verification by the reporting level)."""

SATISFACTION_RANGE = range(1, 6)


class LedgerRuleError(ValueError):
    """A step the workflow does not allow; ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def deadline(severity: Severity, *, since: datetime) -> datetime:
    """When an item of this severity must be resolved at its level, counted from ``since``."""
    return since + DEADLINES[severity]


def next_level(level: Level) -> Level | None:
    """The level above, or None at the top (a department)."""
    order = list(Level)
    index = order.index(level)
    return order[index + 1] if index + 1 < len(order) else None


def department_for(category: Category) -> str:
    """The member unit code of the department that solves hard matters of this category."""
    return DEPARTMENT_OF_CATEGORY.get(category, DEFAULT_DEPARTMENT)


def is_overdue(status: Status, due: datetime, *, now: datetime) -> bool:
    """Not resolved and past its deadline (strictly: at the deadline it is still on time)."""
    return status in OPEN_STATUSES and now > due


def check_transition(
    action: Action,
    status: Status,
    *,
    channel: Channel,
    note: str | None,
    satisfaction: int | None,
) -> Status:
    """The status after ``action``, or ``LedgerRuleError`` saying why it is not allowed."""
    allowed_from, target = TRANSITIONS[action]
    if status not in allowed_from:
        starts = ", ".join(sorted(allowed_from))
        raise LedgerRuleError(
            f"action: {action} is not possible on an item that is {status} (only from {starts})",
            field="action",
        )
    if action in (Action.RESOLVE, Action.REOPEN) and not (note and note.strip()):
        raise LedgerRuleError(f"note: {action} needs a note saying what was done", field="note")
    if satisfaction is not None:
        if action is not Action.VERIFY or channel is not Channel.COMPLAINT:
            raise LedgerRuleError(
                "satisfaction: only a complaint item takes a satisfaction score, on VERIFY",
                field="satisfaction",
            )
        if satisfaction not in SATISFACTION_RANGE:
            raise LedgerRuleError(
                f"satisfaction: a score from 1 to 5, got {satisfaction}", field="satisfaction"
            )
    elif action is Action.VERIFY and channel is Channel.COMPLAINT:
        raise LedgerRuleError(
            "satisfaction: verifying a complaint item needs the complainant's satisfaction (1–5)",
            field="satisfaction",
        )
    return target


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """What the statistics need of one item."""

    status: Status
    reported_at: datetime
    deadline: datetime
    resolved_at: datetime | None
    satisfaction: int | None


@dataclass(frozen=True, slots=True)
class Figures:
    """Ledger statistics of a group of items."""

    total: int
    open: int
    overdue: int
    resolved: int
    resolution_rate: float | None  # resolved ÷ total
    median_handling_hours: float | None  # of resolved items, reported → resolved
    satisfaction: float | None  # mean of the scores given


def summarize(items: Iterable[ItemFacts], *, now: datetime) -> Figures:
    """The figures of a group of items as of ``now``."""
    facts = list(items)
    hours = [
        (f.resolved_at - f.reported_at).total_seconds() / 3600
        for f in facts
        if f.status in DONE_STATUSES and f.resolved_at is not None
    ]
    scores = [f.satisfaction for f in facts if f.satisfaction is not None]
    resolved = sum(1 for f in facts if f.status in DONE_STATUSES)
    return Figures(
        total=len(facts),
        open=sum(1 for f in facts if f.status in OPEN_STATUSES),
        overdue=sum(1 for f in facts if is_overdue(f.status, f.deadline, now=now)),
        resolved=resolved,
        resolution_rate=resolved / len(facts) if facts else None,
        median_handling_hours=statistics.median(hours) if hours else None,
        satisfaction=statistics.fmean(scores) if scores else None,
    )
