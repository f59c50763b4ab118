"""A sandbox's state: its streams' records, faults, clock and seeded randomness.

One ``Sandbox`` backs one fake upstream app and is also its handle for in-process tests
(``app.state.sandbox``): ``truth()`` says what the upstream holds, ``mutate()`` changes it as the
upstream would, ``set_faults()`` and ``reset()`` do what the admin endpoints do.

Everything random is drawn from ``random.Random`` seeded with the sandbox's seed and a topic, and
"now" comes from the injected ``clock``: the same calls give the same data and the same faults.
"""

from __future__ import annotations

import asyncio
import copy
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from connectors.sandbox.faults import Faults, FaultSchedule
from connectors.sandbox.paging import PagingKind
from connectors.sandbox.records import Body, RecordStore, StoredRecord, iso, to_millis

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]

EXTRA_RECORDS_DAYS = 30  # extra records were last changed over the month before today


def utc_now() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class MakeContext:
    """What a stream's ``make`` gets: randomness, the new record's serial and time, the sandbox."""

    rng: random.Random
    serial: int
    """1, 2, 3 … for the records made in this stream since the build: for new ids."""
    built: int
    """How many records the build gave the stream (new ids may continue after them)."""
    now: datetime
    sandbox: Sandbox


Make = Callable[[MakeContext], tuple[str, Body] | None]
"""A new record (id, body) as the upstream would create it, or None when none fits."""
Touch = Callable[[Body, random.Random, datetime], Body]
"""An update of a record as the upstream would make it (gets a copy, returns the new body)."""


@dataclass(frozen=True, slots=True)
class StreamDef:
    """How a sandbox serves one stream and how its records change."""

    name: str
    path: str
    paging: PagingKind
    wrong_field: str
    """The field served with a wrong type for the records in ``Faults.wrong_type_ids``."""
    touch: Touch
    make: Make
    next_link: bool = False
    """Cursor paging: also give a full ``nextLink``."""


@dataclass(frozen=True, slots=True)
class StreamTruth:
    """What the upstream holds for one stream now."""

    live: dict[str, datetime]
    """Id → updatedAt of every record not deleted."""
    deleted: dict[str, datetime]
    """Id → updatedAt of every tombstone."""
    wrong_typed: frozenset[str]
    """Live records served with a wrong-typed field (a correct client quarantines them)."""

    def to_json(self) -> dict[str, Any]:
        """The truth as JSON: ids with their ISO stamps, wrong-typed ids sorted."""
        return {
            "live": {k: iso(v) for k, v in self.live.items()},
            "deleted": {k: iso(v) for k, v in self.deleted.items()},
            "wrongTyped": sorted(self.wrong_typed),
        }


Build = Callable[[], Mapping[str, Iterable[StoredRecord]]]
"""The initial records of each stream, the same on every call."""


class Sandbox:
    """The records, faults and clock of one fake upstream."""

    def __init__(
        self,
        *,
        name: str,
        streams: Sequence[StreamDef],
        build: Build,
        seed: int,
        today: date,
        faults: Faults | None = None,
        clock: Clock = utc_now,
        sleep: Sleep = asyncio.sleep,
        extra_records: int = 0,
        extra_stream: str | None = None,
    ) -> None:
        self.name = name
        self.streams = {s.name: s for s in streams}
        if extra_records and extra_stream not in self.streams:
            raise ValueError(f"extra_stream must be one of {', '.join(self.streams)}")
        self.seed = seed
        self.today = today
        self.clock = clock
        self.sleep = sleep
        self.extra_records = extra_records
        self.extra_stream = extra_stream
        self._build = build
        self._faults = faults or Faults()
        self.stores: dict[str, RecordStore] = {}
        self.reset()

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}={len(store)}" for name, store in self.stores.items())
        return f"<Sandbox {self.name} {counts}>"

    # -- state ---------------------------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        """The faults in force."""
        return self._faults

    def set_faults(self, faults: Faults) -> bool:
        """Replace the faults; True when the data knobs changed and the data was rebuilt."""
        rebuild = faults.data_shape() != self._faults.data_shape()
        self._faults = faults
        if rebuild:
            self.reset()
        else:
            self.schedule = FaultSchedule(faults, seed=f"{self.seed}/{self.name}")
        return rebuild

    def reset(self) -> None:
        """Back to the built data, with the current faults and fresh random streams."""
        built = self._build()
        self.stores = {name: RecordStore(built.get(name, ())) for name in self.streams}
        self._serial = dict.fromkeys(self.streams, 0)
        self._built = {name: len(store) for name, store in self.stores.items()}
        self._rng = random.Random(f"{self.seed}/{self.name}/mutations")
        if self.extra_records and self.extra_stream:
            self._add_extras(self.extra_stream, self.extra_records)
        self._shape(self._faults)
        self.schedule = FaultSchedule(self._faults, seed=f"{self.seed}/{self.name}")

    def now(self) -> datetime:
        """The upstream's now, in whole milliseconds."""
        return to_millis(self.clock())

    def truth(self) -> dict[str, StreamTruth]:
        """Per stream: live records, tombstones and wrong-typed records, as they are now."""
        out = {}
        for name, store in self.stores.items():
            live = {r.id: r.updated_at for r in store.live()}
            out[name] = StreamTruth(
                live=live,
                deleted={r.id: r.updated_at for r in store.deleted()},
                wrong_typed=frozenset(i for i in self._faults.wrong_type_ids if i in live),
            )
        return out

    def serve(self, stream: StreamDef, record: StoredRecord) -> Body:
        """The record as the upstream sends it, with the faults' new field and wrong types."""
        if record.body is None:
            return {"id": record.id, "deleted": True, "updatedAt": iso(record.updated_at)}
        out = {"id": record.id, **record.body, "updatedAt": iso(record.updated_at)}
        if self._faults.new_field:
            out.setdefault(self._faults.new_field, "sandbox")
        if record.id in self._faults.wrong_type_ids:
            out[stream.wrong_field] = wrong_typed(out.get(stream.wrong_field))
        return out

    # -- changes -------------------------------------------------------------------------------

    def mutate(
        self,
        *,
        updates: int = 0,
        deletes: int = 0,
        inserts: int = 0,
        drops: int = 0,
        stream: str | None = None,
    ) -> dict[str, dict[str, list[str]]]:
        """Change records as the upstream would, stamped now; in one stream or in each.

        ``deletes`` leave tombstones; ``drops`` make records vanish without one (only a full
        reconciliation notices). Returns per stream the ids updated, deleted, dropped, inserted.
        """
        if stream is not None and stream not in self.streams:
            raise ValueError(f"unknown stream {stream!r}")
        now = self.now()
        changes = {}
        for name in [stream] if stream else list(self.streams):
            store = self.stores[name]
            live = store.live()
            picked = self._rng.sample(live, min(updates + deletes + drops, len(live)))
            updated = self._touch(name, picked[:updates], now)
            deleted = picked[updates : updates + deletes]
            dropped = picked[updates + deletes :]
            for record in deleted:
                store.put(StoredRecord(record.id, now, None))
            for record in dropped:
                store.remove(record.id)
            changes[name] = {
                "updated": updated,
                "deleted": [r.id for r in deleted],
                "dropped": [r.id for r in dropped],
                "inserted": self._insert(name, inserts, now),
            }
        return changes

    def mutate_window(self, stream: str, window: range, count: int) -> list[str]:
        """Update ``count`` live records of a window being paged (they move to now)."""
        ordered = self.stores[stream].ordered()
        live = [ordered[i] for i in window if ordered[i].body is not None]
        picked = self._rng.sample(live, min(count, len(live)))
        return self._touch(stream, picked, self.now())

    def _touch(self, stream: str, records: Iterable[StoredRecord], now: datetime) -> list[str]:
        store, touch = self.stores[stream], self.streams[stream].touch
        ids = []
        for record in records:
            assert record.body is not None  # only live records are picked
            body = touch(copy.deepcopy(record.body), self._rng, now)
            store.put(StoredRecord(record.id, now, body))
            ids.append(record.id)
        return ids

    def _insert(self, stream: str, count: int, now: datetime) -> list[str]:
        return [
            record.id
            for record in (self._make(stream, now, self._rng) for _ in range(count))
            if record is not None
        ]

    def _make(self, stream: str, now: datetime, rng: random.Random) -> StoredRecord | None:
        self._serial[stream] += 1
        context = MakeContext(rng, self._serial[stream], self._built[stream], now, self)
        made = self.streams[stream].make(context)
        store = self.stores[stream]
        if made is None or made[0] in store:
            return None
        record = StoredRecord(made[0], now, made[1])
        store.put(record)
        return record

    def _add_extras(self, stream: str, count: int) -> None:
        # Cheap enough for a 100,000-record benchmark: bodies are small, made in one pass.
        rng = random.Random(f"{self.seed}/{self.name}/extras")
        end = datetime.combine(self.today, time(0, 0), tzinfo=UTC)
        span_ms = EXTRA_RECORDS_DAYS * 86_400_000
        for _ in range(count):
            at = end - timedelta(milliseconds=rng.randint(1, span_ms))
            self._make(stream, at, rng)

    def _shape(self, faults: Faults) -> None:
        """Apply the data knobs: equal-timestamp groups, then deletions, in every stream."""
        rng = random.Random(f"{self.seed}/{self.name}/shape")
        end = datetime.combine(self.today, time(0, 0), tzinfo=UTC)
        for store in self.stores.values():
            for _ in range(faults.equal_timestamp_groups):
                ordered = store.ordered()
                if len(ordered) < 2:
                    break
                start = rng.randrange(len(ordered) - 1)
                group = ordered[start : start + faults.equal_timestamp_size]
                for record in group:
                    store.put(StoredRecord(record.id, group[0].updated_at, record.body))
            live = store.live()
            for record in rng.sample(live, min(faults.deletions, len(live))):
                gap = max(end - record.updated_at, timedelta(milliseconds=2))
                at = to_millis(record.updated_at + gap * rng.uniform(0.01, 0.99))
                store.put(StoredRecord(record.id, max(at, record.updated_at), None))


def wrong_typed(value: Any) -> Any:
    """A value of the wrong JSON type for ``value``: a number as text, text as a number …"""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        digits = "".join(ch for ch in value if ch.isdigit())
        return int(digits) if digits else 0
    if value is None:
        return []
    return "[object]"
