"""``findings(filter: {enterpriseUscc})``: the findings about one enterprise (the profile's
panel, 企业画像) — its contracts and awards, and the compounds it serves today."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.findings import FindingSeverity
from hub.store import models as m
from hub.store.models import Finding
from tests.conftest import DEMO_TODAY, GraphQLCall

QUERY = """query($uscc: String!) {
  findings(filter: {enterpriseUscc: $uscc}, first: 100) {
    totalCount
    nodes { rule subjectType compound { code } }
  }
}"""


def _finding(rule: str, subject_type: str, subject_id: int, compound: m.Compound) -> Finding:
    return Finding(
        rule=rule,
        subject_type=subject_type,
        subject_id=subject_id,
        severity=FindingSeverity.MEDIUM,
        compound_id=compound.id,
        community_id=compound.community_id,
        town_id=compound.town_id,
        detail="test",
        opened_at=DEMO_TODAY,
    )


async def test_findings_about_an_enterprise_are_those_of_its_compounds_and_contracts(
    session: AsyncSession, gql: GraphQLCall
) -> None:
    """A finding on a compound the enterprise serves today and one about its contract are
    listed for it; a finding on a compound another enterprise serves is not."""
    today = DEMO_TODAY.date()
    in_force = sa.or_(m.ServiceContract.ends_on.is_(None), m.ServiceContract.ends_on >= today)
    contracts = (
        await session.scalars(
            sa.select(m.ServiceContract)
            .where(m.ServiceContract.starts_on <= today, in_force)
            .order_by(m.ServiceContract.id)
        )
    ).all()
    ours = contracts[0]
    other = next(c for c in contracts if c.enterprise_id != ours.enterprise_id)
    served = await session.get(m.Compound, ours.compound_id)
    elsewhere = await session.get(m.Compound, other.compound_id)
    enterprise = await session.get(m.Enterprise, ours.enterprise_id)
    assert served and elsewhere and enterprise
    before = await gql(QUERY, uscc=enterprise.uscc)
    session.add_all(
        [
            _finding("test.compound", "Compound", served.id, served),
            _finding("test.contract", "ServiceContract", ours.id, elsewhere),
            _finding("test.elsewhere", "Compound", elsewhere.id, elsewhere),
        ]
    )
    await session.commit()

    body = await gql(QUERY, uscc=enterprise.uscc)
    assert "errors" not in body, body
    found = body["data"]["findings"]
    added = {
        n["rule"]: n["compound"]["code"]
        for n in found["nodes"]
        if n["rule"] in {"test.compound", "test.contract", "test.elsewhere"}
    }
    assert added == {"test.compound": served.code, "test.contract": elsewhere.code}
    assert found["totalCount"] == before["data"]["findings"]["totalCount"] + 2
