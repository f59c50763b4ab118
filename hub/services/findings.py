"""Compliance findings (督办事项): the rule registry and its evaluation.

``evaluate_findings(session, now=now)`` runs every registered rule, opens a finding for each subject
whose condition holds and has no open finding yet, and closes the open findings whose condition no
longer holds. It is idempotent: a second run with nothing changed opens and closes nothing. After
the caller's transaction commits, the opened findings are published to ``BROADCASTER``, which the
GraphQL subscription ``findingOpened`` listens to. Callers: ``hub findings evaluate`` (CLI; for
cron or the scheduler) and tests.

Adding a rule (as the sanctions and the committee assessments do): in your own services
module, write an async query ``async def _hits(session, now) -> list[Hit]`` and call, at import::

    from hub.services.findings import Rule, register_rule
    register_rule(Rule(RuleDefinition(code="ranking.banned_award", title="…", plan_rule="R8",
                                      severity=FindingSeverity.HIGH, subject_type="TenderAward"),
                       _hits))

then add your module's dotted name to ``RULE_MODULES`` below (one entry), so that evaluation
imports it wherever it runs (the CLI does not import the GraphQL schema).
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.domain import ledger as ledger_rules
from hub.domain.enums import ConnectionTaskStatus, UnitRole
from hub.domain.findings import FindingSeverity, Hit, RuleDefinition
from hub.services.paging import Ordering, SortKey
from hub.services.scope import narrow
from hub.store import models as m
from hub.store.models import Finding, LedgerItem

BANNER_TIMEZONE = ZoneInfo("Asia/Shanghai")
"""Business dates (a term's end, a task's due date) are dates in the banner."""

RULE_MODULES: tuple[str, ...] = ("hub.services.ranking_findings", "hub.services.committees")
"""Modules that register rules of their own at import (see the module docstring)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule's definition and the query that finds the subjects for which it holds now."""

    definition: RuleDefinition
    hits: Callable[[AsyncSession, datetime], Awaitable[list[Hit]]]


RULES: dict[str, Rule] = {}


def register_rule(rule: Rule) -> Rule:
    """Add a rule to the registry (a second registration of a code replaces the first)."""
    RULES[rule.definition.code] = rule
    return rule


def _today(now: datetime) -> date:
    return now.astimezone(BANNER_TIMEZONE).date()


# The rules of section 3 that rest on this part's tables and the existing ones ----------------


async def _ledger_overdue(session: AsyncSession, now: datetime) -> list[Hit]:
    stmt = sa.select(LedgerItem.id, LedgerItem.compound_id, LedgerItem.assigned_unit).where(
        LedgerItem.level == ledger_rules.Level.DEPARTMENT,
        LedgerItem.status.in_(ledger_rules.OPEN_STATUSES),
        LedgerItem.deadline < now,
    )
    return [
        Hit(subject_id=i, compound_id=c, responsible_unit=u, detail="past its deadline")
        for i, c, u in (await session.execute(stmt)).all()
    ]


async def _term_expired(session: AsyncSession, now: datetime) -> list[Hit]:
    last_end = sa.func.max(m.CommitteeTerm.ends_on)
    stmt = (
        sa.select(m.OwnersCommittee.id, m.OwnersCommittee.compound_id, last_end)
        .join(m.CommitteeTerm, m.CommitteeTerm.committee_id == m.OwnersCommittee.id)
        .group_by(m.OwnersCommittee.id, m.OwnersCommittee.compound_id)
        .having(last_end < _today(now))
    )
    rows = (await session.execute(stmt)).all()
    return [
        Hit(subject_id=i, compound_id=c, detail=f"last term ended {end:%Y-%m-%d}")
        for i, c, end in rows
    ]


async def _connection_overdue(session: AsyncSession, now: datetime) -> list[Hit]:
    stmt = (
        sa.select(m.ConnectionTask.id, m.ConnectionTask.compound_id, m.MemberUnit.code)
        .join(m.MemberUnit, m.MemberUnit.id == m.ConnectionTask.utility_id)
        .where(
            m.ConnectionTask.status.in_(
                (ConnectionTaskStatus.PLANNED, ConnectionTaskStatus.IN_PROGRESS)
            ),
            m.ConnectionTask.due_on < _today(now),
            m.ConnectionTask.deleted_at.is_(None),
        )
    )
    return [
        Hit(subject_id=i, compound_id=c, responsible_unit=u, detail="past its due date")
        for i, c, u in (await session.execute(stmt)).all()
    ]


async def _changed_without_award(session: AsyncSession, now: datetime) -> list[Hit]:
    """R6: a new enterprise serves a compound (an earlier contract had another one) but the tender
    platform has no award of that compound to it."""
    earlier = aliased(m.ServiceContract)
    contract = m.ServiceContract
    had_other = (
        sa.select(earlier.id)
        .where(
            earlier.compound_id == contract.compound_id,
            earlier.enterprise_id != contract.enterprise_id,
            earlier.starts_on < contract.starts_on,
            earlier.deleted_at.is_(None),
        )
        .exists()
    )
    awarded = (
        sa.select(m.TenderAward.id)
        .join(m.Tender, m.Tender.id == m.TenderAward.tender_id)
        .where(
            m.Tender.compound_id == contract.compound_id,
            m.TenderAward.enterprise_id == contract.enterprise_id,
            m.TenderAward.deleted_at.is_(None),
        )
        .exists()
    )
    stmt = sa.select(contract.id, contract.compound_id).where(
        contract.deleted_at.is_(None), had_other, ~awarded
    )
    return [
        Hit(subject_id=i, compound_id=c, detail="enterprise changed without a tender award")
        for i, c in (await session.execute(stmt)).all()
    ]


for _rule in (
    Rule(
        RuleDefinition(
            "ledger.department_overdue",
            "A ledger item overdue at the department level (部门层级超期未办结)",
            "R3",
            FindingSeverity.HIGH,
            "LedgerItem",
        ),
        _ledger_overdue,
    ),
    Rule(
        RuleDefinition(
            "committee.term_expired",
            "An owners' committee whose term has expired (业委会任期届满未换届)",
            "R9",
            FindingSeverity.MEDIUM,
            "OwnersCommittee",
        ),
        _term_expired,
    ),
    Rule(
        RuleDefinition(
            "utility.connection_overdue",
            "A utility connection task overdue (管网入户、入表超期)",
            "R1",
            FindingSeverity.MEDIUM,
            "ConnectionTask",
        ),
        _connection_overdue,
    ),
    Rule(
        RuleDefinition(
            "contract.changed_without_award",
            "A compound's enterprise changed without a tender award (未经招投标更换物业)",
            "R6",
            FindingSeverity.HIGH,
            "ServiceContract",
        ),
        _changed_without_award,
    ),
):
    register_rule(_rule)


# Evaluation ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Evaluation:
    """What one evaluation did."""

    opened: list[Finding] = field(default_factory=list)
    closed: list[Finding] = field(default_factory=list)


def load_rules() -> dict[str, Rule]:
    """The registry, after importing the modules that register rules of their own."""
    for name in RULE_MODULES:
        importlib.import_module(name)
    return RULES


async def evaluate_findings(session: AsyncSession, *, now: datetime) -> Evaluation:
    """Open and close findings so that the open ones are exactly the rules' current hits.

    Writes only flush; the caller commits. Opened findings are published after the commit.
    """
    result = Evaluation()
    places = await _places(session)
    units = await _jurisdiction_units(session)
    for code, rule in load_rules().items():
        hits = {hit.subject_id: hit for hit in await rule.hits(session, now)}
        open_rows = await session.scalars(
            sa.select(Finding).where(Finding.rule == code, Finding.closed_at.is_(None))
        )
        open_by_subject = {f.subject_id: f for f in open_rows}
        for subject_id, finding in open_by_subject.items():
            if subject_id not in hits:
                finding.closed_at = now
                result.closed.append(finding)
        for subject_id, hit in hits.items():
            if subject_id in open_by_subject:
                continue
            town_id, community_id = places.get(hit.compound_id, (None, None))
            finding = Finding(
                rule=code,
                subject_type=rule.definition.subject_type,
                subject_id=subject_id,
                severity=rule.definition.severity,
                responsible_unit=hit.responsible_unit
                or units.get(community_id)
                or units.get(town_id),
                compound_id=hit.compound_id,
                community_id=community_id,
                town_id=town_id,
                detail=hit.detail,
                opened_at=now,
            )
            session.add(finding)
            result.opened.append(finding)
    await session.flush()
    if result.opened:
        # Detached copies: the session's objects expire at commit and must not be loaded from
        # a subscriber's task.
        opened = [_copy(f) for f in result.opened]
        event.listen(
            session.sync_session,
            "after_commit",
            lambda _: BROADCASTER.publish_all(opened),
            once=True,
        )
    return result


def _copy(finding: Finding) -> Finding:
    return Finding(**{c.key: getattr(finding, c.key) for c in Finding.__table__.columns})


async def periodic_checks(session: AsyncSession, *, now: datetime) -> Evaluation:
    """The scheduler's periodic job (R3): escalate the overdue ledger items, then
    evaluate the findings — in the caller's transaction, so a failed round changes nothing.

    ``hub.app``'s lifespan can run it beside the sync schedule; until then ``hub ledger
    escalate`` and ``hub findings evaluate`` do the same from cron.
    """
    from hub.services.ledger import escalate_overdue  # the ledger does not depend on findings

    await escalate_overdue(session, now=now)
    return await evaluate_findings(session, now=now)


async def _places(session: AsyncSession) -> dict[int | None, tuple[int, int]]:
    stmt = sa.select(m.Compound.id, m.Compound.town_id, m.Compound.community_id)
    return {i: (t, c) for i, t, c in (await session.execute(stmt)).all()}


async def _jurisdiction_units(session: AsyncSession) -> dict[int | None, str]:
    """The community's or town's own member unit, responsible for what lies in it."""
    stmt = sa.select(m.MemberUnit.jurisdiction_id, m.MemberUnit.code).where(
        m.MemberUnit.role.in_((UnitRole.COMMUNITY, UnitRole.TOWN))
    )
    return {j: c for j, c in (await session.execute(stmt)).all()}


# Reads -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FindingFilter:
    """Conditions on findings; all given must hold."""

    rule: str | None = None
    open: bool | None = None
    town_code: str | None = None
    severity: FindingSeverity | None = None
    enterprise_uscc: str | None = None
    """About this enterprise: its tender awards and service contracts, and the compounds it
    serves on ``today`` (required with it)."""
    today: date | None = None


ORDERINGS = {
    "OPENED_DESC": Ordering(
        "opened_desc",
        (SortKey(Finding.opened_at, descending=True), SortKey(Finding.id, descending=True)),
    )
}


def select_findings(where: FindingFilter, *, principal: Any) -> sa.Select[Any]:
    """The findings matching the filter, within the principal's jurisdiction."""
    stmt = sa.select(Finding)
    if where.rule is not None:
        stmt = stmt.where(Finding.rule == where.rule)
    if where.severity is not None:
        stmt = stmt.where(Finding.severity == where.severity)
    if where.open is not None:
        stmt = stmt.where(
            Finding.closed_at.is_(None) if where.open else Finding.closed_at.is_not(None)
        )
    if where.town_code is not None:
        towns = sa.select(m.Jurisdiction.id).where(m.Jurisdiction.code == where.town_code)
        stmt = stmt.where(Finding.town_id.in_(towns))
    if where.enterprise_uscc is not None:
        stmt = stmt.where(_about_enterprise(where.enterprise_uscc, today=where.today))
    return narrow(stmt, Finding, principal)


def _about_enterprise(uscc: str, *, today: date | None) -> sa.ColumnElement[bool]:
    """Findings whose subject is one of the enterprise's awards or contracts, or whose compound
    it serves on ``today`` (any of its compounds when no day is given)."""
    enterprise = sa.select(m.Enterprise.id).where(m.Enterprise.uscc == uscc).scalar_subquery()
    contracts = sa.select(m.ServiceContract.id).where(m.ServiceContract.enterprise_id == enterprise)
    awards = sa.select(m.TenderAward.id).where(m.TenderAward.enterprise_id == enterprise)
    served = sa.select(m.ServiceContract.compound_id).where(
        m.ServiceContract.enterprise_id == enterprise
    )
    if today is not None:
        served = served.where(
            m.ServiceContract.starts_on <= today,
            sa.or_(m.ServiceContract.ends_on.is_(None), m.ServiceContract.ends_on >= today),
        )
    return sa.or_(
        sa.and_(Finding.subject_type == "ServiceContract", Finding.subject_id.in_(contracts)),
        sa.and_(Finding.subject_type == "TenderAward", Finding.subject_id.in_(awards)),
        Finding.compound_id.in_(served),
    )


# Fan-out to subscribers ------------------------------------------------------------------------


class Broadcaster:
    """In-process fan-out of newly opened findings to the subscribers of this process.

    One replica's subscribers hear of the findings its evaluations open; with several replicas a
    shared channel (PostgreSQL LISTEN/NOTIFY) would take its place.
    """

    def __init__(self, *, queue_size: int = 1_000) -> None:
        self._queues: set[asyncio.Queue[Finding]] = set()
        self._queue_size = queue_size

    def __repr__(self) -> str:
        return f"<Broadcaster subscribers={len(self._queues)}>"

    def publish_all(self, findings: Sequence[Finding]) -> None:
        for queue in list(self._queues):
            for finding in findings:
                if queue.full():  # a subscriber that does not read loses the oldest, not us
                    queue.get_nowait()
                queue.put_nowait(finding)

    async def subscribe(self) -> AsyncIterator[Finding]:
        queue: asyncio.Queue[Finding] = asyncio.Queue(maxsize=self._queue_size)
        self._queues.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues.discard(queue)

    @property
    def subscribers(self) -> int:
        return len(self._queues)


BROADCASTER = Broadcaster()
