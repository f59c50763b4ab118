"""The findings rules that rest on sanctions (R8), registered with
``hub.services.findings`` when that module imports this one (its ``RULE_MODULES``).

Kept apart from ``hub.services.ranking`` so that the ranking does not depend on the findings
registry; the queries themselves are there (``list_banned_awards``, ``list_exited_still_serving``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.enums import UnitRole
from hub.domain.findings import FindingSeverity, Hit, RuleDefinition
from hub.services import ranking
from hub.services.findings import BANNER_TIMEZONE, Rule, register_rule
from hub.store import models as m

Query = Callable[..., Awaitable[list[tuple[int, int, str]]]]


def _hits(query: Query) -> Callable[[AsyncSession, datetime], Awaitable[list[Hit]]]:
    """The rule's hits: the query's rows, the competent department responsible (R2: it
    supervises the enterprises and enforces the ranking's sanctions)."""

    async def hits(session: AsyncSession, now: datetime) -> list[Hit]:
        today: date = now.astimezone(BANNER_TIMEZONE).date()
        unit = await session.scalar(
            sa.select(m.MemberUnit.code)
            .where(m.MemberUnit.role == UnitRole.COMPETENT_DEPARTMENT)
            .order_by(m.MemberUnit.id)
            .limit(1)
        )
        rows = await query(session, today=today)
        return [
            Hit(subject_id=i, compound_id=c, responsible_unit=unit, detail=d) for i, c, d in rows
        ]

    return hits


register_rule(
    Rule(
        RuleDefinition(
            code="ranking.banned_award",
            title="Tender award to an enterprise banned from new projects on the award date",
            plan_rule="R8",
            severity=FindingSeverity.HIGH,
            subject_type="TenderAward",
        ),
        _hits(ranking.list_banned_awards),
    )
)
register_rule(
    Rule(
        RuleDefinition(
            code="ranking.exited_still_serving",
            title="Enterprise ordered out of the market still serving a compound",
            plan_rule="R8",
            severity=FindingSeverity.HIGH,
            subject_type="ServiceContract",
        ),
        _hits(ranking.list_exited_still_serving),
    )
)
