"""The sync engine against the sandboxes: complete, idempotent, incremental, honest about faults."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from connectors.sandbox.records import StoredRecord
from connectors.sandbox_kit import Faults
from hub.domain.enums import SyncRunStatus
from hub.store import models as m
from hub.store.models import QuarantinedRecord, SyncRun, SyncStreamState
from tests.conftest import ScratchDatabases
from tests.sync_world import SyncWorld, make_world

SOURCES = ["ordos", "tender", "utility:utility-water"]


@pytest.fixture
async def world(scratch: ScratchDatabases) -> AsyncIterator[SyncWorld]:
    world = await make_world(scratch, sources=SOURCES)
    yield world
    await world.dispose()


async def test_first_sync_brings_every_upstream_record(world: SyncWorld) -> None:
    """A first run of each source stores exactly the upstream's records, with provenance."""
    for source in SOURCES:
        report = await world.run(source)
        assert report.status is SyncRunStatus.SUCCEEDED, report.error
        assert report.total("inserted") > 0
        assert report.total("quarantined") == 0
        await world.assert_store_equals_truth(source)
    async with world.sessionmaker() as session:
        graded = await session.scalar(
            sa.select(sa.func.count()).where(m.Enterprise.credit_grade.is_not(None))
        )
        adopted = await session.scalar(
            sa.select(sa.func.count()).where(m.Enterprise.source == "ordos")
        )
        enterprises = await session.scalar(sa.select(sa.func.count()).select_from(m.Enterprise))
    # Registered enterprises were adopted by USCC, not duplicated; their grades arrived.
    assert adopted == enterprises and graded and graded > 0


async def test_resync_of_unchanged_data_writes_nothing(world: SyncWorld) -> None:
    """A second run finds nothing new: no insert, no update."""
    await world.run("ordos")
    world.clock.advance(seconds=30)
    again = await world.run("ordos", full=True)
    assert again.status is SyncRunStatus.SUCCEEDED
    assert again.total("fetched") > 0
    assert (again.total("inserted"), again.total("updated"), again.total("deleted")) == (0, 0, 0)
    assert again.total("unchanged") == again.total("fetched")


async def test_incremental_run_picks_up_changes_and_tombstones(world: SyncWorld) -> None:
    """Upstream updates, inserts and deletions arrive with the next incremental run."""
    await world.run("tender")
    world.clock.advance(seconds=30)
    changes = world.sandboxes["tender"].mutate(updates=3, deletes=2, inserts=2, stream="bids")
    world.clock.advance(seconds=30)
    report = await world.run("tender")
    assert report.status is SyncRunStatus.SUCCEEDED
    assert report.total("updated") == 3 and report.total("deleted") == 2
    assert report.total("inserted") == 2
    await world.assert_store_equals_truth("tender")
    stored = await world.store_ids(
        "tender", next(s for s in world.streams("tender") if s.name == "bids")
    )
    assert set(changes["bids"]["deleted"]) <= stored["deleted"]


async def test_full_run_marks_records_gone_upstream_as_deleted(world: SyncWorld) -> None:
    """A record the upstream silently dropped is marked deleted by a full run, never dropped."""
    await world.run("utility:utility-water")
    sandbox = world.sandboxes["utility:utility-water"]
    store = sandbox.stores["outages"]
    victim = store.live()[0]
    store.remove(victim.id)  # gone upstream without a tombstone
    world.clock.advance(seconds=30)
    report = await world.run("utility:utility-water", full=True)
    assert report.total("deleted") == 1
    async with world.sessionmaker() as session:
        row = await session.scalar(sa.select(m.Outage).where(m.Outage.source_id == victim.id))
    assert row is not None and row.deleted_at is not None


async def test_invalid_records_go_to_quarantine_and_the_run_goes_on(world: SyncWorld) -> None:
    """Wrong-typed records are quarantined with a reason; the others are stored."""
    sandbox = world.sandboxes["ordos"]
    bad = {r.id for r in sandbox.stores["credit_records"].live()[:3]}
    sandbox.set_faults(Faults(wrong_type_ids=frozenset(bad), new_field="extraField"))
    report = await world.run("ordos")
    assert report.status is SyncRunStatus.SUCCEEDED, report.error
    assert report.total("quarantined") == 3
    async with world.sessionmaker() as session:
        quarantined = (await session.scalars(sa.select(QuarantinedRecord))).all()
    assert {q.source_id for q in quarantined} == bad
    assert all(q.reason and q.payload and q.run_id == report.run_id for q in quarantined)
    await world.assert_store_equals_truth("ordos")

    # Refused again: still one entry each. Sent valid again: the entries close.
    world.clock.advance(seconds=5)
    await world.run("ordos", full=True)
    async with world.sessionmaker() as session:
        open_ids = (
            await session.scalars(
                sa.select(QuarantinedRecord.source_id).where(
                    QuarantinedRecord.resolved_at.is_(None)
                )
            )
        ).all()
    assert sorted(open_ids) == sorted(bad)
    sandbox.set_faults(Faults())
    world.clock.advance(seconds=5)
    await world.run("ordos", full=True)
    async with world.sessionmaker() as session:
        still_open = await session.scalar(
            sa.select(sa.func.count()).where(QuarantinedRecord.resolved_at.is_(None))
        )
    assert still_open == 0
    await world.assert_store_equals_truth("ordos")


async def test_quarantine_above_threshold_fails_the_run_and_keeps_the_watermark(
    world: SyncWorld,
) -> None:
    """Too many invalid records fail the run; the stream's watermark does not advance."""
    sandbox = world.sandboxes["utility:utility-water"]
    bad = {r.id for r in sandbox.stores["outages"].live()[:10]}
    sandbox.set_faults(Faults(wrong_type_ids=frozenset(bad)))
    report = await world.run("utility:utility-water")
    assert report.status is SyncRunStatus.FAILED
    assert "threshold" in (report.error or "")
    async with world.sessionmaker() as session:
        state = await session.scalar(
            sa.select(SyncStreamState).where(SyncStreamState.stream == "outages")
        )
    assert state is not None and state.watermark is None


async def test_retry_after_beyond_the_cap_stops_the_run_as_partial_and_keeps_progress(
    world: SyncWorld,
) -> None:
    """An upstream asking to wait too long stops the run PARTIAL; the next run completes it."""
    sandbox = world.sandboxes["ordos"]
    sandbox.set_faults(Faults(rate_limit_rate=1.0, retry_after=3600))
    stopped = await world.run("ordos")
    assert stopped.status is SyncRunStatus.PARTIAL
    assert "3600" in (stopped.error or "") or "wait" in (stopped.error or "")
    sandbox.set_faults(Faults())
    world.clock.advance(seconds=30)
    done = await world.run("ordos")
    assert done.status is SyncRunStatus.SUCCEEDED
    await world.assert_store_equals_truth("ordos")


async def test_transient_faults_are_retried_and_counted(world: SyncWorld) -> None:
    """500s, 429s with a short Retry-After and truncated bodies are retried; nothing is lost."""
    world.sandboxes["tender"].set_faults(
        Faults(error_rate=0.15, rate_limit_rate=0.1, retry_after=1, truncate_rate=0.1, seed=7)
    )
    report = await world.run("tender")
    assert report.status is SyncRunStatus.SUCCEEDED, report.error
    assert report.total("retries") > 0 and report.total("rate_limited") > 0
    await world.assert_store_equals_truth("tender")
    async with world.sessionmaker() as session:
        run = await session.get(SyncRun, report.run_id)
    assert run is not None and run.retries == report.total("retries")


async def test_records_moving_during_paging_are_neither_lost_nor_duplicated(
    world: SyncWorld,
) -> None:
    """Records updated while a window is paged, and equal-timestamp groups across page
    boundaries: after the run and one more, the store equals the upstream."""
    sandbox = world.sandboxes["ordos"]
    sandbox.set_faults(Faults(mutate_during_paging=3, equal_timestamp_groups=2, seed=3))
    first = await world.run("ordos")
    assert first.status in {SyncRunStatus.SUCCEEDED, SyncRunStatus.PARTIAL}
    # The world's small pages make the windows span several pages (the connector's own 1,000
    # would read each stream in one, and no group would straddle a boundary).
    page_size = {stream.name: stream.page_size for stream in world.streams("ordos")}
    assert max(s.fetched / page_size[s.stream] for s in first.streams) > 3
    sandbox.set_faults(Faults(equal_timestamp_groups=2, seed=3))
    world.clock.advance(seconds=30)
    second = await world.run("ordos")
    assert second.status is SyncRunStatus.SUCCEEDED, second.error
    await world.assert_store_equals_truth("ordos")


async def test_one_run_per_source_at_a_time(world: SyncWorld) -> None:
    """While a run of a source holds its lease, another run of it is refused; others go on."""
    from hub.errors import SyncBusy
    from hub.sync.lease import Lease

    held = Lease(world.manager.sessionmaker, "tender", holder="another-replica")
    await held.acquire()
    with pytest.raises(SyncBusy, match="already running"):
        await world.run("tender")
    other = await world.run("utility:utility-water")
    assert other.status is SyncRunStatus.SUCCEEDED
    await held.release()
    assert (await world.run("tender")).status is SyncRunStatus.SUCCEEDED


async def test_records_waiting_for_a_refused_parent_go_in_once_it_arrives(
    world: SyncWorld,
) -> None:
    """Bids of a refused tender are quarantined as unresolved; when the tender arrives valid,
    the bids are applied from quarantine without being sent again."""
    sandbox = world.sandboxes["tender"]
    tender = sandbox.stores["tenders"].live()[0].id
    sandbox.set_faults(Faults(wrong_type_ids=frozenset({tender})))
    first = await world.run("tender")
    assert first.status is SyncRunStatus.SUCCEEDED, first.error
    async with world.sessionmaker() as session:
        waiting = (
            await session.scalars(
                sa.select(QuarantinedRecord).where(QuarantinedRecord.resolved_at.is_(None))
            )
        ).all()
    reasons = {q.stream: q.reason for q in waiting}
    assert "tenders" in reasons and reasons.get("bids", "").startswith("unresolved reference")

    sandbox.set_faults(Faults())
    sandbox.mutate(updates=0)
    store = sandbox.stores["tenders"]
    record = store.get(tender)
    assert record is not None
    world.clock.advance(seconds=10)
    store.put(StoredRecord(record.id, sandbox.now(), record.body))  # the tender is fixed upstream
    world.clock.advance(seconds=10)
    second = await world.run("tender")
    assert second.status is SyncRunStatus.SUCCEEDED, second.error
    async with world.sessionmaker() as session:
        still = await session.scalar(
            sa.select(sa.func.count()).where(QuarantinedRecord.resolved_at.is_(None))
        )
    assert still == 0
    await world.assert_store_equals_truth("tender")
