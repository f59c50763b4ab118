"""Demo ledger items (台账, R3) and the findings they lead to, so that ``make run`` shows the
workflow: items of every channel at every stage, some escalated (by a unit, or overdue by the
scheduler's rule), complaints verified with a satisfaction score.

Deterministic from the seed. The items are written through ``hub.services.ledger``, as a
member unit would, so their history is the one the workflow records. Titles are generated.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import ledger as rules
from hub.domain.access import Principal, Role
from hub.domain.enums import UnitRole
from hub.services import findings, identity, ledger
from hub.store import models as m

ITEMS_PER_COMMUNITY = 3
"""Items per community unit (scale 1 has a few dozen communities)."""

_TITLES: dict[rules.Category, tuple[str, ...]] = {
    rules.Category.FACILITIES: ("电梯故障停运", "单元门禁损坏", "地下车库照明不亮"),
    rules.Category.FIRE_SAFETY: ("消防通道被占用", "消火栓无水", "楼道堆放杂物"),
    rules.Category.SANITATION: ("垃圾清运不及时", "化粪池外溢"),
    rules.Category.FEES: ("物业费收费标准不公示", "停车费争议"),
    rules.Category.NOISE: ("夜间施工噪声扰民", "广场舞音响过大"),
    rules.Category.ILLEGAL_CONSTRUCTION: ("顶楼违章搭建", "私自圈占绿地"),
    rules.Category.GREENERY: ("绿地缺乏养护",),
    rules.Category.SECURITY: ("小区门岗无人值守",),
}

# How far an item gets: the steps after it is reported.
_PATHS: tuple[tuple[rules.Action, ...], ...] = (
    (),
    (rules.Action.ACCEPT,),
    (rules.Action.ACCEPT, rules.Action.START),
    (rules.Action.ACCEPT, rules.Action.START, rules.Action.RESOLVE),
    (rules.Action.ACCEPT, rules.Action.START, rules.Action.RESOLVE, rules.Action.VERIFY),
)


async def load(session: AsyncSession, *, seed: int, today: date) -> dict[str, int]:
    """Insert the demo items and evaluate the findings; rows added per table."""
    rng = random.Random(seed * 31 + 5)
    noon = datetime.combine(today, time(4, 0), tzinfo=UTC)  # 12:00 in the banner
    units = (
        await session.scalars(
            sa.select(m.MemberUnit)
            .where(m.MemberUnit.role == UnitRole.COMMUNITY)
            .order_by(m.MemberUnit.code)
        )
    ).all()
    created = 0
    for unit in units:
        principal = await identity.get_principal(
            session, unit=unit, role=Role.COMMUNITY, client="demo"
        )
        compounds = (
            await session.scalars(
                sa.select(m.Compound.id)
                .where(m.Compound.community_id == principal.community_id)
                .order_by(m.Compound.id)
            )
        ).all()
        if not compounds:
            continue
        for _ in range(ITEMS_PER_COMMUNITY):
            await _one_item(session, rng, principal, rng.choice(compounds), noon)
            created += 1
    # The scheduler's rule: whatever is overdue today goes up a level.
    await ledger.escalate_overdue(session, now=noon)
    evaluation = await findings.evaluate_findings(session, now=noon)
    return {"ledger_items": created, "findings": len(evaluation.opened)}


async def _one_item(
    session: AsyncSession,
    rng: random.Random,
    principal: Principal,
    compound_id: int,
    noon: datetime,
) -> None:
    category = rng.choice(list(_TITLES))
    channel = rng.choice(list(rules.Channel))
    severity = rng.choice(list(rules.Severity))
    at = noon - timedelta(days=rng.randint(1, 45), hours=rng.randint(0, 8))
    item = await ledger.create(
        session,
        principal=principal,
        compound_id=compound_id,
        title=rng.choice(_TITLES[category]),
        description="演示数据（生成）",
        channel=channel,
        category=category,
        severity=severity,
        now=at,
    )
    if rng.random() < 0.15:  # a hard matter the community hands up at once
        await ledger.escalate(
            session, item=item, reason="社区无法协调，提请镇处理", actor=item.reported_by, now=at
        )
        return
    for action in rng.choice(_PATHS):
        at += timedelta(hours=rng.randint(2, 60))
        if at >= noon:
            return
        await ledger.transition(
            session,
            principal=principal,
            item_id=item.id,
            action=action,
            note="已处理" if action is rules.Action.RESOLVE else None,
            satisfaction=rng.randint(3, 5)
            if action is rules.Action.VERIFY and channel is rules.Channel.COMPLAINT
            else None,
            now=at,
        )
