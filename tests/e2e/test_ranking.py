"""The annual ranking and its sanctions through GraphQL and the service (R8, issue #5 §2).

The demo data has semi-annual assessments for 2024, 2025 and the first half of 2026; requests
run on DEMO_TODAY (2026-11-25). Years 2019–2022 have no demo assessments, so the tests give them
assessments of their own to control the order.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import ranking as rules
from hub.domain.access import Principal, Role
from hub.domain.enums import AssessmentKind, EnterpriseStatus
from hub.domain.subsidies import BudgetSettings
from hub.graphql.relay import encode_global_id
from hub.services import ranking as service
from hub.store import models as m
from hub.store.models import AuditEntry
from tests.conftest import GraphQLCall
from tests.factories import add_service_contract, add_tender_award

SETTINGS = rules.RankingSettings()
BUDGET = BudgetSettings()
BANNER = Principal(role=Role.COMPETENT_DEPARTMENT, unit_code="zjj")
TODAY = date(2026, 11, 25)

RANKING = """query($year: Int!) { ranking(year: $year) {
  year published publishedOn
  entries { rank score unrankedReason sanctions { kind startsOn endsOn }
            enterprise { uscc sanctions { kind year inForce } } } } }"""
PUBLISH = """mutation($year: Int!) { rankingPublish(year: $year) {
  __typename
  ... on RankingPublishSuccess { ranking { published entries { rank sanctions { kind } } } }
  ... on ValidationFailed { message field }
  ... on NotPermitted { message } } }"""


async def ten_enterprises(session: AsyncSession) -> list[int]:
    ids = await session.scalars(
        sa.select(m.Enterprise.id)
        .where(m.Enterprise.status == EnterpriseStatus.ACTIVE)
        .order_by(m.Enterprise.id)
        .limit(10)
    )
    return list(ids)


async def assess(session: AsyncSession, enterprise_id: int, year: int, points: float) -> None:
    """Two semi-annual assessments of ``points`` each (spread over the form's items)."""
    for half in (1, 2):
        share = points / 100
        items = [
            rules.ItemInput(code, round(maximum * share, 2))
            for code, (_, maximum) in rules.SEMI_ANNUAL_FORM.items()
        ]
        await service.create_assessment(
            session,
            principal=BANNER,
            kind=AssessmentKind.SEMI_ANNUAL,
            enterprise_id=enterprise_id,
            compound_id=None,
            assessed_on=date(year, 6 * half, 28),
            half=half,
            items=items,
            today=TODAY,
        )


async def publish(session: AsyncSession, year: int, on: date) -> None:
    await service.publish(
        session, year=year, published_on=on, published_by_id=None, settings=SETTINGS, budget=BUDGET
    )


async def kinds_on(session: AsyncSession, ids: list[int], on: date) -> dict[int, set[str]]:
    found = await service.list_sanctions_in_force(session, enterprise_ids=ids, on=on)
    return {e: {s.kind.value for s in rows} for e, rows in found.items()}


async def test_ban_ends_exactly_one_year_after_publication(session: AsyncSession) -> None:
    """Published 2022-03-15: banned from that day up to 2023-03-14; free on 2023-03-15."""
    ids = await ten_enterprises(session)
    for n, enterprise_id in enumerate(ids):
        await assess(session, enterprise_id, 2021, 95.0 - 5 * n)
    await publish(session, 2021, date(2022, 3, 15))
    bottom = ids[5:]
    for on, banned in (
        (date(2022, 3, 14), False),
        (date(2022, 3, 15), True),
        (date(2023, 3, 14), True),
        (date(2023, 3, 15), False),
        (date(2023, 3, 16), False),
    ):
        kinds = await kinds_on(session, bottom, on)
        assert all(("BANNED_NEW_PROJECTS" in kinds.get(e, set())) is banned for e in bottom), on
        assert (await service.is_banned_on(session, enterprise_id=bottom[0], on=on)) is banned
    rewarded = await kinds_on(session, ids[:5], date(2022, 3, 15))
    assert all(rewarded[e] == {"REWARD"} for e in ids[:5])


async def test_bottom_two_consecutive_published_years_exit_but_a_gap_year_does_not(
    session: AsyncSession,
) -> None:
    """2020 and 2021 published: the bottom of both exit the market. 2019 then 2021 (2020 not
    published) would be a gap: checked on 2022 after 2021, where 2022 follows 2021 directly."""
    ids = await ten_enterprises(session)
    for year in (2019, 2021, 2022):
        for n, enterprise_id in enumerate(ids):
            await assess(session, enterprise_id, year, 95.0 - 5 * n)
    # 2019 published, 2020 not: 2021's bottom is not a second consecutive year.
    await publish(session, 2019, date(2020, 2, 1))
    await publish(session, 2021, date(2022, 2, 1))
    after_gap = await kinds_on(session, ids[5:], date(2022, 2, 1))
    assert all("MARKET_EXIT" not in after_gap[e] for e in ids[5:])
    # 2022 follows the published 2021: the same bottom five now exit, for good.
    await publish(session, 2022, date(2023, 2, 1))
    exited = await kinds_on(session, ids, date(2030, 1, 1))
    assert {e for e, kinds in exited.items() if "MARKET_EXIT" in kinds} == set(ids[5:])


async def test_ranking_is_published_once_and_shown_to_the_public(
    gql: GraphQLCall, public_gql: GraphQLCall, gql_as: Any, session: AsyncSession
) -> None:
    """The competent department previews 2025, publishes it once (a second publish is refused),
    and then everyone reads it with the sanctions, also on the enterprise profile."""
    before = await public_gql(RANKING, year=2025)
    assert before == {"data": {"ranking": None}}
    draft = (await gql(RANKING, year=2025))["data"]["ranking"]
    assert draft["published"] is False and draft["entries"][0]["rank"] == 1

    town = await gql_as("town-150627100")
    refused = (await town(PUBLISH, year=2025))["data"]["rankingPublish"]
    assert refused["__typename"] == "NotPermitted"

    published = (await gql(PUBLISH, year=2025))["data"]["rankingPublish"]
    assert published["__typename"] == "RankingPublishSuccess", published
    entries = published["ranking"]["entries"]
    kinds = [{s["kind"] for s in e["sanctions"]} for e in entries if e["rank"]]
    # The demo published 2024: the bottom of both years also exit the market.
    assert kinds[:5] == [{"REWARD"}] * 5
    assert all(
        k in ({"BANNED_NEW_PROJECTS"}, {"BANNED_NEW_PROJECTS", "MARKET_EXIT"}) for k in kinds[-5:]
    )

    again = (await gql(PUBLISH, year=2025))["data"]["rankingPublish"]
    assert again == {
        "__typename": "ValidationFailed",
        "message": "year: the ranking of 2025 is already published; a published ranking is final",
        "field": "year",
    }
    not_over = (await gql(PUBLISH, year=2026))["data"]["rankingPublish"]
    assert not_over["__typename"] == "ValidationFailed" and "has not ended" in not_over["message"]

    public = (await public_gql(RANKING, year=2025))["data"]["ranking"]
    assert public["published"] is True and public["publishedOn"] == "2026-11-25"
    last = [e for e in public["entries"] if e["rank"]][-1]
    ban = {"kind": "BANNED_NEW_PROJECTS", "startsOn": "2026-11-25", "endsOn": "2027-11-25"}
    assert ban in last["sanctions"]
    assert {"kind": "BANNED_NEW_PROJECTS", "year": 2025, "inForce": True} in (
        last["enterprise"]["sanctions"]
    )
    unranked = [e for e in public["entries"] if e["rank"] is None]
    assert all(e["unrankedReason"] for e in unranked)

    outcomes = (
        await session.scalars(
            sa.select(AuditEntry.outcome)
            .where(AuditEntry.action == "rankingPublish")
            .order_by(AuditEntry.id)
        )
    ).all()
    assert outcomes[-4:] == ["not_permitted", "ok", "invalid", "invalid"]


async def test_assessments_are_recorded_against_their_forms(
    gql: GraphQLCall, gql_as: Any, session: AsyncSession
) -> None:
    """A community records a daily inspection in its compound; a semi-annual assessment is the
    competent department's; wrong items and points are refused naming the field."""
    served = (
        await session.execute(
            sa.select(m.Compound, m.ServiceContract.enterprise_id)
            .join(m.ServiceContract, m.ServiceContract.compound_id == m.Compound.id)
            .join(m.Jurisdiction, m.Jurisdiction.id == m.Compound.community_id)
            .where(
                m.Jurisdiction.code == "150627100001",
                m.ServiceContract.starts_on <= date(2026, 11, 20),
                m.ServiceContract.ends_on.is_(None),
            )
            .limit(1)
        )
    ).first()
    assert served is not None
    compound, enterprise_id = served
    not_serving = next(e for e in await ten_enterprises(session) if e != enterprise_id)
    mutation = """mutation($input: AssessmentRecordInput!) { assessmentRecord(input: $input) {
      __typename ... on AssessmentRecordSuccess { assessment { kind total items { itemName } } }
      ... on ValidationFailed { message field } ... on NotPermitted { message } } }"""
    daily = {
        "kind": "DAILY_INSPECTION",
        "enterpriseId": encode_global_id("Enterprise", enterprise_id),
        "compoundId": encode_global_id("Compound", compound.id),
        "assessedOn": "2026-11-20",
        "items": [{"itemCode": "D01", "points": 2.5}, {"itemCode": "D05", "points": 1}],
    }
    community = await gql_as("community-150627100001")
    ok = (await community(mutation, input=daily))["data"]["assessmentRecord"]
    assert ok == {
        "__typename": "AssessmentRecordSuccess",
        "assessment": {
            "kind": "DAILY_INSPECTION",
            "total": 3.5,
            "items": [{"itemName": "消防通道堵塞"}, {"itemName": "收费标准未公示"}],
        },
    }
    elsewhere = {**daily, "enterpriseId": encode_global_id("Enterprise", not_serving)}
    absent = (await community(mutation, input=elsewhere))["data"]["assessmentRecord"]
    assert absent["field"] == "enterpriseId" and "did not serve" in absent["message"]
    too_much = {**daily, "items": [{"itemCode": "D01", "points": 6}]}
    bad = (await community(mutation, input=too_much))["data"]["assessmentRecord"]
    assert bad["field"] == "items[0]" and "between 0 and 5" in bad["message"]
    other_town = await gql_as("town-150627101")
    hidden = (await other_town(mutation, input=daily))["data"]["assessmentRecord"]
    assert hidden["__typename"] == "ValidationFailed" and hidden["field"] == "compoundId"

    semi = {
        "kind": "SEMI_ANNUAL",
        "enterpriseId": daily["enterpriseId"],
        "assessedOn": "2026-11-20",
        "half": 2,
        "items": [{"itemCode": code, "points": 10} for code in rules.SEMI_ANNUAL_FORM],
    }
    denied = (await community(mutation, input=semi))["data"]["assessmentRecord"]
    assert denied["__typename"] == "NotPermitted"
    recorded = (await gql(mutation, input=semi))["data"]["assessmentRecord"]
    assert recorded["assessment"]["total"] == 80.0, recorded
    twice = (await gql(mutation, input=semi))["data"]["assessmentRecord"]
    assert twice["field"] == "half"


async def test_findings_queries_see_banned_awards_and_exited_enterprises_still_serving(
    session: AsyncSession,
) -> None:
    """An award to an enterprise banned or ordered out on the award date is a finding (one to a
    rewarded enterprise is not); so is a contract of an enterprise under MARKET_EXIT in force
    after the exit date."""
    ids = await ten_enterprises(session)
    for year in (2020, 2021):
        for n, enterprise_id in enumerate(ids):
            await assess(session, enterprise_id, year, 95.0 - 5 * n)
    await publish(session, 2020, date(2021, 2, 1))
    await publish(session, 2021, date(2022, 2, 1))
    worst = ids[-1]
    awarded = sa.select(m.TenderAward.tender_id)
    free = list(
        await session.scalars(
            sa.select(m.Tender).where(m.Tender.id.not_in(awarded)).order_by(m.Tender.id).limit(3)
        )
    )
    assert len(free) == 3, "the demo data needs tenders without an award"
    tender = free[0]
    inside = await add_tender_award(
        session, tender_id=free[0].id, enterprise_id=worst, awarded_on=date(2023, 1, 31)
    )
    after = await add_tender_award(
        session, tender_id=free[1].id, enterprise_id=ids[5], awarded_on=date(2023, 2, 1)
    )
    banned = {row[0] for row in await service.list_banned_awards(session, today=TODAY)}
    # ids[5] is in the bottom of 2021 (banned 2022-02-01 up to 2023-02-01) and of 2020: its
    # market exit from 2022-02-01 has no end, so even the day after the ban it is a finding.
    assert inside.id in banned and after.id in banned
    rewarded_award = await add_tender_award(
        session, tender_id=free[2].id, enterprise_id=ids[0], awarded_on=date(2023, 1, 31)
    )
    assert rewarded_award.id not in {
        r[0] for r in await service.list_banned_awards(session, today=TODAY)
    }

    contract = await add_service_contract(
        session, enterprise_id=worst, compound_id=tender.compound_id, starts_on=date(2021, 1, 1)
    )
    serving = await service.list_exited_still_serving(session, today=TODAY)
    assert contract.id in {row[0] for row in serving}
    assert not await service.list_exited_still_serving(session, today=date(2022, 2, 1))


async def test_demo_has_a_published_ranking_and_repairs(
    public_gql: GraphQLCall, gql: GraphQLCall
) -> None:
    """The demo publishes the ranking of 2024 on 2025-01-20 and has repairs in both states."""
    ranking = (await public_gql(RANKING, year=2024))["data"]["ranking"]
    assert ranking["published"] is True and ranking["publishedOn"] == "2025-01-20"
    assert sum(1 for e in ranking["entries"] if e["sanctions"]) == 10
    repairs = await gql("{ repairProjects(first: 20) { nodes { status awaiting } } }")
    statuses = {n["status"] for n in repairs["data"]["repairProjects"]["nodes"]}
    assert statuses == {"SUBSIDY_GRANTED", "AWAITING_ACCEPTANCE"}
    budget = (await gql("{ budget(year: 2025) { rewardsYuan subsidiesYuan } }"))["data"]["budget"]
    assert budget["rewardsYuan"] == 500_000 and budget["subsidiesYuan"] > 0
