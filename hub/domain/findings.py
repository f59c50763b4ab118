"""Compliance findings (督办事项, MISSION.md R6, R8, R9, R12): what a rule is, as plain data.

A finding says that a rule's condition holds for a subject (a ledger item, a committee, a
contract …); it is opened when the condition starts to hold and closed when it no longer does.
The definitions here are pure; the queries that evaluate them are in ``hub.services.findings``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class FindingSeverity(enum.StrEnum):
    """How serious a finding is."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


@dataclass(frozen=True, slots=True)
class RuleDefinition:
    """A rule: a stable code (stored on findings), what it checks and the rule of the plan."""

    code: str
    title: str
    plan_rule: str  # e.g. "R3"
    severity: FindingSeverity
    subject_type: str  # the store model the finding is about, e.g. "LedgerItem"


@dataclass(frozen=True, slots=True)
class Hit:
    """One subject for which a rule's condition holds now.

    ``compound_id`` places the finding in a jurisdiction (for scoped reads); the responsible unit
    is a member unit's code, when the rule can name one.
    """

    subject_id: int
    compound_id: int | None = None
    responsible_unit: str | None = None
    detail: str | None = None
