"""``LedgerItem.allowedActions`` and ``canEscalate``: the steps a viewer may take (the console's
buttons) match what the mutations accept."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tests.conftest import GraphQLCall
from tests.e2e.test_ledger import COMMUNITY, STEP, TOWN
from tests.factories import create_ledger_item

GqlAs = Callable[[str | None], Awaitable[GraphQLCall]]

ALLOWED = """query($id: ID!) {
  node(id: $id) { ... on LedgerItem { status allowedActions canEscalate } }
}"""


async def _allowed(call: GraphQLCall, item_id: str) -> dict:
    body = await call(ALLOWED, id=item_id)
    assert "errors" not in body, body
    return body["data"]["node"]  # type: ignore[no-any-return]


async def test_each_step_offered_is_accepted_and_the_next_steps_follow_the_status(
    gql_as: GqlAs,
) -> None:
    """The reporting community is offered ACCEPT on a new item, then START and RESOLVE, then
    VERIFY and REOPEN; each offered step goes through."""
    community = await gql_as(COMMUNITY)
    item_id = (await create_ledger_item(community, channel="PROACTIVE"))["id"]
    assert await _allowed(community, item_id) == {
        "status": "REPORTED",
        "allowedActions": ["ACCEPT"],
        "canEscalate": True,
    }
    await community(STEP, id=item_id, a="ACCEPT")
    assert (await _allowed(community, item_id))["allowedActions"] == ["START", "RESOLVE"]
    await community(STEP, id=item_id, a="RESOLVE", note="已清理")
    resolved = await _allowed(community, item_id)
    assert resolved["allowedActions"] == ["VERIFY", "REOPEN"]
    assert resolved["canEscalate"] is False  # a resolved item is not escalated
    done = await community(STEP, id=item_id, a="VERIFY")
    assert done["data"]["ledgerItemTransition"]["item"]["status"] == "VERIFIED"
    assert (await _allowed(community, item_id))["allowedActions"] == []


async def test_a_unit_at_another_level_or_a_reader_is_offered_nothing(
    gql_as: GqlAs,
) -> None:
    """The town does not work a community's item, nor does the inspection office (which reads
    the ledger but works none of it); the competent department may, coordinating (R2)."""
    community = await gql_as(COMMUNITY)
    item_id = (await create_ledger_item(community, channel="PROACTIVE"))["id"]
    town = await _allowed(await gql_as(TOWN), item_id)
    assert (town["allowedActions"], town["canEscalate"]) == ([], False)
    refused = await (await gql_as(TOWN))(STEP, id=item_id, a="ACCEPT")
    assert refused["data"]["ledgerItemTransition"]["__typename"] == "NotPermitted"
    inspection = await _allowed(await gql_as("dcs"), item_id)
    assert (inspection["allowedActions"], inspection["canEscalate"]) == ([], False)
    competent = await _allowed(await gql_as("zjj"), item_id)
    assert competent["allowedActions"] == ["ACCEPT"]
