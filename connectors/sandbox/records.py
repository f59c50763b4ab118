"""The records of one sandbox stream, kept by id and in the upstream's stable order.

A stream is a list of ``StoredRecord`` (id, ``updatedAt``, body) ordered by ``(updatedAt, id)``:
the order every contract promises, which lets a window ``[lower, upper)`` be found by bisection
and paged by index, so that a 100,000-record stream still serves a page in O(log n + page).
A deleted record stays, as a tombstone (``body`` None), so that a pull sees the deletion.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Body = dict[str, Any]
"""The fields of an upstream record other than ``id`` and ``updatedAt``, JSON-ready."""

_MIN_ID = ""  # sorts before every id: (t, _MIN_ID) is the first key at instant t


def to_millis(moment: datetime) -> datetime:
    """The instant in UTC, cut to whole milliseconds (what the upstream's ISO stamps carry)."""
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z``: ``2026-11-24T09:50:40.123Z``."""
    return to_millis(moment).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant with a ``Z`` or an offset; a naive one is refused (ValueError)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("an instant needs a time zone (Z or an offset)")
    return moment.astimezone(UTC)


@dataclass(slots=True)
class StoredRecord:
    """One upstream record as stored; ``body`` None marks a deletion (served as a tombstone)."""

    id: str
    updated_at: datetime
    body: Body | None

    @property
    def deleted(self) -> bool:
        """Whether the upstream deleted the record."""
        return self.body is None

    @property
    def key(self) -> tuple[datetime, str]:
        """Position in the stream's order."""
        return (self.updated_at, self.id)


class RecordStore:
    """Records of one stream by id, with the ``(updatedAt, id)`` order built when first needed."""

    def __init__(self, records: Iterable[StoredRecord] = ()) -> None:
        self._by_id: dict[str, StoredRecord] = {}
        self._ordered: list[StoredRecord] | None = None
        self._keys: list[tuple[datetime, str]] = []
        for record in records:
            self.put(record)

    def __repr__(self) -> str:
        return f"<RecordStore records={len(self._by_id)}>"

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._by_id

    def __iter__(self) -> Iterator[StoredRecord]:
        return iter(self._by_id.values())

    def get(self, record_id: str) -> StoredRecord | None:
        """The record with this id, live or deleted."""
        return self._by_id.get(record_id)

    def put(self, record: StoredRecord) -> None:
        """Add a record or replace the one with its id (records are never changed in place)."""
        self._by_id[record.id] = record
        self._ordered = None

    def remove(self, record_id: str) -> StoredRecord | None:
        """Drop a record without a tombstone, as an upstream that loses data silently does
        (only a full reconciliation notices); the record dropped, if there was one."""
        record = self._by_id.pop(record_id, None)
        self._ordered = None
        return record

    def ordered(self) -> list[StoredRecord]:
        """All records in ``(updatedAt, id)`` order (do not modify the list)."""
        if self._ordered is None:
            self._ordered = sorted(self._by_id.values(), key=lambda r: r.key)
            self._keys = [r.key for r in self._ordered]
        return self._ordered

    def window(self, lower: datetime | None, upper: datetime | None) -> range:
        """Indexes into ``ordered()`` of the records with ``lower <= updatedAt < upper``."""
        self.ordered()
        start = 0 if lower is None else bisect.bisect_left(self._keys, (lower, _MIN_ID))
        stop = (
            len(self._keys) if upper is None else bisect.bisect_left(self._keys, (upper, _MIN_ID))
        )
        return range(start, max(start, stop))

    def index_after(self, key: tuple[datetime, str]) -> int:
        """Index into ``ordered()`` of the first record strictly after ``key``."""
        self.ordered()
        return bisect.bisect_right(self._keys, key)

    def live(self) -> list[StoredRecord]:
        """The records not deleted, in order."""
        return [r for r in self.ordered() if r.body is not None]

    def deleted(self) -> list[StoredRecord]:
        """The tombstones, in order."""
        return [r for r in self.ordered() if r.body is None]
