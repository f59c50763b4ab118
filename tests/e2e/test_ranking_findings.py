"""The sanction rules in the findings registry (issue #5 §3, R8): evaluation opens a finding for
an award to a banned enterprise, and closes it when the condition no longer holds."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.services import findings
from hub.store import models as m
from hub.store.models import Finding
from tests.e2e.test_ranking import assess, publish, ten_enterprises
from tests.factories import add_tender_award

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)


async def test_an_award_to_a_banned_enterprise_opens_a_finding_until_it_is_gone(
    session: AsyncSession,
) -> None:
    assert {"ranking.banned_award", "ranking.exited_still_serving"} <= set(findings.load_rules())
    ids = await ten_enterprises(session)
    for n, enterprise_id in enumerate(ids):
        await assess(session, enterprise_id, 2021, 95.0 - 5 * n)
    await publish(session, 2021, date(2022, 3, 15))
    free = await session.scalar(
        sa.select(m.Tender)
        .where(m.Tender.id.not_in(sa.select(m.TenderAward.tender_id)))
        .order_by(m.Tender.id)
        .limit(1)
    )
    assert free is not None
    award = await add_tender_award(
        session, tender_id=free.id, enterprise_id=ids[-1], awarded_on=date(2022, 6, 1)
    )

    await findings.evaluate_findings(session, now=NOW)
    opened = await session.scalar(
        sa.select(Finding).where(
            Finding.rule == "ranking.banned_award", Finding.subject_id == award.id
        )
    )
    assert opened is not None and opened.closed_at is None
    assert opened.responsible_unit == "zjj"

    award.deleted_at = NOW  # the platform withdrew the award
    await session.flush()
    await findings.evaluate_findings(session, now=NOW)
    await session.refresh(opened)
    assert opened.closed_at is not None
