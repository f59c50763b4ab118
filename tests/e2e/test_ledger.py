"""The ledger (台账, R3) through GraphQL: the workflow, escalation at the deadline, scope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import ledger as rules
from hub.services import ledger
from hub.store.models import AuditEntry, LedgerItem
from tests.conftest import DEMO_TODAY, GraphQLCall
from tests.factories import (
    LEDGER_ITEM_CREATE,
    create_ledger_item,
    first_compound_id,
    ledger_item_variables,
)

GqlAs = Callable[[str | None], Awaitable[GraphQLCall]]
COMMUNITY = "community-150627100001"
TOWN = "town-150627100"

STEP = """mutation($id: ID!, $a: LedgerAction!, $note: String, $s: Int) {
  ledgerItemTransition(id: $id, action: $a, note: $note, satisfaction: $s) {
    __typename
    ... on LedgerItemSuccess { item { status satisfaction history { action actorUnit } } }
    ... on ValidationFailed { message field }
    ... on NotPermitted { message }
  }
}"""


async def test_a_complaint_goes_through_the_workflow_and_is_audited(
    gql_as: GqlAs, session: AsyncSession
) -> None:
    """Reported → accepted → in progress → resolved (with a note) → verified with a score."""
    community = await gql_as(COMMUNITY)
    item = await create_ledger_item(community)
    assert (item["level"], item["status"], item["assignedUnit"]) == (
        "COMMUNITY",
        "REPORTED",
        COMMUNITY,
    )
    for action in ("ACCEPT", "START"):
        body = await community(STEP, id=item["id"], a=action)
        assert body["data"]["ledgerItemTransition"]["__typename"] == "LedgerItemSuccess", body
    no_note = await community(STEP, id=item["id"], a="RESOLVE")
    assert no_note["data"]["ledgerItemTransition"]["field"] == "note"
    await community(STEP, id=item["id"], a="RESOLVE", note="清理完毕")
    no_score = await community(STEP, id=item["id"], a="VERIFY")
    assert no_score["data"]["ledgerItemTransition"]["field"] == "satisfaction"
    bad_score = await community(STEP, id=item["id"], a="VERIFY", s=6)
    assert bad_score["data"]["ledgerItemTransition"]["field"] == "satisfaction"
    done = await community(STEP, id=item["id"], a="VERIFY", s=4)
    result = done["data"]["ledgerItemTransition"]
    assert result["item"]["status"] == "VERIFIED" and result["item"]["satisfaction"] == 4
    actions = [e["action"] for e in result["item"]["history"]]
    assert actions == ["CREATE", "ACCEPT", "START", "RESOLVE", "VERIFY"]
    audited = await session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.action.like("ledgerItem%"))
    )
    assert "ledgerItemCreate" in set(audited)


async def test_escalation_just_before_and_just_after_the_deadline(
    gql_as: GqlAs, session: AsyncSession
) -> None:
    """At the deadline an item stays; a moment after, it goes community → town → 消防大队."""
    community = await gql_as(COMMUNITY)
    item = await create_ledger_item(community)
    row = await session.scalar(sa.select(LedgerItem).order_by(LedgerItem.id.desc()).limit(1))
    assert row is not None
    due = row.deadline
    assert due == DEMO_TODAY + rules.DEADLINES[rules.Severity.HIGH]
    # (The demo's own items are escalated along the way; only this one is followed.)
    assert row not in await ledger.escalate_overdue(session, now=due)
    assert row in await ledger.escalate_overdue(session, now=due + timedelta(seconds=1))
    assert (row.level, row.assigned_unit, row.status) == (
        rules.Level.TOWN,
        TOWN,
        rules.Status.REPORTED,
    )
    later = row.deadline + timedelta(seconds=1)
    await ledger.escalate_overdue(session, now=later)
    assert (row.level, row.assigned_unit) == (rules.Level.DEPARTMENT, "xfdd")
    # At the top it stays, however late.
    assert row not in await ledger.escalate_overdue(session, now=later + timedelta(days=99))
    events = await ledger.list_events(session, item_ids=[row.id])
    assert [e.action for e in events] == ["CREATE", "ESCALATE", "ESCALATE"]
    assert events[1].note and "overdue" in events[1].note and events[1].actor_unit is None
    assert item["id"]


async def test_manual_escalation_needs_a_reason_and_routes_by_category(gql_as: GqlAs) -> None:
    """ledgerItemEscalate: a reason is required; illegal construction goes to 城管局."""
    community = await gql_as(COMMUNITY)
    item = await create_ledger_item(community, category="ILLEGAL_CONSTRUCTION", channel="SWEEP")
    query = """mutation($id: ID!, $r: String!) { ledgerItemEscalate(id: $id, reason: $r) {
      __typename ... on LedgerItemSuccess { item { level assignedUnit } }
      ... on ValidationFailed { field } ... on NotPermitted { message } } }"""
    empty = await community(query, id=item["id"], r=" ")
    assert empty["data"]["ledgerItemEscalate"]["field"] == "reason"
    up = await community(query, id=item["id"], r="需要镇协调")
    assert up["data"]["ledgerItemEscalate"]["item"] == {"level": "TOWN", "assignedUnit": TOWN}
    # The community no longer works it: it is at the town level now.
    again = await community(query, id=item["id"], r="再上报")
    assert again["data"]["ledgerItemEscalate"]["__typename"] == "NotPermitted"
    town = await gql_as(TOWN)
    top = await town(query, id=item["id"], r="违建需执法")
    assert top["data"]["ledgerItemEscalate"]["item"] == {
        "level": "DEPARTMENT",
        "assignedUnit": "cgj",
    }
    cgj = await gql_as("cgj")
    seen = await cgj("{ ledgerItems(first: 10) { totalCount nodes { id } } }")
    assert item["id"] in [n["id"] for n in seen["data"]["ledgerItems"]["nodes"]]
    xfdd = await gql_as("xfdd")
    hidden = await xfdd("{ ledgerItems(first: 10) { totalCount nodes { id } } }")
    assert item["id"] not in [n["id"] for n in hidden["data"]["ledgerItems"]["nodes"]]


async def test_jurisdiction_and_roles(gql_as: GqlAs, gql: GraphQLCall) -> None:
    """Another town sees nothing of the item; a utility may not read the ledger; the public
    may not report."""
    community = await gql_as(COMMUNITY)
    other = await gql_as("town-150627101")
    count = "{ ledgerItems(first: 5) { totalCount nodes { compound { town { code } } } } }"
    before = (await other(count))["data"]["ledgerItems"]
    await create_ledger_item(community)
    after = (await other(count))["data"]["ledgerItems"]
    assert after["totalCount"] == before["totalCount"]
    assert {n["compound"]["town"]["code"] for n in after["nodes"]} <= {"150627101"}
    utility = await gql_as("utility-water")
    refused = await utility("{ ledgerItems(first: 5) { totalCount } }")
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    zjj_view = await gql("{ ledgerItems(first: 5, filter: {status: [REPORTED]}) { totalCount } }")
    assert zjj_view["data"]["ledgerItems"]["totalCount"] >= 1
    dcs = await gql_as("dcs")
    refused = ledger_item_variables(
        compound_id=await first_compound_id(dcs), channel="PROACTIVE", category="NOISE"
    )
    read_only = await dcs(LEDGER_ITEM_CREATE, **refused)
    assert read_only["data"]["ledgerItemCreate"]["__typename"] == "NotPermitted"


async def test_statistics_per_compound_count_new_items(gql_as: GqlAs, gql: GraphQLCall) -> None:
    """A resolved and an open item show in their compound's and town's figures; the
    enterprise grouping and Enterprise.ledgerStatistics answer."""
    community = await gql_as(COMMUNITY)
    query = "{ ledgerStatistics(groupBy: COMPOUND) { code figures { total open resolved } } }"
    compound_code = (await community("{ compounds(first: 1) { nodes { code } } }"))["data"][
        "compounds"
    ]["nodes"][0]["code"]

    async def figures() -> dict[str, int]:
        groups = (await gql(query))["data"]["ledgerStatistics"]
        found = [g["figures"] for g in groups if g["code"] == compound_code]
        return found[0] if found else {"total": 0, "open": 0, "resolved": 0}

    before = await figures()
    item = await create_ledger_item(community, channel="PROACTIVE")
    await community(STEP, id=item["id"], a="ACCEPT")
    await community(STEP, id=item["id"], a="RESOLVE", note="done")
    await create_ledger_item(community)
    after = await figures()
    assert after["total"] == before["total"] + 2
    assert after["resolved"] == before["resolved"] + 1
    assert after["open"] == before["open"] + 1
    towns = await gql("{ ledgerStatistics(groupBy: TOWN) { code figures { resolutionRate } } }")
    assert "150627100" in {g["code"] for g in towns["data"]["ledgerStatistics"]}
    by_enterprise = await gql(
        "{ ledgerStatistics(groupBy: ENTERPRISE) { code figures { total } } "
        "enterprises(first: 3) { nodes { ledgerStatistics { total open overdue } } } }"
    )
    assert "errors" not in by_enterprise, by_enterprise
    public = await (await gql_as(None))(
        "{ enterprises(first: 1) { nodes { ledgerStatistics { total } } } }"
    )
    assert public["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_node_id_of_an_item_stays_in_scope(gql_as: GqlAs) -> None:
    """node(id) answers the item to its community and NOT_FOUND to another town."""
    community = await gql_as(COMMUNITY)
    item = await create_ledger_item(community)
    query = "query($id: ID!) { node(id: $id) { ... on LedgerItem { title status } } }"
    mine = await community(query, id=item["id"])
    assert mine["data"]["node"]["status"] == "REPORTED"
    other = await (await gql_as("town-150627101"))(query, id=item["id"])
    assert other["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_department_does_not_verify_its_own_work(gql_as: GqlAs, gql: GraphQLCall) -> None:
    """An item 住建局 reports goes to 消防大队 by its category; 消防大队 resolves it, and only
    住建局, the reporting unit, verifies it."""
    item = await create_ledger_item(gql, channel="SWEEP")
    assert (item["level"], item["assignedUnit"]) == ("DEPARTMENT", "xfdd")
    xfdd = await gql_as("xfdd")
    await xfdd(STEP, id=item["id"], a="ACCEPT")
    await xfdd(STEP, id=item["id"], a="RESOLVE", note="已清理")
    own = await xfdd(STEP, id=item["id"], a="VERIFY")
    assert own["data"]["ledgerItemTransition"]["__typename"] == "NotPermitted"
    done = await gql(STEP, id=item["id"], a="VERIFY")
    assert done["data"]["ledgerItemTransition"]["item"]["status"] == "VERIFIED"
