"""The special maintenance fund over GraphQL (R5): an application, the owners' vote at the
boundaries of Civil Code art. 278, disbursements up to the approved amount, reads in scope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.graphql.relay import encode_global_id
from hub.store.models import Compound, Jurisdiction
from tests.factories import (
    FUND_APPLICATION_CREATE,
    create_fund_application,
    fund_application_input,
)

GQL = Callable[..., Awaitable[dict[str, Any]]]

VOTE = """
mutation Vote($input: FundVoteInput!) {
  fundVoteRecord(input: $input) {
    __typename
    ... on FundVoteRecordSuccess {
      approved unmetConditions rule
      application { status vote { participatingOwners approvingOwners } }
    }
    ... on ValidationFailed { message field }
  }
}
"""

PAY = """
mutation Pay($input: FundDisbursementInput!) {
  fundDisbursementRecord(input: $input) {
    __typename
    ... on FundDisbursementRecordSuccess {
      application { disbursed remaining disbursements { amount } }
    }
    ... on ValidationFailed { message field }
  }
}
"""

LIST = """
query { fundApplications(first: 50) { totalCount nodes { id purpose status } } }
"""


@pytest.fixture
async def compound(session: AsyncSession) -> tuple[str, str]:
    """(community unit code, compound global ID) of the first compound."""
    row = (
        await session.execute(
            sa.select(Compound.id, Jurisdiction.code)
            .join(Jurisdiction, Jurisdiction.id == Compound.community_id)
            .order_by(Compound.id)
            .limit(1)
        )
    ).one()
    return f"community-{row.code}", encode_global_id("Compound", row.id)


async def apply(gql: GQL, compound: str, **fields: Any) -> str:
    """An application in the compound (``fields`` as ``create_fund_application`` takes them),
    waiting for the owners' vote; its global ID."""
    application = await create_fund_application(gql, compound_id=compound, **fields)
    assert application["status"] == "VOTING", application
    return str(application["id"])


def votes(
    application: str, *, part_owners: int = 60, yes_area: str = "3000.01", yes_owners: int = 31
) -> dict[str, Any]:
    return {
        "applicationId": application,
        "totalArea": "9000",
        "totalOwners": 90,
        "participatingArea": "6000",
        "participatingOwners": part_owners,
        "approvingArea": yes_area,
        "approvingOwners": yes_owners,
        "votedOn": "2026-11-20",
    }


@pytest.mark.parametrize(
    ("tally", "approved", "unmet"),
    [
        ({}, True, []),  # exactly 2/3 participation, just over 1/2 approval
        ({"part_owners": 59}, False, ["participating owners"]),  # one owner below 2/3
        ({"yes_owners": 30}, False, ["approving owners"]),  # exactly 1/2: not more than half
        ({"yes_area": "3000"}, False, ["approving floor area"]),
    ],
)
async def test_vote_boundaries(
    gql_as: Callable[[str], Awaitable[GQL]],
    compound: tuple[str, str],
    tally: dict[str, Any],
    approved: bool,
    unmet: list[str],
) -> None:
    """Exactly 2/3 participation suffices; exactly 1/2 approval does not; one unit decides."""
    gql = await gql_as(compound[0])
    application = await apply(gql, compound[1])
    body = await gql(VOTE, input=votes(application, **tally))
    result = body["data"]["fundVoteRecord"]
    assert result["__typename"] == "FundVoteRecordSuccess", result
    assert result["approved"] is approved
    assert result["unmetConditions"] == unmet
    assert result["application"]["status"] == ("APPROVED" if approved else "REJECTED")
    # A vote is recorded once.
    again = await gql(VOTE, input=votes(application))
    assert again["data"]["fundVoteRecord"]["field"] == "applicationId"


async def test_disbursement_over_the_approved_amount_is_refused(
    gql_as: Callable[[str], Awaitable[GQL]], compound: tuple[str, str]
) -> None:
    """Payments up to the approved amount pass; one fen more is refused with what is left."""
    gql = await gql_as(compound[0])
    application = await apply(gql, compound[1], amount="100000.00")
    pay = {"applicationId": application, "amount": "60000.00", "paidOn": "2026-11-21"}
    body = await gql(PAY, input=pay)
    assert body["data"]["fundDisbursementRecord"]["field"] == "applicationId"  # not yet voted
    await gql(VOTE, input=votes(application))
    body = await gql(PAY, input=pay)
    result = body["data"]["fundDisbursementRecord"]["application"]
    assert (result["disbursed"], result["remaining"]) == ("60000.00", "40000.00")
    body = await gql(PAY, input={**pay, "amount": "40000.01"})
    refused = body["data"]["fundDisbursementRecord"]
    assert refused["__typename"] == "ValidationFailed" and refused["field"] == "amount"
    assert "40000.00 yuan left" in refused["message"]
    body = await gql(PAY, input={**pay, "amount": "40000.00"})
    assert body["data"]["fundDisbursementRecord"]["application"]["remaining"] == "0.00"


async def test_applications_are_read_within_the_jurisdiction(
    gql_as: Callable[[str], Awaitable[GQL]], gql: GQL, compound: tuple[str, str]
) -> None:
    """The community and 住建局 see the application (in lists and by node ID); another town does
    not; the public may not read the fund; the competent department may not apply (no
    write:local)."""
    community = await gql_as(compound[0])
    application = await apply(community, compound[1], purpose="3号楼屋面防水维修")
    for caller in (community, gql):
        body = await caller(LIST)
        assert application in [n["id"] for n in body["data"]["fundApplications"]["nodes"]]
    other = await gql_as("town-150627101")
    body = await other(LIST)
    assert body["data"]["fundApplications"]["totalCount"] == 0
    node = "query N($id: ID!) { node(id: $id) { ... on FundApplication { purpose } } }"
    body = await community(node, id=application)
    assert body["data"]["node"]["purpose"] == "3号楼屋面防水维修"
    body = await other(node, id=application)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    body = await (await gql_as(None))(LIST)  # type: ignore[arg-type]
    assert body["errors"][0]["extensions"]["code"] in {"FORBIDDEN", "UNAUTHENTICATED"}
    body = await gql(FUND_APPLICATION_CREATE, input=fund_application_input(compound_id=compound[1]))
    assert body["data"]["fundApplicationCreate"]["__typename"] == "NotPermitted"


async def test_nested_fields_of_the_demo_applications(
    gql: GQL, count_statements: Callable[[], Any]
) -> None:
    """The demo applications list with their compound and payments in a fixed number of
    statements, whatever the page size (each relation loaded once per level)."""
    query = """query P($first: Int!) { fundApplications(first: $first) {
      nodes { status amount disbursed remaining compound { code } disbursements { amount } } } }"""
    await gql(query, first=1)  # the first request of a client also records its key's use
    counts = []
    for first in (1, 10):
        counter = count_statements()
        body = await gql(query, first=first)
        counter.active = False
        assert "errors" not in body, body
        assert len(body["data"]["fundApplications"]["nodes"]) == first
        counts.append(len(counter.statements))
    assert counts[0] == counts[1]
