"""Demo of the ranking and the repairs (R4, R8, R13): a published ranking and repair projects.

Loaded after the demo tables, through the services, so that the demo shows what the workflows
produce: the ranking of the year before last, published on 20 January of last year (its sanctions
included), and post-warranty repairs of compounds in the seat town — some fully accepted with
their subsidy charged to last year's budget, some still collecting acceptances this year.
The ranking of last year is left for the competent department to preview and publish
(`rankingPublish`). Deterministic from the seed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.enums import EnterpriseStatus, UnitRole
from hub.domain.ranking import RankingSettings
from hub.domain.subsidies import BudgetSettings, RepairParty, RepairStatus, missing_parties
from hub.services import ranking
from hub.store import models as m
from hub.store.models import RepairAcceptance, RepairProject

REPAIRS = (
    "屋面防水维修",
    "外墙保温层修复",
    "二次供水设施更换",
    "小区道路修缮",
    "消防管网改造",
    "楼道照明更换",
)
GRANTED, OPEN = 3, 3
SEAT_TOWN = "150627100"  # 阿勒腾席热镇


async def load_ranking_demo(
    session: AsyncSession,
    *,
    today: date,
    seed: int,
    ranking_settings: RankingSettings,
    budget: BudgetSettings,
) -> dict[str, int]:
    """Publish the demo ranking (with the settings' ranking rules and budget) and add the repair
    projects; the rows added, by table."""
    year = today.year - 2
    published_on = date(year + 1, 1, 20)
    if published_on < today:
        await ranking.publish(
            session,
            year=year,
            published_on=published_on,
            published_by_id=await _unit_id(session, role=UnitRole.COMPETENT_DEPARTMENT),
            settings=ranking_settings,
            budget=budget,
        )
    projects, acceptances = await _repairs(session, random.Random(f"{seed}/repairs"), today)
    return {"repair_projects": projects, "repair_acceptances": acceptances}


async def _unit_id(
    session: AsyncSession, *, role: UnitRole, jurisdiction_id: int | None = None
) -> int | None:
    stmt = sa.select(m.MemberUnit.id).where(m.MemberUnit.role == role)
    if jurisdiction_id is not None:
        stmt = stmt.where(m.MemberUnit.jurisdiction_id == jurisdiction_id)
    return await session.scalar(stmt.order_by(m.MemberUnit.id).limit(1))


async def _repairs(session: AsyncSession, rng: random.Random, today: date) -> tuple[int, int]:
    """Repairs of compounds of the seat town past warranty, by the enterprise serving them (or,
    before the first sync has brought the contracts, an active enterprise)."""
    contract = m.ServiceContract
    serving = (
        sa.select(contract.enterprise_id)
        .where(contract.compound_id == m.Compound.id, contract.ends_on.is_(None))
        .order_by(contract.starts_on.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = (
        await session.execute(
            sa.select(m.Compound, serving)
            .join(m.Jurisdiction, m.Jurisdiction.id == m.Compound.town_id)
            .where(
                m.Jurisdiction.code == SEAT_TOWN,
                m.Compound.warranty_end < date(today.year - 1, 1, 1),
            )
            .order_by(m.Compound.id)
        )
    ).all()
    active = list(
        await session.scalars(
            sa.select(m.Enterprise.id)
            .where(m.Enterprise.status == EnterpriseStatus.ACTIVE)
            .order_by(m.Enterprise.id)
        )
    )
    if not rows or not active:
        return 0, 0
    chosen = rng.sample(rows, min(GRANTED + OPEN, len(rows)))
    competent = await _unit_id(session, role=UnitRole.COMPETENT_DEPARTMENT)
    added = 0
    for index, (compound, serving_id) in enumerate(chosen):
        enterprise_id = serving_id or rng.choice(active)
        granted = index < GRANTED
        year = today.year - 1 if granted else today.year
        completed = min(date(year, rng.randint(4, 9), rng.randint(1, 28)), today - timedelta(40))
        accepted = completed + timedelta(days=rng.randint(10, 30))
        project = RepairProject(
            compound_id=compound.id,
            enterprise_id=enterprise_id,
            title=REPAIRS[index % len(REPAIRS)],
            completed_on=completed,
            subsidy_yuan=float(rng.randrange(50_000, 300_000, 10_000)),
            status=RepairStatus.SUBSIDY_GRANTED if granted else RepairStatus.AWAITING_ACCEPTANCE,
            created_by_id=await _unit_id(
                session, role=UnitRole.COMMUNITY, jurisdiction_id=compound.community_id
            ),
            granted_on=accepted if granted else None,
            budget_year=year if granted else None,
        )
        session.add(project)
        await session.flush()
        parties = list(RepairParty) if granted else missing_parties([])[: index - GRANTED + 1]
        units = {
            RepairParty.TOWN: await _unit_id(
                session, role=UnitRole.TOWN, jurisdiction_id=compound.town_id
            ),
            RepairParty.COMMUNITY: project.created_by_id,
            RepairParty.COMMITTEE: project.created_by_id,
            RepairParty.COMPETENT_DEPARTMENT: competent,
        }
        for party in parties:
            session.add(
                RepairAcceptance(
                    project_id=project.id, party=party, accepted_on=accepted, unit_id=units[party]
                )
            )
            added += 1
    await session.flush()
    return len(chosen), added
