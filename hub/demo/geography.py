"""Demo jurisdictions, member units and compounds.

The public places of ``hub.demo.places`` come first with ``generated=False``; generated communities
(2–5 per town-level unit other than the seat, more at larger scales) and generated compounds fill
the banner up to about 300 compounds per unit of scale.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from hub.demo import places
from hub.demo.common import IN_USE, LOCAL, Context, Row, add_years
from hub.demo.identities import brand, pick_unique
from hub.domain.enums import JurisdictionLevel, TownKind, UnitRole, UtilityKind
from hub.domain.names import normalize_compound_name

COMPOUNDS_PER_SCALE = 300


@dataclass(frozen=True, slots=True)
class Community:
    """A community and the town-level unit it belongs to."""

    id: int
    code: str
    name: str
    town_id: int
    town_name: str


@dataclass(slots=True)
class Geography:
    """The rows of the three tables, and the look-ups the other builders need."""

    jurisdictions: list[Row] = field(default_factory=list)
    member_units: list[Row] = field(default_factory=list)
    compounds: list[Row] = field(default_factory=list)
    # jurisdiction id → id of the member unit governing it (town government, community …)
    unit_of: dict[int, int] = field(default_factory=dict)
    competent_unit_id: int = 0
    # compound id → the day its homes were handed over (start of the warranty and of service)
    delivered_on: dict[int, date] = field(default_factory=dict)


def build_geography(ctx: Context) -> Geography:
    """Jurisdictions, member units and compounds of the demo banner."""
    rng = ctx.rng("geography")
    geo = Geography()
    banner_id = _jurisdiction(
        ctx, geo, places.BANNER_CODE, places.BANNER_NAME, JurisdictionLevel.BANNER, None
    )
    zjj_code, zjj_name = places.COMPETENT_DEPARTMENT
    geo.competent_unit_id = _unit(
        ctx, geo, zjj_code, zjj_name, UnitRole.COMPETENT_DEPARTMENT, banner_id
    )
    _unit(ctx, geo, *places.INSPECTION_OFFICE, UnitRole.INSPECTION_OFFICE, banner_id)
    for code, name in places.PARTY_PUBLICITY:
        _unit(ctx, geo, code, name, UnitRole.PARTY_PUBLICITY, banner_id)
    for code, name in places.DEPARTMENTS:
        _unit(ctx, geo, code, name, UnitRole.DEPARTMENT, banner_id)

    communities: list[Community] = []
    listed: dict[int, tuple[str, ...]] = {}  # community id → its publicly listed compounds
    for town in places.TOWNS:
        town_id = _jurisdiction(
            ctx, geo, town.code, town.name, JurisdictionLevel.TOWN, banner_id, town_kind=town.kind
        )
        geo.unit_of[town_id] = _unit(
            ctx, geo, f"town-{town.code}", town.unit_name, UnitRole.TOWN, town_id
        )
        names = []
        if town.code == places.SEAT_CODE:
            names = [name for name, _ in places.SEAT_COMMUNITIES]
            extra = 3 * (ctx.scale - 1)
        else:
            extra = rng.randint(2, 5) + 2 * (ctx.scale - 1)
        used = set(names)
        names += [pick_unique(rng, _community_name, used) for _ in range(extra)]
        for number, name in enumerate(names, start=1):
            code = f"{town.code}{number:03d}"
            generated = number > len(places.SEAT_COMMUNITIES) or town.code != places.SEAT_CODE
            community_id = _jurisdiction(
                ctx, geo, code, name, JurisdictionLevel.COMMUNITY, town_id, generated=generated
            )
            geo.unit_of[community_id] = _unit(
                ctx, geo, f"community-{code}", town.name + name, UnitRole.COMMUNITY, community_id
            )
            communities.append(Community(community_id, code, name, town_id, town.name))
            if not generated:
                listed[community_id] = places.SEAT_COMMUNITIES[number - 1][1]

    for kind in UtilityKind:
        name = f"{places.BANNER_NAME}{brand(rng)}{places.UTILITY_TRADES[kind]}"
        _unit(ctx, geo, f"utility-{kind.value.lower()}", name, UnitRole.UTILITY, banner_id, kind)

    _build_compounds(ctx, rng, geo, communities, listed)
    return geo


def _build_compounds(
    ctx: Context,
    rng: random.Random,
    geo: Geography,
    communities: list[Community],
    listed: dict[int, tuple[str, ...]],
) -> None:
    n_generated = max(0, COMPOUNDS_PER_SCALE * ctx.scale - sum(map(len, listed.values())))
    # The seat is the largest town: its communities draw a larger share of the generated ones.
    weights = [1.5 if c.id in listed else 1.0 for c in communities]
    generated_in = Counter(rng.choices(communities, weights=weights, k=n_generated))
    # Compound names are unique by normalised name within a town; the listed ones are taken first.
    used_by_town: dict[int, set[str]] = {}
    for community in communities:
        used = used_by_town.setdefault(community.town_id, set())
        used.update(normalize_compound_name(name) for name in listed.get(community.id, ()))

    for community in communities:
        used = used_by_town[community.town_id]
        names = [(name, False) for name in listed.get(community.id, ())]
        names += [
            (pick_unique(rng, _compound_name, used, key=normalize_compound_name), True)
            for _ in range(generated_in[community])
        ]
        for number, (name, generated) in enumerate(names, start=1):
            _compound(ctx, rng, geo, community, f"{community.code}{number:03d}", name, generated)


def _compound(
    ctx: Context,
    rng: random.Random,
    geo: Geography,
    community: Community,
    code: str,
    name: str,
    generated: bool,
) -> None:
    built_year = round(rng.triangular(1998, 2024, 2012))
    delivered_on = date(built_year, rng.randint(5, 12), rng.randint(1, 28))
    households = int(rng.triangular(80, 2000, 400))
    compound_id = ctx.add(
        geo.compounds,
        code=code,
        name=name,
        normalized_name=normalize_compound_name(name),
        community_id=community.id,
        town_id=community.town_id,
        address=f"{community.town_name}{rng.choice(places.STREETS)}{rng.randint(1, 199)}号",
        households=households,
        floor_area=round(households * rng.uniform(80, 140), 2),
        built_year=built_year,
        # The property warranty (质保期) runs two years from the handover (R4).
        warranty_end=add_years(delivered_on, 2),
        generated=generated,
        **LOCAL,
        **IN_USE,
    )
    geo.delivered_on[compound_id] = delivered_on


def _community_name(rng: random.Random) -> str:
    word = rng.choice(places.COMMUNITY_WORDS)
    side = rng.choice(places.COMMUNITY_SIDES) if rng.random() < 0.3 else ""
    return f"{word}{side}社区"


def _compound_name(rng: random.Random) -> str:
    zone = rng.choice(places.COMPOUND_ZONES) if rng.random() < 0.25 else ""
    return rng.choice(places.COMPOUND_WORDS) + rng.choice(places.COMPOUND_SUFFIXES) + zone


def _jurisdiction(
    ctx: Context,
    geo: Geography,
    code: str,
    name: str,
    level: JurisdictionLevel,
    parent_id: int | None,
    *,
    town_kind: TownKind | None = None,
    generated: bool = False,
) -> int:
    return ctx.add(
        geo.jurisdictions,
        code=code,
        name=name,
        level=level,
        town_kind=town_kind,
        parent_id=parent_id,
        generated=generated,
        **IN_USE,
    )


def _unit(
    ctx: Context,
    geo: Geography,
    code: str,
    name: str,
    role: UnitRole,
    jurisdiction_id: int,
    utility_kind: UtilityKind | None = None,
) -> int:
    return ctx.add(
        geo.member_units,
        code=code,
        name=name,
        role=role,
        jurisdiction_id=jurisdiction_id,
        utility_kind=utility_kind,
        **IN_USE,
    )
