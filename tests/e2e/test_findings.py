"""Compliance findings (督办事项): each rule opens and closes its findings; evaluation is
idempotent; reads and the ``findingOpened`` subscription stay in the viewer's jurisdiction."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.config import Settings
from hub.domain import ledger as rules
from hub.domain.access import Principal, Role
from hub.domain.enums import (
    ConnectionTaskStatus,
    SelectionMethod,
    TenderMethod,
    TenderStatus,
)
from hub.graphql.context import make_context
from hub.graphql.schema import build_schema
from hub.services import findings
from hub.store import models as m
from hub.store.models import Finding
from tests.conftest import DEMO_TODAY, GraphQLCall
from tests.factories import (
    add_connection_task,
    add_ledger_item,
    add_service_contract,
    add_tender_award,
    first_compound,
)

GqlAs = Callable[[str | None], Awaitable[GraphQLCall]]
NOW = DEMO_TODAY


async def _open(session: AsyncSession, rule: str, subject_id: int) -> Finding | None:
    return await session.scalar(
        sa.select(Finding).where(
            Finding.rule == rule, Finding.subject_id == subject_id, Finding.closed_at.is_(None)
        )
    )


async def test_evaluation_is_idempotent(session: AsyncSession) -> None:
    """A second evaluation with nothing changed opens and closes nothing."""
    await findings.evaluate_findings(session, now=NOW)
    again = await findings.evaluate_findings(session, now=NOW)
    assert (again.opened, again.closed) == ([], [])


async def test_an_overdue_department_item_opens_and_closes_a_finding(session: AsyncSession) -> None:
    """Overdue at the department level: open; resolved: closed by the next evaluation."""
    compound = await first_compound(session)
    item = await add_ledger_item(
        session,
        compound=compound,
        reported_at=NOW - timedelta(days=3),
        assigned_unit="xfdd",
        status=rules.Status.ACCEPTED,
        deadline=NOW,
    )
    await findings.evaluate_findings(session, now=NOW)  # at the deadline: not yet
    assert await _open(session, "ledger.department_overdue", item.id) is None
    await findings.evaluate_findings(session, now=NOW + timedelta(seconds=1))
    found = await _open(session, "ledger.department_overdue", item.id)
    assert found is not None and found.responsible_unit == "xfdd"
    assert found.town_id == compound.town_id
    item.status = rules.Status.RESOLVED
    result = await findings.evaluate_findings(session, now=NOW + timedelta(seconds=2))
    assert found in result.closed and found.closed_at is not None


async def test_an_overdue_connection_task_opens_a_finding(session: AsyncSession) -> None:
    """Past its due date and not done: open, with the utility responsible; done: closed."""
    compound = await first_compound(session)
    water = await session.scalar(
        sa.select(m.MemberUnit).where(m.MemberUnit.code == "utility-water")
    )
    assert water is not None and water.utility_kind is not None
    task = await add_connection_task(
        session, compound=compound, utility=water, due_on=date(2026, 11, 25)
    )
    await findings.evaluate_findings(session, now=NOW)  # due today: not yet overdue
    assert await _open(session, "utility.connection_overdue", task.id) is None
    task.due_on = date(2026, 11, 24)
    await findings.evaluate_findings(session, now=NOW)
    found = await _open(session, "utility.connection_overdue", task.id)
    assert found is not None and found.responsible_unit == "utility-water"
    task.status, task.completed_on = ConnectionTaskStatus.DONE, date(2026, 11, 25)
    await findings.evaluate_findings(session, now=NOW)
    assert await _open(session, "utility.connection_overdue", task.id) is None


async def test_an_expired_committee_term_opens_a_finding(session: AsyncSession) -> None:
    """A committee whose last term ended yesterday: open; a new term recorded: closed."""
    committee = await session.scalar(sa.select(m.OwnersCommittee).limit(1))
    assert committee is not None
    terms = (
        await session.scalars(
            sa.select(m.CommitteeTerm).where(m.CommitteeTerm.committee_id == committee.id)
        )
    ).all()
    for term in terms:
        term.ends_on = min(term.ends_on, date(2026, 11, 24))
    await findings.evaluate_findings(session, now=NOW)
    assert await _open(session, "committee.term_expired", committee.id) is not None
    session.add(
        m.CommitteeTerm(
            committee_id=committee.id,
            term_no=max(t.term_no for t in terms) + 1,
            assembly_held_on=date(2026, 11, 25),
            starts_on=date(2026, 11, 25),
            ends_on=date(2031, 11, 24),
        )
    )
    await session.flush()
    await findings.evaluate_findings(session, now=NOW)
    assert await _open(session, "committee.term_expired", committee.id) is None


async def test_an_enterprise_change_without_award_opens_a_finding(session: AsyncSession) -> None:
    """A new enterprise serves a compound without a tender award: open; the award: closed."""
    compound = await first_compound(session)
    current = await session.scalar(
        sa.select(m.ServiceContract).where(m.ServiceContract.compound_id == compound.id).limit(1)
    )
    newcomer = await session.scalar(
        sa.select(m.Enterprise)
        .where(m.Enterprise.id != (current.enterprise_id if current else 0))
        .limit(1)
    )
    assert newcomer is not None
    if current is None:
        other = await session.scalar(
            sa.select(m.Enterprise).where(m.Enterprise.id != newcomer.id).limit(1)
        )
        assert other is not None
        await add_service_contract(
            session,
            enterprise_id=other.id,
            compound_id=compound.id,
            starts_on=date(2020, 1, 1),
            ends_on=date(2026, 10, 31),
        )
    contract = await add_service_contract(
        session,
        enterprise_id=newcomer.id,
        compound_id=compound.id,
        starts_on=date(2026, 11, 1),
        selection=SelectionMethod.COMMITTEE_RESELECTION,
    )
    await findings.evaluate_findings(session, now=NOW)
    found = await _open(session, "contract.changed_without_award", contract.id)
    assert found is not None and found.compound_id == compound.id
    tender = m.Tender(
        code="T-TEST-0001",
        title="重新选聘",
        compound_id=compound.id,
        selection=SelectionMethod.COMMITTEE_RESELECTION,
        method=TenderMethod.OPEN,
        tenderer="业主委员会",
        announced_on=date(2026, 9, 1),
        bid_deadline=date(2026, 9, 20),
        status=TenderStatus.AWARDED,
    )
    session.add(tender)
    await session.flush()
    await add_tender_award(session, tender_id=tender.id, enterprise_id=newcomer.id)
    await findings.evaluate_findings(session, now=NOW)
    assert await _open(session, "contract.changed_without_award", contract.id) is None


async def test_findings_are_listed_within_the_jurisdiction(
    gql_as: GqlAs, session: AsyncSession
) -> None:
    """The inspection office sees all findings, a town only its own, the public none."""
    await findings.evaluate_findings(session, now=NOW)
    await session.commit()
    query = "{ findings(first: 100, filter: {open: true}) { totalCount nodes { rule open } } }"
    everything = await (await gql_as("dcs"))(query)
    total = everything["data"]["findings"]["totalCount"]
    town = await (await gql_as("town-150627101"))(query)
    assert town["data"]["findings"]["totalCount"] <= total
    expected = await session.scalar(
        sa.select(sa.func.count())
        .select_from(Finding)
        .join(m.Jurisdiction, m.Jurisdiction.id == Finding.town_id)
        .where(Finding.closed_at.is_(None), m.Jurisdiction.code == "150627101")
    )
    assert town["data"]["findings"]["totalCount"] == expected
    public = await (await gql_as(None))(query)
    assert public["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_finding_opened_is_pushed_to_subscribers_in_scope(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    """After the evaluation commits, a subscriber of the finding's town hears of it; a
    subscriber of another town does not."""
    schema = build_schema()
    compound = await first_compound(session)
    town = await session.get(m.Jurisdiction, compound.town_id)
    assert town is not None
    settings = Settings(database_url="sqlite+aiosqlite:///:memory:")
    query = "subscription { findingOpened { rule responsibleUnit open } }"

    def context(principal: Principal) -> Any:
        return make_context(settings, sessionmaker, now=NOW, viewer=principal)

    mine = await schema.subscribe(
        query, context_value=context(Principal(Role.TOWN, "town-x", 1, compound.town_id))
    )
    theirs = await schema.subscribe(
        query, context_value=context(Principal(Role.TOWN, "town-y", 2, -1))
    )
    first_mine = asyncio.ensure_future(mine.__anext__())  # type: ignore[union-attr]
    first_theirs = asyncio.ensure_future(theirs.__anext__())  # type: ignore[union-attr]
    for _ in range(1_000):  # let both subscriptions reach the broadcaster
        if findings.BROADCASTER.subscribers >= 2:
            break
        await asyncio.sleep(0)
    await add_ledger_item(
        session,
        compound=compound,
        reported_at=NOW - timedelta(days=30),
        deadline=NOW - timedelta(days=15),
    )
    await findings.evaluate_findings(session, now=NOW)
    assert not first_mine.done()  # nothing is published before the commit
    await session.commit()
    seen = set()
    while True:
        result = await asyncio.wait_for(first_mine, timeout=10)
        assert result.errors is None, result.errors
        seen.add(result.data["findingOpened"]["rule"])
        if "ledger.department_overdue" in seen:
            break
        first_mine = asyncio.ensure_future(mine.__anext__())  # type: ignore[union-attr]
    assert not first_theirs.done()
    first_theirs.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await first_theirs
    await mine.aclose()  # type: ignore[union-attr]
    await theirs.aclose()  # type: ignore[union-attr]
