"""Staleness: the "store first" rule's promise that an answer says how old its synced data is.

Queries are answered from the store; a dead upstream never breaks them, it only makes the synced
copies stale. A copy is fresh while its source vouches for it: when it was synced, or later, when
a completed sync of its source confirmed it unchanged (a record that did not change upstream is
not written again). Older than the source's maximum age, it is stale.

- ``confirmed_at``: until when a source confirmed its records, from its streams' last completed
  windows (the oldest of them; none if a stream never completed);
- ``is_stale``: whether a copy, or a source as a whole, is older than the source's maximum age.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta


def confirmed_at(last_successes: Iterable[datetime | None]) -> datetime | None:
    """Until when a source confirmed its records: the oldest of its streams' last completed
    windows. None when it has no stream yet, or when one of them never completed (the records
    of that stream were never confirmed)."""
    times = list(last_successes)
    if not times or any(t is None for t in times):
        return None
    return min(t for t in times if t is not None)


def is_stale(
    *,
    synced_at: datetime | None,
    confirmed_at: datetime | None,
    now: datetime,
    max_age: timedelta,
) -> bool:
    """Whether data is older than ``max_age`` at ``now``: the newer of when it was synced and
    when its source last confirmed it counts. With neither (a source that never completed a
    sync), nothing vouches for it: it is stale.

    A record entered in the hub is no copy and is never stale; callers ask only of synced ones.
    """
    times = [t for t in (synced_at, confirmed_at) if t is not None]
    if not times:
        return True
    return now - max(times) > max_age
