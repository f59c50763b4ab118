"""The world the sandboxes serve, handed in by whoever starts them, and its look-ups.

A sandbox knows nothing of where its data comes from: the caller passes the app factories an
object that is a ``World`` — plain rows named like the hub's tables, the words and names the
upstreams use for what they create later, and the credit grades the Ordos platform publishes.
The hub builds one from its demo data set (``hub.demo.world``), so that the upstreams and the
demo store agree on USCCs and compounds (town code + name).

Nothing here is computed with the hub's rules: a sandbox is the oracle of the connector tests,
and an oracle that shared the code under test would agree with its mistakes. The grades, for
one, are data (``World.published_grades``), as a real platform publishes them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

Row = dict[str, Any]
"""A row of the world: column name → value, as the hub's demo data set writes it."""
Compound = tuple[str, str]
"""A compound as upstreams name it: (town code, compound name)."""


class World(Protocol):
    """What the sandboxes serve: the data, the day it was made for, the seed of their own
    randomness (the same world gives the same records and the same faults), and how the
    upstreams name and word what they create later."""

    @property
    def seed(self) -> int:
        """Seed of the sandboxes' randomness (the one the data was made with)."""
        ...

    @property
    def today(self) -> date:
        """The day the data was made for: every record was last changed before it."""
        ...

    @property
    def tables(self) -> Mapping[str, Sequence[Row]]:
        """Rows by table name (``enterprises``, ``tenders``, ``assessments`` …); a row with a
        ``source`` is a record of that upstream, under its ``source_id``."""
        ...

    @property
    def published_grades(self) -> Mapping[float, str]:
        """The grade the Ordos platform publishes with each score it may give (one decimal):
        the platform grades, the sandbox looks the grade up. New grades draw scores between
        the lowest and the highest of these."""
        ...

    @property
    def good_titles(self) -> Sequence[str]:
        """事由 of good credit records."""
        ...

    @property
    def bad_titles(self) -> Sequence[str]:
        """事由 of bad credit records."""
        ...

    @property
    def inspection_items(self) -> Sequence[tuple[str, str]]:
        """(code, name) of the deduction items of a daily inspection."""
        ...

    @property
    def inspection_notes(self) -> Sequence[str | None]:
        """整改情况 notes of a deduction."""
        ...

    def uscc(self, rng: random.Random, *, area_code: str, founded_on: date) -> str:
        """A new, valid USCC of an enterprise registered in the area on that day."""
        ...

    def brand(self, rng: random.Random) -> str:
        """The distinctive part (字号) of a new enterprise's name."""
        ...

    def person_name(self, rng: random.Random) -> str:
        """A person's name (a legal representative)."""
        ...


@dataclass(frozen=True, slots=True)
class WorldIndex:
    """A world with the look-ups every sandbox needs."""

    world: World
    uscc: dict[int, str]
    """Enterprise id → USCC."""
    compound: dict[int, Compound]
    """Compound id → (town code, name)."""
    compound_rows: Sequence[Row]
    unit_name: dict[int, str]
    """Member unit id → name."""
    tender_code: dict[int, str]
    """Tender id → code."""
    items_of: dict[int, list[Row]]
    """Assessment id → its items."""
    active_usccs: tuple[str, ...]
    """USCCs of the ACTIVE enterprises, in id order."""

    @property
    def today(self) -> date:
        """The day the world was made for."""
        return self.world.today

    def rows(self, table: str) -> Sequence[Row]:
        """The world's rows of a table."""
        return self.world.tables[table]

    @property
    def midnight(self) -> datetime:
        """Start of ``today`` in UTC: every built record was last changed before it."""
        return datetime.combine(self.today, time(0, 0), tzinfo=UTC)

    def stamp(self, rng: random.Random, basis: date | datetime) -> datetime:
        """When the upstream last changed a record about ``basis``: a little after, before today.

        Whole milliseconds, like the stamps the upstream sends.
        """
        start = basis if isinstance(basis, datetime) else datetime.combine(basis, time(0, 0), UTC)
        moment = start + timedelta(seconds=rng.randint(600, 3 * 86_400))
        latest = self.midnight - timedelta(seconds=1)
        if moment > latest:
            # Close to today, or about a day still to come (a contract's end): the last change
            # was between the basis and today where there is room, else in the last hours.
            room = latest - start
            if room > timedelta(0):
                moment = start + room * rng.random()
            else:
                moment = latest - timedelta(seconds=rng.randint(0, 3600))
        return moment.replace(microsecond=rng.randrange(1000) * 1000)


def index_of(world: World) -> WorldIndex:
    """The look-ups of a world (cheap: the rows are the caller's, shared read-only)."""
    tables = world.tables
    town_code = {j["id"]: j["code"] for j in tables["jurisdictions"]}
    items_of: dict[int, list[Row]] = {}
    for item in tables["assessment_items"]:
        items_of.setdefault(item["assessment_id"], []).append(item)
    enterprises, compounds = tables["enterprises"], tables["compounds"]
    return WorldIndex(
        world=world,
        uscc={e["id"]: e["uscc"] for e in enterprises},
        compound={c["id"]: (town_code[c["town_id"]], c["name"]) for c in compounds},
        compound_rows=compounds,
        unit_name={u["id"]: u["name"] for u in tables["member_units"]},
        tender_code={t["id"]: t["code"] for t in tables["tenders"]},
        items_of=items_of,
        active_usccs=tuple(e["uscc"] for e in enterprises if e["status"] == "ACTIVE"),
    )


def day(value: date | None) -> str | None:
    """A day as the upstreams write it (ISO 8601), or None."""
    return value.isoformat() if value is not None else None
