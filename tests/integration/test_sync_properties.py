"""A property of the sync engine (issue 3, Tests): whatever faults a schedule of runs meets, one
clean run afterwards leaves the store equal to the upstream's truth.

Each example syncs ONE source, on a fresh scratch database, through a random schedule of runs:
each run with random transport faults (500s, 429s with a short or a too-long ``Retry-After``,
cut bodies, records changing while a window is paged, an unknown field), some as full runs, and
random upstream changes between runs (updates, tombstones, inserts, silent drops). Then a clean
run, preceded by a clean full run when records were dropped (only a full run notices a drop).
Checked after every run: a final status, and no watermark going backwards; after the clean run:
the store equals the truth (nothing lost, nothing twice) and the quarantine holds the bad records.

How an example models its upstream:

- Bad (wrong-typed) records are drawn once, from one stream that no other stream refers to (a
  bad tender would also send its bids to quarantine, as unresolved references), below the
  quarantine threshold, and stay bad through the clean run. They are drawn from the first page
  of the stream: a run that resumes a window after its checkpoint computes the quarantine share
  over the pages it read, so bad records bunched in the rest of a window would fail it.
- A bad record that the upstream changes comes back valid, as a new version would. A record that
  stayed bad while changing would land in a small incremental window, where its single failure
  passes the threshold share, and that window is resumed, and fails, on every later run.
- Some runs add a burst of bad records above the threshold, to fail the stream; after the run the
  upstream replaces them by valid new versions (a new ``updatedAt``), so a later window reads them.
- The tender platform deletes (or drops) a tender's bids, candidates and award with the tender: a
  child of a tender the hub never stored could only be quarantined (an unresolved reference).
- The data knobs (deletions, equal-timestamp groups) are drawn once per example and kept in every
  run: changing them rebuilds the sandbox's data, which no real upstream does.

Shrinking is off: an example takes seconds, a shrink many minutes; a failure prints its draws.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from connectors.breaker import CircuitBreaker
from connectors.sandbox_kit import Faults, Sandbox, StoredRecord
from hub.domain.enums import SyncRunStatus
from hub.store.models import QuarantinedRecord, SyncRun, SyncStreamState
from hub.sync.reports import RunReport
from tests.conftest import ScratchDatabases
from tests.sync_world import SyncWorld, make_world, read_watermarks, touch_records

SOURCES = ["ordos", "tender", "utility:utility-water"]
# Streams whose records no other stream refers to: a bad record there goes to quarantine alone.
LEAF_STREAMS = {
    "ordos": ["enterprises", "credit_records", "credit_grades", "projects", "inspections"],
    "tender": ["bids", "candidates", "awards"],
    "utility:utility-water": ["connection_tasks", "outages"],
}
TENDER_CHILDREN = ("bids", "candidates", "awards")
FINAL = {SyncRunStatus.SUCCEEDED, SyncRunStatus.PARTIAL, SyncRunStatus.FAILED}
BAD_SHARE = 0.04  # below the source's quarantine threshold (5 %)
BURST_SHARE = 0.12  # above it
SCHEDULE_GAP = 1800.0  # seconds between scheduled runs, as the circuit breaker sees them

transport_faults = st.fixed_dictionaries(
    {
        "error_rate": st.sampled_from([0.0, 0.05, 0.15]),
        "rate_limit_rate": st.sampled_from([0.0, 0.05, 0.15]),
        # 3600 s is past the source's retry_after_cap (60 s): the run stops PARTIAL.
        "retry_after": st.sampled_from([0, 1, 5, 3600]),
        "truncate_rate": st.sampled_from([0.0, 0.05, 0.1]),
        "mutate_during_paging": st.integers(0, 3),
        "new_field": st.sampled_from([None, "extraField"]),
        "seed": st.integers(0, 10_000),
    }
)
upstream_changes = st.fixed_dictionaries(
    {
        "updates": st.integers(0, 4),
        "deletes": st.integers(0, 2),
        "inserts": st.integers(0, 3),
        "drops": st.integers(0, 1),
    }
)


@dataclass(frozen=True)
class RunPlan:
    """One run of a schedule: its faults, whether full, and the upstream's changes after it."""

    faults: dict[str, Any]
    full: bool
    burst: bool
    changes: dict[str, int]
    advance: int
    """Seconds the clock moves before and after the changes (in all < 4 min: signatures)."""


run_plans = st.builds(
    RunPlan,
    faults=transport_faults,
    full=st.booleans(),
    burst=st.integers(0, 4).map(lambda n: n == 0),
    changes=upstream_changes,
    advance=st.integers(2, 15),
)


@dataclass
class BadRecords:
    """The wrong-typed records of one stream: the ones still bad, and all ever served bad."""

    stream: str
    current: dict[str, datetime]
    """Id → the ``updatedAt`` it was made bad at; it stays bad until the upstream changes it."""
    injected: set[str] = field(default_factory=set)

    def retire_changed(self, sandbox: Sandbox) -> None:
        """Forget the bad records that the upstream changed, deleted or dropped."""
        store = sandbox.stores[self.stream]
        for record_id, stamp in list(self.current.items()):
            record = store.get(record_id)
            if record is None or record.body is None or record.updated_at != stamp:
                del self.current[record_id]

    def dropped(self, sandbox: Sandbox) -> set[str]:
        """The injected records that vanished upstream without a tombstone: nothing reads them
        again, so their quarantine entries stay open."""
        return {i for i in self.injected if sandbox.stores[self.stream].get(i) is None}


def delete_with_tenders(sandbox: Sandbox) -> None:
    """Delete (or drop) the bids, candidates and awards of deleted (or dropped) tenders."""
    tenders, now = sandbox.stores["tenders"], sandbox.now()
    for name in TENDER_CHILDREN:
        store = sandbox.stores[name]
        for record in store.live():
            assert record.body is not None
            parent = tenders.get(str(record.body["tenderId"]))
            if parent is None:
                store.remove(record.id)
            elif parent.body is None:
                store.put(StoredRecord(record.id, max(now, record.updated_at), None))


class Checker:
    """Runs one source of a world and checks what must hold after every run."""

    def __init__(self, world: SyncWorld, source: str) -> None:
        self.world = world
        self.source = source
        self.watermarks: dict[str, datetime | None] = {}
        self.breaker_time = 0.0
        # The breaker counts real seconds; scheduled runs are SCHEDULE_GAP apart, which the test
        # clock cannot pass (request signatures are checked against real time). A breaker opened
        # by one run is thus half-open at the next, as in production.
        world.manager.client(source).breaker = CircuitBreaker(
            source=source, clock=lambda: self.breaker_time
        )

    async def run(self, *, full: bool) -> RunReport:
        self.breaker_time += SCHEDULE_GAP
        report = await self.world.run(self.source, full=full)
        assert report.status in FINAL, report
        event(f"{'full' if full else 'incremental'} run {report.status.value}")
        async with self.world.sessionmaker() as session:
            row = await session.get(SyncRun, report.run_id)
        assert row is not None and row.status is report.status and row.finished_at is not None
        marks = await read_watermarks(self.world.sessionmaker, self.source)
        for stream, before in self.watermarks.items():
            after = marks.get(stream)
            assert before is None or (after is not None and after >= before), (
                stream,
                before,
                after,
            )
        self.watermarks = marks
        return report


@settings(
    max_examples=10,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
async def test_store_equals_truth_after_random_faults_and_one_clean_run(
    scratch: ScratchDatabases, data: st.DataObject
) -> None:
    """After any schedule of faulty runs, one clean run leaves the store equal to the upstream,
    no watermark ever went backwards, and the quarantine holds exactly the bad records."""
    source = data.draw(st.sampled_from(SOURCES), label="source")
    world = await make_world(scratch, sources=[source])
    try:
        await _check_schedule(world, source, data)
    finally:
        await world.dispose()


async def _check_schedule(world: SyncWorld, source: str, data: st.DataObject) -> None:
    sandbox = world.sandboxes[source]
    shape = {
        "deletions": data.draw(st.integers(0, 3), label="deletions"),
        "equal_timestamp_groups": data.draw(st.integers(0, 2), label="equal_timestamp_groups"),
    }
    sandbox.set_faults(Faults(**shape))  # rebuilds the data once, before any sync
    upstream_keeps_references(sandbox, source)
    bad_stream = data.draw(st.sampled_from(LEAF_STREAMS[source]), label="bad stream")
    live = {r.id: r.updated_at for r in sandbox.stores[bad_stream].live()}
    (spec,) = (s for s in world.streams(source) if s.name == bad_stream)
    first_page = [r.id for r in sandbox.stores[bad_stream].ordered()[: spec.page_size] if r.body]
    picked = data.draw(
        st.sets(st.sampled_from(first_page), max_size=math.floor(BAD_SHARE * len(live))),
        label="bad ids",
    )
    bad = BadRecords(bad_stream, {i: live[i] for i in picked}, injected=set(picked))
    plans = data.draw(st.lists(run_plans, min_size=1, max_size=5), label="schedule")

    checker = Checker(world, source)
    dropped = False
    for plan in plans:
        bad.retire_changed(sandbox)
        burst: set[str] = set()
        if plan.burst:
            others = sorted(set(live) - set(picked))
            burst = set(others[:: round(1 / BURST_SHARE)])
            bad.injected |= burst
        wrong = frozenset(bad.current) | burst
        sandbox.set_faults(Faults(**shape, **plan.faults, wrong_type_ids=wrong))
        await checker.run(full=plan.full)
        touch_records(sandbox, bad_stream, burst)  # valid new versions replace the burst
        world.clock.advance(seconds=plan.advance)
        changes = sandbox.mutate(**plan.changes)
        upstream_keeps_references(sandbox, source)
        dropped = dropped or any(c["dropped"] for c in changes.values())
        world.clock.advance(seconds=plan.advance)

    bad.retire_changed(sandbox)
    sandbox.set_faults(Faults(**shape, wrong_type_ids=frozenset(bad.current)))
    if dropped:
        full = await checker.run(full=True)
        assert full.status is SyncRunStatus.SUCCEEDED, full.error
        world.clock.advance(seconds=5)
    clean = await checker.run(full=False)
    assert clean.status is SyncRunStatus.SUCCEEDED, clean.error

    await world.assert_store_equals_truth(source)
    await _check_after_clean_run(world, source, clean, bad)


def upstream_keeps_references(sandbox: Sandbox, source: str) -> None:
    if source == "tender":
        delete_with_tenders(sandbox)


async def _check_after_clean_run(
    world: SyncWorld, source: str, clean: RunReport, bad: BadRecords
) -> None:
    truth = world.sandboxes[source].truth()
    async with world.sessionmaker() as session:
        running = await session.scalar(
            sa.select(sa.func.count()).where(SyncRun.status == SyncRunStatus.RUNNING)
        )
        window_upper = await session.scalar(
            sa.select(SyncRun.window_upper).where(SyncRun.id == clean.run_id)
        )
        states = (
            await session.scalars(
                sa.select(SyncStreamState).where(SyncStreamState.source == source)
            )
        ).all()
        held = (
            await session.scalars(
                sa.select(QuarantinedRecord).where(
                    QuarantinedRecord.source == source, QuarantinedRecord.resolved_at.is_(None)
                )
            )
        ).all()
    assert running == 0
    # Every window of the clean run completed: no checkpoint left, every watermark at its bound.
    assert {s.stream for s in states} == set(truth)
    for state in states:
        assert (state.watermark, state.window_upper, state.next_token) == (window_upper, None, None)

    # The open quarantine: one entry per bad record live upstream, with its payload and reason;
    # besides, only bad records that vanished upstream without a tombstone (never read again).
    still_bad = set(truth[bad.stream].wrong_typed)
    assert still_bad == set(bad.current) & set(truth[bad.stream].live)
    entries = Counter((q.stream, q.source_id) for q in held)
    assert all(n == 1 for n in entries.values()), entries.most_common(3)
    ids = {source_id for _, source_id in entries}
    assert still_bad <= ids, sorted(still_bad - ids)
    dropped = bad.dropped(world.sandboxes[source])
    assert ids <= still_bad | dropped, sorted(ids - still_bad - dropped)
    assert all(q.stream == bad.stream and q.reason and q.payload for q in held)
