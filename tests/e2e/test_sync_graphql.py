"""The sync surface of the GraphQL API: sources, runs, quarantine, reconciliation, triggers, and
answers from the store while an upstream is down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from connectors.sandbox.records import StoredRecord
from connectors.sandbox_kit import Faults
from hub.domain.enums import SyncRunStatus
from hub.graphql.relay import decode_global_id
from hub.store.models import AuditEntry
from tests.conftest import ScratchDatabases
from tests.sync_world import SyncWorld, make_world

WATER = "utility:utility-water"


@pytest.fixture
async def world(scratch: ScratchDatabases) -> AsyncIterator[SyncWorld]:
    world = await make_world(scratch, sources=["ordos", WATER])
    yield world
    await world.dispose()


@pytest.fixture
async def api(world: SyncWorld) -> AsyncIterator[Any]:
    async with world.hub_client() as client:

        async def call(query: str, **variables: Any) -> dict[str, Any]:
            response = await client.post("/graphql", json={"query": query, "variables": variables})
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            assert "errors" not in body, body["errors"]
            return body["data"]  # type: ignore[no-any-return]

        yield call


SOURCES = """{ syncSources { name kind label stale lastSuccessAt lagSeconds running
  breaker { state consecutiveFailures }
  streams { name watermark lastSuccessAt lastError records inProgress }
  lastRun { status fetched inserted unchanged quarantined durationSeconds } } }"""


async def test_sync_sources_and_runs_show_what_happened(world: SyncWorld, api: Any) -> None:
    """Before a run a source is stale with no streams; after it, fresh with counts per stream."""
    before = {s["name"]: s for s in (await api(SOURCES))["syncSources"]}
    assert set(before) == {"ordos", WATER}
    assert before["ordos"]["stale"] is True and before["ordos"]["lastRun"] is None
    assert before["ordos"]["label"] == "鄂尔多斯物业管理服务平台"

    report = await world.run("ordos")
    world.clock.advance(seconds=5)
    after = {s["name"]: s for s in (await api(SOURCES))["syncSources"]}["ordos"]
    assert after["stale"] is False and after["lagSeconds"] >= 5
    assert after["lastRun"]["status"] == "SUCCEEDED"
    assert after["lastRun"]["fetched"] == report.total("fetched")
    assert [s["name"] for s in after["streams"]] == [
        "enterprises",
        "credit_records",
        "credit_grades",
        "projects",
        "inspections",
    ]
    assert all(s["records"] > 0 and not s["inProgress"] for s in after["streams"])

    runs = await api('{ syncRuns(source: "ordos") { totalCount nodes { status trigger } } }')
    assert runs["syncRuns"]["totalCount"] == 1
    assert runs["syncRuns"]["nodes"][0]["trigger"] == "cli"


async def test_quarantine_lists_refused_records_with_reasons(world: SyncWorld, api: Any) -> None:
    """Records refused by validation are listed in `quarantine` with payload and reason."""
    sandbox = world.sandboxes[WATER]
    bad = sandbox.stores["connection_tasks"].live()[0].id
    sandbox.set_faults(Faults(wrong_type_ids=frozenset({bad})))
    await world.run(WATER)
    data = await api(
        "{ quarantine(first: 10) { totalCount nodes { source stream sourceId reason payload } } }"
    )
    (item,) = data["quarantine"]["nodes"]
    assert (item["source"], item["stream"], item["sourceId"]) == (WATER, "connection_tasks", bad)
    assert item["reason"] and item["payload"]["id"] == bad


async def test_sync_trigger_starts_a_run_and_refuses_a_second_and_unknown_sources(
    world: SyncWorld, api: Any
) -> None:
    """`syncTrigger` starts a background run; a second trigger while it runs, and an unknown
    source, are refused as data."""
    mutation = """mutation($s: String!) { syncTrigger(source: $s) {
      __typename ... on SyncTriggerAccepted { source full }
      ... on SyncAlreadyRunning { message } ... on ValidationFailed { message } } }"""
    first = (await api(mutation, s=WATER))["syncTrigger"]
    second = (await api(mutation, s=WATER))["syncTrigger"]
    assert first == {"__typename": "SyncTriggerAccepted", "source": WATER, "full": False}
    assert second["__typename"] == "SyncAlreadyRunning"
    unknown = (await api(mutation, s="nowhere"))["syncTrigger"]
    assert unknown["__typename"] == "ValidationFailed" and "nowhere" in unknown["message"]
    await world.manager.wait()
    runs = await api("{ syncRuns(first: 5) { nodes { source status trigger } } }")
    assert runs["syncRuns"]["nodes"] == [
        {"source": WATER, "status": "SUCCEEDED", "trigger": "graphql:zjj"}
    ]


async def test_sync_mutations_leave_one_audit_entry_per_call(world: SyncWorld, api: Any) -> None:
    """Each trigger and each resolution is audited with its outcome: ok, busy and invalid (an
    unknown source is not written into the entry) for `syncTrigger`; invalid and ok, naming the
    item, for `reconciliationResolve`."""
    trigger = "mutation T($s: String!) { syncTrigger(source: $s) { __typename } }"
    for source in (WATER, WATER, "nowhere"):
        await api(trigger, s=source)
    await world.manager.wait()
    resolve = """mutation R($id: ID!) { reconciliationResolve(id: $id, createCompound: true) {
      __typename } }"""
    await api(resolve, id="not an id")
    async with world.sessionmaker() as session:
        entries = (await session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))).all()
    seen = [
        (e.action, e.outcome, e.operation, e.subject_type, e.subject_id, e.detail, e.actor_unit)
        for e in entries
    ]
    assert seen == [
        ("syncTrigger", "ok", "T", None, None, {"source": WATER, "full": False}, "zjj"),
        ("syncTrigger", "busy", "T", None, None, {"source": WATER, "full": False}, "zjj"),
        ("syncTrigger", "invalid", "T", None, None, {"source": None, "full": False}, "zjj"),
        ("reconciliationResolve", "invalid", "R", "ReconciliationItem", None, None, "zjj"),
    ]
    assert all(e.request_id for e in entries)


async def test_unknown_compound_waits_in_reconciliation_until_resolved(
    world: SyncWorld, api: Any
) -> None:
    """A record naming an unknown compound is queued; creating the compound applies it."""
    sandbox = world.sandboxes[WATER]
    store = sandbox.stores["connection_tasks"]
    record = store.live()[0]
    town = record.body["townCode"]  # type: ignore[index]
    store.put(
        StoredRecord(record.id, record.updated_at, {**record.body, "compoundName": "星光新苑"})
    )  # type: ignore[dict-item]
    report = await world.run(WATER)
    assert report.status is SyncRunStatus.SUCCEEDED and report.total("reconciliation") == 1

    queue = await api("""{ reconciliation(status: OPEN) { nodes { id sourceId townCode
        compoundName status } } }""")
    (item,) = queue["reconciliation"]["nodes"]
    assert (item["sourceId"], item["townCode"], item["compoundName"]) == (
        record.id,
        town,
        "星光新苑",
    )

    towns = await api("{ towns { code communities { code } } }")
    community = next(t for t in towns["towns"] if t["code"] == town)["communities"][0]["code"]
    resolved = await api(
        """mutation($id: ID!, $c: String) { reconciliationResolve(id: $id, createCompound: true,
          communityCode: $c) { __typename ... on ReconciliationResolveSuccess {
            item { status } compound { name connectionTasks { status provenance { sourceId } } } }
          ... on ValidationFailed { message } } }""",
        id=item["id"],
        c=community,
    )
    result = resolved["reconciliationResolve"]
    assert result["__typename"] == "ReconciliationResolveSuccess", result
    async with world.sessionmaker() as session:
        entry = await session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert entry is not None
    assert (entry.action, entry.outcome, entry.subject_type, entry.subject_id) == (
        "reconciliationResolve",
        "ok",
        "ReconciliationItem",
        str(decode_global_id(item["id"])[1]),
    )
    assert result["item"]["status"] == "CREATED" and result["compound"]["name"] == "星光新苑"
    assert [t["provenance"]["sourceId"] for t in result["compound"]["connectionTasks"]] == [
        record.id
    ]
    # The next sync matches the name by itself: nothing new in the queue.
    world.clock.advance(seconds=5)
    again = await world.run(WATER, full=True)
    assert again.total("reconciliation") == 0


async def test_with_an_upstream_down_queries_answer_from_the_store_marked_stale(
    world: SyncWorld, api: Any
) -> None:
    """A dead upstream fails its runs and opens its breaker; queries still answer from the
    store, and the data says it is stale once the source's maximum age has passed."""
    await world.run("ordos")
    world.manager.sources["ordos"].max_age_hours = 1 / 60
    world.sandboxes["ordos"].set_faults(Faults(error_rate=1.0))
    world.clock.advance(seconds=5)
    failed = await world.run("ordos")
    assert failed.status is SyncRunStatus.FAILED
    world.clock.advance(seconds=90)
    data = await api("""{ syncSources { name stale breaker { state consecutiveFailures } }
      enterprises(first: 3) { totalCount nodes { name credit { grade }
        provenance { source stale } } } }""")
    ordos = next(s for s in data["syncSources"] if s["name"] == "ordos")
    assert ordos["stale"] is True
    assert ordos["breaker"]["state"] == "open"
    enterprises = data["enterprises"]
    assert enterprises["totalCount"] > 0
    assert all(n["provenance"] == {"source": "ordos", "stale": True} for n in enterprises["nodes"])
    world.clock.advance(seconds=5)
    refused = await world.run("ordos")
    assert refused.status is SyncRunStatus.PARTIAL and "circuit" in (refused.error or "").lower()


async def test_utility_data_appears_on_compounds_and_in_statistics(
    world: SyncWorld, api: Any
) -> None:
    """Synced connection tasks and outages show on their compound and in the backlog figures."""
    await world.run(WATER)
    data = await api("""{ statistics { total { openConnectionTasks overdueConnectionTasks } }
      compounds(first: 100) { nodes { name connectionTasks { utilityKind status overdue
        provenance { source } } outages { utilityKind open } } } }""")
    tasks = [t for c in data["compounds"]["nodes"] for t in c["connectionTasks"]]
    assert tasks and all(t["utilityKind"] == "WATER" for t in tasks)
    assert all(t["provenance"]["source"] == WATER for t in tasks)
    total = data["statistics"]["total"]
    assert total["openConnectionTasks"] > 0
    assert 0 <= total["overdueConnectionTasks"] <= total["openConnectionTasks"]
