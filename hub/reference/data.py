"""The banner's reference data as values: the places and member units of ``banner.json``.

``banner.json`` (shipped in the package) holds the real names and the codes; this module reads
it into frozen dataclasses and checks that it is whole (every code unique, every parent and
jurisdiction named in the file). ``hub init`` loads it into a store (``hub.reference.loading``),
and the demo data takes the same places and units from it (``hub.demo.places``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from hub.domain.enums import JurisdictionLevel, TownKind, UnitRole, UtilityKind

DATA_FILE = "banner.json"
COMPETENT_DEPARTMENT = "zjj"
"""Code of 住建局, the competent department: the unit whose key `hub init` prints."""


@dataclass(frozen=True, slots=True)
class Place:
    """A jurisdiction of the reference data: the banner, a town-level unit or a community."""

    code: str
    name: str
    level: JurisdictionLevel
    parent_code: str | None
    town_kind: TownKind | None = None


@dataclass(frozen=True, slots=True)
class Unit:
    """A member unit of the joint conference (R1) and the jurisdiction it works in."""

    code: str
    name: str
    role: UnitRole
    jurisdiction_code: str
    utility_kind: UtilityKind | None = None


@dataclass(frozen=True, slots=True)
class ReferenceData:
    """The banner, its town-level units and listed communities, and the member units."""

    banner: Place
    towns: tuple[Place, ...]
    communities: tuple[Place, ...]
    units: tuple[Unit, ...]
    notes: tuple[str, ...] = ()

    @property
    def places(self) -> tuple[Place, ...]:
        """Every place, each after its parent (the order to insert them in)."""
        return (self.banner, *self.towns, *self.communities)

    def unit_of(self, place_code: str, role: UnitRole) -> Unit:
        """The member unit of this role that works in the place (a town's government …)."""
        for unit in self.units:
            if unit.jurisdiction_code == place_code and unit.role is role:
                return unit
        raise KeyError(f"no {role.value} unit works in {place_code}")

    def unit(self, code: str) -> Unit:
        """The member unit with this code."""
        for unit in self.units:
            if unit.code == code:
                return unit
        raise KeyError(code)

    def communities_of(self, town_code: str) -> tuple[Place, ...]:
        """The listed communities of a town, by code."""
        return tuple(sorted((c for c in self.communities if c.parent_code == town_code), key=_code))


def _code(place: Place) -> str:
    return place.code


class ReferenceDataError(ValueError):
    """The reference data file is not whole (a duplicate code, an unknown parent …)."""


def parse(document: dict[str, Any]) -> ReferenceData:
    """The reference data of a decoded ``banner.json``; ``ReferenceDataError`` if not whole."""
    try:
        return _checked(_parse(document))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ReferenceDataError):
            raise
        raise ReferenceDataError(f"{DATA_FILE}: malformed ({type(exc).__name__}: {exc})") from exc


def _parse(document: dict[str, Any]) -> ReferenceData:
    banner_doc = document["banner"]
    banner = Place(banner_doc["code"], banner_doc["name"], JurisdictionLevel.BANNER, None)
    towns, communities, units = [], [], []
    for town in document["towns"]:
        towns.append(
            Place(
                town["code"],
                town["name"],
                JurisdictionLevel.TOWN,
                banner.code,
                TownKind(town["kind"]),
            )
        )
        units.append(Unit(town["unit"]["code"], town["unit"]["name"], UnitRole.TOWN, town["code"]))
    for community in document["communities"]:
        communities.append(
            Place(
                community["code"], community["name"], JurisdictionLevel.COMMUNITY, community["town"]
            )
        )
        unit = community["unit"]
        units.append(Unit(unit["code"], unit["name"], UnitRole.COMMUNITY, community["code"]))
    for unit in document["banner_units"]:
        kind = unit.get("utility")
        units.append(
            Unit(
                unit["code"],
                unit["name"],
                UnitRole(unit["role"]),
                banner.code,
                UtilityKind(kind) if kind else None,
            )
        )
    return ReferenceData(
        banner=banner,
        towns=tuple(towns),
        communities=tuple(communities),
        units=tuple(units),
        notes=tuple(document.get("notes", ())),
    )


def _checked(data: ReferenceData) -> ReferenceData:
    problems = []
    codes = [place.code for place in data.places]
    problems += [f"place code {c} twice" for c in sorted({c for c in codes if codes.count(c) > 1})]
    unit_codes = [unit.code for unit in data.units]
    problems += [
        f"unit code {c} twice" for c in sorted({c for c in unit_codes if unit_codes.count(c) > 1})
    ]
    towns = {town.code for town in data.towns}
    problems += [
        f"community {c.code}: no town {c.parent_code}"
        for c in data.communities
        if c.parent_code not in towns
    ]
    problems += [
        f"unit {u.code}: no place {u.jurisdiction_code}"
        for u in data.units
        if u.jurisdiction_code not in set(codes)
    ]
    problems += [
        f"utility unit {u.code} has no utility kind"
        for u in data.units
        if (u.role is UnitRole.UTILITY) != (u.utility_kind is not None)
    ]
    competent = UnitRole.COMPETENT_DEPARTMENT
    if not any(u.code == COMPETENT_DEPARTMENT and u.role is competent for u in data.units):
        problems.append(f"no competent department {COMPETENT_DEPARTMENT}")
    if problems:
        raise ReferenceDataError(f"{DATA_FILE}: " + "; ".join(problems))
    return data


@lru_cache(maxsize=1)
def reference_data() -> ReferenceData:
    """The banner's reference data, read once from the package's ``banner.json``."""
    text = resources.files("hub.reference").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse(json.loads(text))
