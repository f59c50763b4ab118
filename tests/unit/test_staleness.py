"""Staleness (``hub.domain.staleness``): a synced copy is fresh while its source vouches for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.domain.staleness import confirmed_at, is_stale

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def test_a_source_confirmed_its_records_until_its_oldest_stream_completed() -> None:
    """The oldest of the streams' last completed windows counts; a stream that never completed,
    or no stream at all, means the source confirmed nothing."""
    early, late = NOW - timedelta(hours=5), NOW - timedelta(hours=1)
    assert confirmed_at([late, early]) == early
    assert confirmed_at([late, None]) is None
    assert confirmed_at([]) is None
    assert confirmed_at(iter([late])) == late


def test_a_copy_is_fresh_while_synced_or_confirmed_within_the_maximum_age() -> None:
    """The newer of the sync time and the source's confirmation counts; exactly the maximum age
    is not yet stale."""
    old = NOW - 2 * DAY
    assert is_stale(synced_at=old, confirmed_at=None, now=NOW, max_age=DAY)
    assert not is_stale(synced_at=old, confirmed_at=NOW - timedelta(hours=1), now=NOW, max_age=DAY)
    assert not is_stale(synced_at=NOW - DAY, confirmed_at=old, now=NOW, max_age=DAY)
    assert is_stale(
        synced_at=NOW - DAY - timedelta(seconds=1), confirmed_at=None, now=NOW, max_age=DAY
    )


def test_a_source_that_never_completed_a_sync_is_stale() -> None:
    """With neither a sync time nor a confirmation nothing vouches for the data."""
    assert is_stale(synced_at=None, confirmed_at=None, now=NOW, max_age=DAY)
    assert not is_stale(synced_at=None, confirmed_at=NOW, now=NOW, max_age=DAY)
