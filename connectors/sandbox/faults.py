"""Fault and data knobs of a sandbox, and the seeded schedule that decides each request's fault.

Transport faults, drawn for each data request that passed auth from a seeded RNG so that a
schedule replays exactly: ``error_rate`` (500), ``rate_limit_rate`` (429 with ``Retry-After:
retry_after``), ``timeout_rate`` (sleep ``timeout_sleep`` seconds, then answer, to trip the
client's read timeout), ``truncate_rate`` (cut the JSON body) and a fixed ``latency``.

Data knobs: ``mutate_during_paging`` (after page 1 of a window, that many of the window's records
change and move to now), ``equal_timestamp_groups`` of ``equal_timestamp_size`` records sharing
one ``updatedAt`` (so they straddle page boundaries), ``new_field`` (an unknown field on every
record), ``wrong_type_ids`` (records served with a wrong-typed field: the bad records) and
``deletions`` (tombstones per stream). Groups and deletions shape the data when it is built:
changing them rebuilds it, like a reset.
"""

from __future__ import annotations

import random
from dataclasses import field
from typing import Any, ClassVar

from pydantic import ConfigDict, Field, TypeAdapter
from pydantic.dataclasses import dataclass

Rate = float


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Faults:
    """What a sandbox does wrong, and how its data is shaped; the defaults do nothing."""

    error_rate: Rate = Field(default=0.0, ge=0, le=1)
    latency: float = Field(default=0.0, ge=0)
    rate_limit_rate: Rate = Field(default=0.0, ge=0, le=1)
    retry_after: int = Field(default=1, ge=0)
    timeout_rate: Rate = Field(default=0.0, ge=0, le=1)
    timeout_sleep: float = Field(default=30.0, ge=0)
    truncate_rate: Rate = Field(default=0.0, ge=0, le=1)
    mutate_during_paging: int = Field(default=0, ge=0)
    equal_timestamp_groups: int = Field(default=0, ge=0)
    equal_timestamp_size: int = Field(default=150, ge=2)
    new_field: str | None = None
    wrong_type_ids: frozenset[str] = field(default_factory=frozenset)
    deletions: int = Field(default=0, ge=0)
    seed: int = 0
    """Seed of the fault schedule (mixed with the sandbox's seed)."""

    DATA_KNOBS: ClassVar[tuple[str, ...]] = (
        "equal_timestamp_groups",
        "equal_timestamp_size",
        "deletions",
    )

    @classmethod
    def from_json(cls, data: Any) -> Faults:
        """Faults from a decoded JSON object; unknown keys and bad values raise ValueError."""
        return _ADAPTER.validate_python(data)

    def to_json(self) -> dict[str, Any]:
        """The faults as a JSON object (``wrong_type_ids`` sorted)."""
        data: dict[str, Any] = _ADAPTER.dump_python(self, mode="json")
        data["wrong_type_ids"] = sorted(self.wrong_type_ids)
        return data

    def data_shape(self) -> tuple[Any, ...]:
        """The knobs that shape the built data; a change of these means a rebuild."""
        return tuple(getattr(self, name) for name in self.DATA_KNOBS)


_ADAPTER = TypeAdapter(Faults)


@dataclass(frozen=True)
class FaultDraw:
    """The faults one request gets."""

    rate_limited: bool
    error: bool
    timeout: bool
    truncate_at: float | None
    """Share of the body to keep when the response is cut."""


class FaultSchedule:
    """Draws each data request's faults from one seeded RNG: same requests, same faults.

    Every draw takes the same number of random numbers whatever the outcome, so the n-th request
    gets the same faults however the earlier ones turned out.
    """

    def __init__(self, faults: Faults, *, seed: str) -> None:
        self.faults = faults
        self._rng = random.Random(f"{seed}/faults/{faults.seed}")
        self.draws = 0

    def __repr__(self) -> str:
        return f"<FaultSchedule draws={self.draws}>"

    def draw(self) -> FaultDraw:
        """The faults of the next request."""
        f, rng = self.faults, self._rng
        rate_limit, error, timeout, truncate, cut = (rng.random() for _ in range(5))
        self.draws += 1
        return FaultDraw(
            rate_limited=rate_limit < f.rate_limit_rate,
            error=error < f.error_rate,
            timeout=timeout < f.timeout_rate,
            truncate_at=0.1 + 0.8 * cut if truncate < f.truncate_rate else None,
        )
