"""The ledger service (台账, R3): create items, move them through the workflow, escalate them and
list them; their figures are in ``hub.services.ledger_statistics``. Called by the GraphQL layer,
the CLI (``hub ledger escalate``) and the scheduler's periodic job (``escalate_overdue``).

The rules themselves (deadlines, transitions, routing) are in ``hub.domain.ledger``; this module
adds the store, the caller's jurisdiction and the history. Functions that write only flush: the
caller owns the transaction (the unit of work of ``hub.services.work``, the CLI's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import ledger as rules
from hub.domain.access import Permission, Principal, Role
from hub.domain.enums import UnitRole
from hub.errors import BadUserInput, Forbidden, NotFound
from hub.services.paging import Ordering, SortKey
from hub.services.scope import get_in_scope_or_raise, narrow
from hub.services.validation import check_fits
from hub.store import models as m
from hub.store.models import LedgerEvent, LedgerItem

_LEVEL_OF_ROLE = {
    Role.COMMUNITY: rules.Level.COMMUNITY,
    Role.TOWN: rules.Level.TOWN,
    Role.DEPARTMENT: rules.Level.DEPARTMENT,
    Role.COMPETENT_DEPARTMENT: rules.Level.DEPARTMENT,
}

ORDERINGS = {
    "REPORTED_DESC": Ordering(
        "reported_desc",
        (SortKey(LedgerItem.reported_at, descending=True), SortKey(LedgerItem.id, descending=True)),
    ),
    "DEADLINE": Ordering("deadline", (SortKey(LedgerItem.deadline), SortKey(LedgerItem.id))),
}


def level_of(principal: Principal) -> rules.Level:
    """The ledger level a unit works at, or Forbidden for roles outside the ledger."""
    level = _LEVEL_OF_ROLE.get(principal.role)
    if level is None:
        raise Forbidden(f"the role {principal.role.value} does not work ledger items")
    return level


def _rule_error(exc: rules.LedgerRuleError) -> BadUserInput:
    return BadUserInput(exc.message, field=exc.field)


async def create(
    session: AsyncSession,
    *,
    principal: Principal,
    compound_id: int,
    title: str,
    description: str | None,
    channel: rules.Channel,
    category: rules.Category,
    severity: rules.Severity,
    now: datetime,
) -> LedgerItem:
    """A new item reported by the principal's unit, at its level, in a compound of its scope.

    A community's or town's item is assigned to the unit itself (small matters stay in the
    community); an item the competent department reports goes straight to the department of its
    category; a department's item stays with that department.
    """
    check_fits("title", title, LedgerItem.title)
    check_fits("description", description, LedgerItem.description)
    level = level_of(principal)
    if not title.strip():
        raise BadUserInput("title: give a short title of the problem", field="title")
    compound = await get_in_scope_or_raise(
        session, model=m.Compound, record_id=compound_id, principal=principal, field="compoundId"
    )
    assert principal.unit_code is not None
    if principal.role is Role.COMPETENT_DEPARTMENT:
        assigned = rules.department_for(category)
    else:
        assigned = principal.unit_code
    item = LedgerItem(
        title=title.strip(),
        description=description,
        channel=channel,
        category=category,
        severity=severity,
        compound_id=compound.id,
        community_id=compound.community_id,
        town_id=compound.town_id,
        reported_by=principal.unit_code,
        reported_level=level,
        reported_at=now,
        level=level,
        assigned_unit=assigned,
        status=rules.Status.REPORTED,
        deadline=rules.deadline(severity, since=now),
    )
    session.add(item)
    await session.flush()
    _record(session, item, action="CREATE", actor=principal.unit_code, now=now, before=None)
    await session.flush()
    return item


async def _locked_item(session: AsyncSession, *, item_id: int, principal: Principal) -> LedgerItem:
    """The item, held until the transaction ends (a step reads its status, then changes it)."""
    return await get_in_scope_or_raise(
        session, model=LedgerItem, record_id=item_id, principal=principal, field="id", lock=True
    )


def _check_actor(item: LedgerItem, principal: Principal, action: rules.Action | None) -> None:
    """Workflow steps are done at the item's level (the competent department, coordinating, may
    work any item: R2); verify and reopen only at the level that reported it — at the department
    level by the reporting unit itself, so that a department never verifies its own work."""
    level = level_of(principal)
    if action in rules.REPORTER_ACTIONS:
        by_reporter = item.reported_level is not rules.Level.DEPARTMENT or (
            principal.unit_code == item.reported_by
        )
        if level is not item.reported_level or not by_reporter:
            raise Forbidden(
                f"{action}: only the level that reported the item ({item.reported_level}) verifies "
                "or reopens it"
            )
    elif level is not item.level and principal.role is not Role.COMPETENT_DEPARTMENT:
        raise Forbidden(f"the item is at the {item.level} level now; it is worked there")


async def transition(
    session: AsyncSession,
    *,
    principal: Principal,
    item_id: int,
    action: rules.Action,
    note: str | None,
    satisfaction: int | None,
    now: datetime,
) -> LedgerItem:
    """Apply one workflow step (accept, start, resolve, verify, reopen) and record it."""
    check_fits("note", note, LedgerEvent.note)
    item = await _locked_item(session, item_id=item_id, principal=principal)
    _check_actor(item, principal, action)
    try:
        target = rules.check_transition(
            action, item.status, channel=item.channel, note=note, satisfaction=satisfaction
        )
    except rules.LedgerRuleError as exc:
        raise _rule_error(exc) from None
    before = _state(item)
    item.status = target
    if action is rules.Action.RESOLVE:
        item.resolved_at, item.resolution_note = now, note
    elif action is rules.Action.VERIFY:
        item.verified_at, item.satisfaction = now, satisfaction
    elif action is rules.Action.REOPEN:
        item.resolved_at = None
        # A reopened item gets a fresh period at its level.
        item.deadline = rules.deadline(item.severity, since=now)
    _record(
        session,
        item,
        action=action.value,
        actor=principal.unit_code,
        now=now,
        before=before,
        note=note,
    )
    await session.flush()
    return item


async def escalate(
    session: AsyncSession,
    *,
    item: LedgerItem,
    reason: str,
    actor: str | None,
    now: datetime,
) -> LedgerItem:
    """Move an open item up one level (community → town → department), with its reason.

    The item is REPORTED again at the new level: the unit it now belongs to accepts it, with a new
    deadline counted from now.
    """
    if item.status not in rules.OPEN_STATUSES:
        raise BadUserInput(
            f"id: the item is {item.status}; only open items are escalated", field="id"
        )
    target = rules.next_level(item.level)
    if target is None:
        raise BadUserInput("id: the item is already with a department, the top level", field="id")
    if not reason.strip():
        raise BadUserInput("reason: say why the item goes up a level", field="reason")
    before = _state(item)
    item.assigned_unit = await _unit_for(session, item=item, level=target)
    item.level = target
    item.status = rules.Status.REPORTED
    item.deadline = rules.deadline(item.severity, since=now)
    _record(session, item, action="ESCALATE", actor=actor, now=now, before=before, note=reason)
    await session.flush()
    return item


async def escalate_by(
    session: AsyncSession, *, principal: Principal, item_id: int, reason: str, now: datetime
) -> LedgerItem:
    """Escalate on a unit's request (a hard matter it cannot solve at its level)."""
    check_fits("reason", reason, LedgerEvent.note)
    item = await _locked_item(session, item_id=item_id, principal=principal)
    _check_actor(item, principal, None)
    return await escalate(session, item=item, reason=reason, actor=principal.unit_code, now=now)


def allowed_actions(item: LedgerItem, principal: Principal) -> list[rules.Action]:
    """The workflow steps the principal may take on the item now — those ``transition`` would
    not refuse for its role, level or the item's status (notes and satisfaction aside)."""
    if not principal.may(Permission.WORK_LEDGER):
        return []
    allowed = []
    for action, (starts, _) in rules.TRANSITIONS.items():
        if item.status not in starts:
            continue
        try:
            _check_actor(item, principal, action)
        except Forbidden:
            continue
        allowed.append(action)
    return allowed


def may_escalate(item: LedgerItem, principal: Principal) -> bool:
    """Whether ``escalate_by`` would send the item up a level for the principal now."""
    if not principal.may(Permission.WORK_LEDGER) or item.status not in rules.OPEN_STATUSES:
        return False
    if rules.next_level(item.level) is None:
        return False
    try:
        _check_actor(item, principal, None)
    except Forbidden:
        return False
    return True


async def escalate_overdue(session: AsyncSession, *, now: datetime) -> list[LedgerItem]:
    """Escalate every open item past its deadline below the department level (the scheduler's
    job; idempotent: an escalated item has a new deadline)."""
    stmt = (
        sa.select(LedgerItem)
        .where(
            LedgerItem.status.in_(rules.OPEN_STATUSES),
            LedgerItem.level != rules.Level.DEPARTMENT,
            LedgerItem.deadline < now,
        )
        .order_by(LedgerItem.id)
    )
    items = list((await session.scalars(stmt.with_for_update())).all())
    for item in items:
        reason = f"overdue: not resolved by the deadline {item.deadline:%Y-%m-%d %H:%M} UTC"
        await escalate(session, item=item, reason=reason, actor=None, now=now)
    return items


async def _unit_for(session: AsyncSession, *, item: LedgerItem, level: rules.Level) -> str:
    if level is rules.Level.DEPARTMENT:
        return rules.department_for(item.category)
    town_unit = await session.scalar(
        sa.select(m.MemberUnit.code).where(
            m.MemberUnit.role == UnitRole.TOWN, m.MemberUnit.jurisdiction_id == item.town_id
        )
    )
    if town_unit is None:
        raise NotFound("the item's town has no member unit to escalate to", town_id=item.town_id)
    return town_unit


def _state(item: LedgerItem) -> tuple[rules.Status, rules.Level]:
    return item.status, item.level


def _record(
    session: AsyncSession,
    item: LedgerItem,
    *,
    action: str,
    actor: str | None,
    now: datetime,
    before: tuple[rules.Status, rules.Level] | None,
    note: str | None = None,
) -> None:
    session.add(
        LedgerEvent(
            item_id=item.id,
            occurred_at=now,
            actor_unit=actor,
            action=action,
            from_status=before[0] if before else None,
            to_status=item.status,
            from_level=before[1] if before else None,
            to_level=item.level,
            assigned_unit=item.assigned_unit,
            note=note,
        )
    )


async def list_events(session: AsyncSession, *, item_ids: Sequence[int]) -> list[LedgerEvent]:
    """The events of the items, oldest first."""
    stmt = sa.select(LedgerEvent).where(LedgerEvent.item_id.in_(item_ids))
    return list((await session.scalars(stmt.order_by(LedgerEvent.id))).all())


@dataclass(frozen=True, slots=True)
class LedgerFilter:
    """Conditions on ledger items; all given must hold."""

    statuses: Sequence[rules.Status] = ()
    level: rules.Level | None = None
    channel: rules.Channel | None = None
    category: rules.Category | None = None
    compound_id: int | None = None
    town_code: str | None = None
    assigned_unit: str | None = None
    overdue: bool | None = None


def select_items(where: LedgerFilter, *, principal: Principal, now: datetime) -> sa.Select[Any]:
    """The items matching the filter, within the principal's jurisdiction."""
    stmt = sa.select(LedgerItem)
    if where.statuses:
        stmt = stmt.where(LedgerItem.status.in_(where.statuses))
    for column, value in (
        (LedgerItem.level, where.level),
        (LedgerItem.channel, where.channel),
        (LedgerItem.category, where.category),
        (LedgerItem.compound_id, where.compound_id),
        (LedgerItem.assigned_unit, where.assigned_unit),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if where.town_code is not None:
        towns = sa.select(m.Jurisdiction.id).where(m.Jurisdiction.code == where.town_code)
        stmt = stmt.where(LedgerItem.town_id.in_(towns))
    if where.overdue is not None:
        overdue = sa.and_(LedgerItem.status.in_(rules.OPEN_STATUSES), LedgerItem.deadline < now)
        stmt = stmt.where(overdue if where.overdue else sa.not_(overdue))
    return narrow(stmt, LedgerItem, principal)
