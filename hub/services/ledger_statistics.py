"""Ledger figures (台账统计, R3) per compound, community, town or enterprise: the counts, the
share resolved in time and the satisfaction of the items a principal may see. Read by the
``ledgerStatistics`` fields, the enterprise profile and the joint-conference report.

The figures of a group are ``hub.domain.ledger.summarize``; this module chooses the items (the
caller's jurisdiction, the reporting span) and the group each belongs to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import ledger as rules
from hub.domain.access import Principal
from hub.services.scope import visible
from hub.store import models as m
from hub.store.models import LedgerItem


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """The figures of one group (a compound, community, town or enterprise)."""

    code: str
    name: str
    figures: rules.Figures


GROUPS = ("COMPOUND", "COMMUNITY", "TOWN", "ENTERPRISE")


async def list_group_figures(
    session: AsyncSession,
    *,
    group_by: str,
    principal: Principal,
    now: datetime,
    enterprise_id: int | None = None,
    reported: tuple[datetime, datetime] | None = None,
) -> list[GroupFigures]:
    """Ledger figures per group, of the items the principal may see, ordered by code.

    An item counts for the enterprise that served its compound on the day it was reported (from
    the service contracts), so a change of enterprise does not carry old problems over. With
    ``reported`` = [start, end), only the items reported in that span count (a year's report).
    """
    condition = visible(LedgerItem, principal)
    stmt = sa.select(LedgerItem)
    if condition is not None:
        stmt = stmt.where(condition)
    if reported is not None:
        stmt = stmt.where(
            LedgerItem.reported_at >= reported[0], LedgerItem.reported_at < reported[1]
        )
    if enterprise_id is not None:
        served = sa.select(m.ServiceContract.compound_id).where(
            m.ServiceContract.enterprise_id == enterprise_id
        )
        stmt = stmt.where(LedgerItem.compound_id.in_(served))
    items = list((await session.scalars(stmt)).all())
    keys: dict[int, list[LedgerItem]] = defaultdict(list)
    if group_by == "ENTERPRISE":
        serving = await _serving(session, [i.compound_id for i in items])
        for item in items:
            found = _serving_on(serving.get(item.compound_id, []), item.reported_at.date())
            if found is not None and (enterprise_id is None or found == enterprise_id):
                keys[found].append(item)
        names = await _names(session, m.Enterprise, m.Enterprise.uscc, keys)
    else:
        attr = {"COMPOUND": "compound_id", "COMMUNITY": "community_id", "TOWN": "town_id"}[group_by]
        for item in items:
            keys[getattr(item, attr)].append(item)
        model, code = (
            (m.Compound, m.Compound.code)
            if group_by == "COMPOUND"
            else (m.Jurisdiction, m.Jurisdiction.code)
        )
        names = await _names(session, model, code, keys)
    out = [
        GroupFigures(
            code=names[key][0],
            name=names[key][1],
            figures=rules.summarize(map(_facts, group), now=now),
        )
        for key, group in keys.items()
        if key in names
    ]
    return sorted(out, key=lambda g: g.code)


def _facts(item: LedgerItem) -> rules.ItemFacts:
    return rules.ItemFacts(
        status=item.status,
        reported_at=item.reported_at,
        deadline=item.deadline,
        resolved_at=item.resolved_at,
        satisfaction=item.satisfaction,
    )


async def _serving(
    session: AsyncSession, compound_ids: Sequence[int]
) -> dict[int, list[tuple[int, date, date | None]]]:
    stmt = sa.select(
        m.ServiceContract.compound_id,
        m.ServiceContract.enterprise_id,
        m.ServiceContract.starts_on,
        m.ServiceContract.ends_on,
    ).where(
        m.ServiceContract.compound_id.in_(set(compound_ids)),
        m.ServiceContract.deleted_at.is_(None),
    )
    out: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
    for compound_id, enterprise_id, starts_on, ends_on in (await session.execute(stmt)).all():
        out[compound_id].append((enterprise_id, starts_on, ends_on))
    return out


def _serving_on(contracts: list[tuple[int, date, date | None]], day: date) -> int | None:
    for enterprise_id, starts_on, ends_on in contracts:
        if starts_on <= day and (ends_on is None or day <= ends_on):
            return enterprise_id
    return None


async def _names(
    session: AsyncSession, model: Any, code: Any, keys: dict[int, list[LedgerItem]]
) -> dict[int, tuple[str, str]]:
    stmt = sa.select(model.id, code, model.name).where(model.id.in_(list(keys)))
    return {row[0]: (row[1], row[2]) for row in (await session.execute(stmt)).all()}
