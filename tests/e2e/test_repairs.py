"""Post-warranty repairs: joint acceptance by each party through its own unit, the subsidy, and
the special budget it is charged to (R4, R13; issue #5 §5)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import ROLE_TABLE, Permission, Role
from hub.store import models as m
from tests.conftest import GraphQLCall
from tests.e2e.test_access import UNIT_OF_ROLE
from tests.factories import (
    REPAIR_PROJECT_CREATE,
    create_repair_project,
    global_id,
    repair_project_input,
)

COMMUNITY, TOWN, OTHER_TOWN = "community-150627100001", "town-150627100", "town-150627101"
ACCEPT = """mutation($id: ID!, $party: RepairParty!, $on: Date!) {
  repairAcceptanceRecord(projectId: $id, party: $party, acceptedOn: $on) {
  __typename ... on RepairAcceptanceRecordSuccess { subsidyGranted
    project { status grantedOn budgetYear awaiting acceptances { party } } }
  ... on ValidationFailed { message field } ... on NotPermitted { message } } }"""
BUDGET = (
    "query($y: Int!) { budget(year: $y) { totalYuan subsidiesYuan rewardsYuan remainingYuan } }"
)


async def compounds_past_warranty(session: AsyncSession, *, limit: int) -> list[m.Compound]:
    """Compounds of the test community past warranty and served by an enterprise today."""
    served = sa.select(m.ServiceContract.compound_id).where(
        m.ServiceContract.starts_on <= date(2026, 11, 1),
        sa.or_(m.ServiceContract.ends_on.is_(None), m.ServiceContract.ends_on >= date(2026, 11, 1)),
    )
    rows = await session.scalars(
        sa.select(m.Compound)
        .join(m.Jurisdiction, m.Jurisdiction.id == m.Compound.community_id)
        .where(
            m.Jurisdiction.code == "150627100001",
            m.Compound.warranty_end < date(2026, 1, 1),
            m.Compound.id.in_(served),
        )
        .order_by(m.Compound.id)
        .limit(limit)
    )
    found = list(rows)
    assert len(found) == limit, "the demo community needs compounds past warranty"
    return found


async def accept_all_but_the_department(gql_as: Any, project_id: str) -> None:
    community, town = await gql_as(COMMUNITY), await gql_as(TOWN)
    for call, party in ((community, "COMMUNITY"), (community, "COMMITTEE"), (town, "TOWN")):
        body = await call(ACCEPT, id=project_id, party=party, on="2026-11-10")
        result = body["data"]["repairAcceptanceRecord"]
        assert result["__typename"] == "RepairAcceptanceRecordSuccess", result
        assert result["subsidyGranted"] is False


async def test_all_four_parties_accept_and_the_subsidy_is_granted(
    gql: GraphQLCall, gql_as: Any, session: AsyncSession
) -> None:
    """Each party accepts through its own unit; the fourth acceptance grants the subsidy and
    charges it to the year's budget. Wrong roles and other towns are refused."""
    (compound,) = await compounds_past_warranty(session, limit=1)
    community = await gql_as(COMMUNITY)
    project = await create_repair_project(
        community, compound_id=global_id(compound), subsidy_yuan=80_000
    )
    assert project["status"] == "AWAITING_ACCEPTANCE" and project["enterprise"]["uscc"]
    assert project["awaiting"] == ["TOWN", "COMMUNITY", "COMMITTEE", "COMPETENT_DEPARTMENT"]

    town = await gql_as(TOWN)
    wrong_party = await town(ACCEPT, id=project["id"], party="COMMUNITY", on="2026-11-10")
    assert wrong_party["data"]["repairAcceptanceRecord"]["__typename"] == "NotPermitted"
    other_town = await gql_as(OTHER_TOWN)
    elsewhere = await other_town(ACCEPT, id=project["id"], party="TOWN", on="2026-11-10")
    assert elsewhere["data"]["repairAcceptanceRecord"]["field"] == "projectId"
    public = await (await gql_as(None))(ACCEPT, id=project["id"], party="TOWN", on="2026-11-10")
    assert public["data"]["repairAcceptanceRecord"]["__typename"] == "NotPermitted"

    await accept_all_but_the_department(gql_as, project["id"])
    twice = await community(ACCEPT, id=project["id"], party="COMMITTEE", on="2026-11-11")
    assert twice["data"]["repairAcceptanceRecord"]["field"] == "party"

    before = (await gql(BUDGET, y=2026))["data"]["budget"]
    last = await gql(ACCEPT, id=project["id"], party="COMPETENT_DEPARTMENT", on="2026-11-20")
    result = last["data"]["repairAcceptanceRecord"]
    assert result["subsidyGranted"] is True
    assert result["project"]["status"] == "SUBSIDY_GRANTED"
    assert (result["project"]["grantedOn"], result["project"]["budgetYear"]) == ("2026-11-20", 2026)
    assert result["project"]["awaiting"] == []
    after = (await gql(BUDGET, y=2026))["data"]["budget"]
    assert after["subsidiesYuan"] == before["subsidiesYuan"] + 80_000
    assert after["remainingYuan"] == before["remainingYuan"] - 80_000

    # The town sees the project; another town does not.
    listing = "{ repairProjects(first: 10) { totalCount nodes { title } } }"
    assert (await town(listing))["data"]["repairProjects"]["totalCount"] >= 1
    assert (await other_town(listing))["data"]["repairProjects"]["totalCount"] == 0


async def test_a_subsidy_that_would_pass_the_budget_is_refused(
    gql: GraphQLCall, gql_as: Any, session: AsyncSession
) -> None:
    """3,000,000 is granted; 2,500,000 more would pass the 5,000,000 budget: refused naming what
    is left, and nothing recorded; exactly what is left (2,000,000) is then granted."""
    first, second, third = await compounds_past_warranty(session, limit=3)
    community = await gql_as(COMMUNITY)
    ids = []
    for compound, yuan in ((first, 3_000_000), (second, 2_500_000), (third, 2_000_000)):
        project = await create_repair_project(
            community, compound_id=global_id(compound), subsidy_yuan=yuan
        )
        ids.append(project["id"])
        await accept_all_but_the_department(gql_as, project["id"])
    assert (await gql(BUDGET, y=2026))["data"]["budget"]["remainingYuan"] == 5_000_000

    granted = await gql(ACCEPT, id=ids[0], party="COMPETENT_DEPARTMENT", on="2026-11-20")
    assert granted["data"]["repairAcceptanceRecord"]["subsidyGranted"] is True

    refused = await gql(ACCEPT, id=ids[1], party="COMPETENT_DEPARTMENT", on="2026-11-20")
    assert refused["data"]["repairAcceptanceRecord"] == {
        "__typename": "ValidationFailed",
        "message": "the subsidy of 2,500,000.00 yuan passes the 2026 special budget: "
        "2,000,000.00 yuan are left",
        "field": "party",
    }
    project = await gql("{ repairProjects(first: 10) { nodes { id status awaiting } } }")
    still = next(n for n in project["data"]["repairProjects"]["nodes"] if n["id"] == ids[1])
    assert still == {
        "id": ids[1],
        "status": "AWAITING_ACCEPTANCE",
        "awaiting": ["COMPETENT_DEPARTMENT"],
    }

    exact = await gql(ACCEPT, id=ids[2], party="COMPETENT_DEPARTMENT", on="2026-11-20")
    assert exact["data"]["repairAcceptanceRecord"]["subsidyGranted"] is True
    assert (await gql(BUDGET, y=2026))["data"]["budget"] == {
        "totalYuan": 5_000_000.0,
        "subsidiesYuan": 5_000_000.0,
        "rewardsYuan": 0.0,
        "remainingYuan": 0.0,
    }


async def test_rewards_of_a_published_ranking_draw_on_the_same_budget(gql: GraphQLCall) -> None:
    """Five rewards of 100,000 yuan are charged to the year of publication."""
    published = await gql("mutation { rankingPublish(year: 2025) { __typename } }")
    assert published["data"]["rankingPublish"]["__typename"] == "RankingPublishSuccess"
    budget = (await gql(BUDGET, y=2026))["data"]["budget"]
    assert (budget["rewardsYuan"], budget["remainingYuan"]) == (500_000.0, 4_500_000.0)


async def test_a_repair_under_warranty_is_refused(gql_as: Any, session: AsyncSession) -> None:
    compound = await session.scalar(
        sa.select(m.Compound)
        .join(m.Jurisdiction, m.Jurisdiction.id == m.Compound.community_id)
        .where(m.Jurisdiction.code == "150627100001", m.Compound.warranty_end > date(2026, 11, 1))
        .limit(1)
    )
    if compound is None:  # every compound of the demo community may be old: make one young
        compound = (await compounds_past_warranty(session, limit=1))[0]
        compound.warranty_end = date(2027, 1, 1)
        await session.flush()
        await session.commit()
    community = await gql_as(COMMUNITY)
    body = await community(
        REPAIR_PROJECT_CREATE, input=repair_project_input(compound_id=global_id(compound))
    )
    refused = body["data"]["repairProjectCreate"]
    assert refused["field"] == "compoundId" and "not past its warranty" in refused["message"]


@pytest.mark.parametrize("role", list(Role))
async def test_reads_follow_the_role_table(gql_as: Any, role: Role) -> None:
    """ranking (read:rankings), repairProjects (read:compounds) and budget (read:statistics):
    allowed or refused for every role exactly as the role table says."""
    call = await gql_as(UNIT_OF_ROLE[role])
    grant = ROLE_TABLE[role]
    for query, permission in (
        ("{ ranking(year: 2024) { published } }", Permission.READ_RANKINGS),
        ("{ repairProjects(first: 1) { totalCount } }", Permission.READ_COMPOUNDS),
        ("{ budget(year: 2025) { remainingYuan } }", Permission.READ_STATISTICS),
    ):
        body = await call(query)
        codes = {e["extensions"]["code"] for e in body.get("errors", [])}
        if grant.may(permission):
            assert not codes, (role, query, body)
        else:
            assert codes == {"UNAUTHENTICATED" if role is Role.PUBLIC else "FORBIDDEN"}, (
                role,
                query,
            )
