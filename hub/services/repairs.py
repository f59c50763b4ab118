"""Post-warranty repairs, their joint acceptance and subsidy, and the special budget (R4, R13):
the store side of ``hub.domain.subsidies``. Called by ``hub.graphql.repairs``, the ranking
service (rewards share the budget) and the demo loader; functions only flush.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Principal, Role
from hub.domain.ranking import SanctionKind
from hub.domain.subsidies import (
    BudgetSettings,
    BudgetStatus,
    RepairParty,
    RepairStatus,
    missing_parties,
)
from hub.errors import BadUserInput, NotFound, PartyNotPermitted
from hub.services.paging import Ordering, SortKey
from hub.services.scope import get_in_scope_or_raise, narrow
from hub.services.validation import check_fits
from hub.store import models as m
from hub.store.models import RankingPublication, RepairAcceptance, RepairProject, Sanction

# Which role accepts for which party (R4); the committee's acceptance is recorded by the community.
PARTY_ROLES: dict[RepairParty, Role] = {
    RepairParty.TOWN: Role.TOWN,
    RepairParty.COMMUNITY: Role.COMMUNITY,
    RepairParty.COMMITTEE: Role.COMMUNITY,
    RepairParty.COMPETENT_DEPARTMENT: Role.COMPETENT_DEPARTMENT,
}


NEWEST_FIRST = Ordering(
    "REPAIRS_NEWEST",
    (SortKey(RepairProject.completed_on, True), SortKey(RepairProject.id, True)),
)
"""The order of ``repairProjects``: the last completed first."""


def select_projects(*, principal: Principal) -> sa.Select[RepairProject]:
    """The SELECT of the repair projects within the principal's jurisdiction."""
    return narrow(sa.select(RepairProject), RepairProject, principal)


async def create_project(
    session: AsyncSession,
    *,
    principal: Principal,
    compound_id: int,
    enterprise_id: int | None,
    title: str,
    completed_on: date,
    subsidy_yuan: float,
    today: date,
) -> RepairProject:
    """Register a completed repair of a compound past its warranty (R4).

    The enterprise defaults to the one serving the compound on the completion day.
    """
    check_fits("title", title, RepairProject.title)
    compound = await get_in_scope_or_raise(
        session, model=m.Compound, record_id=compound_id, principal=principal, field="compoundId"
    )
    if not title.strip():
        raise BadUserInput("title: give the repair a title", field="title")
    if subsidy_yuan <= 0:
        raise BadUserInput("subsidyYuan: the subsidy must be more than 0 yuan", field="subsidyYuan")
    if completed_on > today:
        raise BadUserInput(f"completedOn {completed_on} is in the future", field="completedOn")
    if compound.warranty_end is None or compound.warranty_end >= completed_on:
        until = compound.warranty_end or "unknown"
        raise BadUserInput(
            f"compoundId: the compound is not past its warranty period (warranty until {until}); "
            "repairs under warranty are the developer's",
            field="compoundId",
        )
    if enterprise_id is None:
        enterprise_id = await _serving_enterprise(session, compound_id, completed_on)
    elif await session.get(m.Enterprise, enterprise_id) is None:
        raise NotFound("enterpriseId: no such enterprise", field="enterpriseId")
    project = RepairProject(
        compound_id=compound_id,
        enterprise_id=enterprise_id,
        title=title.strip(),
        completed_on=completed_on,
        subsidy_yuan=subsidy_yuan,
        status=RepairStatus.AWAITING_ACCEPTANCE,
        created_by_id=principal.unit_id,
    )
    session.add(project)
    await session.flush()
    return project


async def _serving_enterprise(session: AsyncSession, compound_id: int, on: date) -> int:
    contract = m.ServiceContract
    enterprise_id = await session.scalar(
        sa.select(contract.enterprise_id)
        .where(
            contract.compound_id == compound_id,
            contract.starts_on <= on,
            sa.or_(contract.ends_on.is_(None), contract.ends_on >= on),
            contract.deleted_at.is_(None),
        )
        .order_by(contract.starts_on.desc())
        .limit(1)
    )
    if enterprise_id is None:
        raise BadUserInput(
            "enterpriseId: no enterprise served the compound on the completion day; name it",
            field="enterpriseId",
        )
    return enterprise_id


async def get_project_or_raise(
    session: AsyncSession, *, principal: Principal, project_id: int
) -> RepairProject:
    """A repair project in the principal's jurisdiction, or NOT_FOUND."""
    return await get_in_scope_or_raise(
        session, model=RepairProject, record_id=project_id, principal=principal, field="projectId"
    )


async def accept(
    session: AsyncSession,
    *,
    principal: Principal,
    project_id: int,
    party: RepairParty,
    accepted_on: date,
    note: str | None,
    today: date,
    budget: BudgetSettings,
) -> RepairProject:
    """Record one party's acceptance; with the last one, grant the subsidy (R4).

    The subsidy is charged to the budget of the year of the last acceptance; if it would pass
    what is left, nothing is recorded (BAD_USER_INPUT naming the amount left).
    """
    check_fits("note", note, RepairAcceptance.note)
    required = PARTY_ROLES[party]
    if principal.role is not required:
        raise PartyNotPermitted(
            f"the {party.value} acceptance is recorded by the {required.value} role, not by "
            f"{principal.role.value}"
        )
    project = await get_project_or_raise(session, principal=principal, project_id=project_id)
    if accepted_on > today:
        raise BadUserInput(f"acceptedOn {accepted_on} is in the future", field="acceptedOn")
    if accepted_on < project.completed_on:
        raise BadUserInput(
            "acceptedOn: the work is accepted after it is completed", field="acceptedOn"
        )
    done = await acceptances(session, project_id=project.id)
    if party in {a.party for a in done}:
        raise BadUserInput(f"party: {party.value} has already accepted this repair", field="party")
    session.add(
        RepairAcceptance(
            project_id=project.id,
            party=party,
            accepted_on=accepted_on,
            unit_id=principal.unit_id,
            note=note,
        )
    )
    if not missing_parties([a.party for a in done] + [party]):
        await _grant(session, project, on=accepted_on, budget=budget)
    await session.flush()
    return project


async def _grant(
    session: AsyncSession, project: RepairProject, *, on: date, budget: BudgetSettings
) -> None:
    status = await get_budget_status(session, year=on.year, budget=budget)
    if not status.allows(project.subsidy_yuan):
        raise BadUserInput(
            f"the subsidy of {project.subsidy_yuan:,.2f} yuan passes the {on.year} special "
            f"budget: {status.remaining:,.2f} yuan are left",
            field="party",
            remaining=status.remaining,
        )
    project.status = RepairStatus.SUBSIDY_GRANTED
    project.granted_on = on
    project.budget_year = on.year


async def acceptances(session: AsyncSession, *, project_id: int) -> list[RepairAcceptance]:
    """The acceptances of a project, oldest first."""
    return list(
        await session.scalars(
            sa.select(RepairAcceptance)
            .where(RepairAcceptance.project_id == project_id)
            .order_by(RepairAcceptance.id)
        )
    )


async def get_budget_status(
    session: AsyncSession, *, year: int, budget: BudgetSettings
) -> BudgetStatus:
    """The special budget of a year: subsidies granted in it and rewards published in it (R13)."""
    subsidies = await session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(RepairProject.subsidy_yuan), 0.0)).where(
            RepairProject.budget_year == year
        )
    )
    rewards = await session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Sanction.amount), 0.0))
        .join(RankingPublication, RankingPublication.id == Sanction.publication_id)
        .where(
            Sanction.kind == SanctionKind.REWARD,
            sa.extract("year", RankingPublication.published_on) == year,
        )
    )
    return BudgetStatus(
        year=year,
        total=budget.total(year),
        subsidies=round(float(subsidies or 0.0), 2),
        rewards=round(float(rewards or 0.0), 2),
    )
