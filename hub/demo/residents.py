"""Demo owners and occupants of the compounds, and their residential credit records (R11).

Names, phone numbers and ID numbers are generated (the ID numbers are valid but belong to nobody).
The credit records are kept by the community, so each names the community's member unit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import partial

from hub.demo.common import IN_USE, Context, Row, add_years, random_date
from hub.demo.geography import Geography
from hub.demo.identities import mobile, person_name, pick_unique, resident_id
from hub.domain.enums import OwnerCreditCategory, OwnerCreditStatus, ResidentKind

CREDIT_RECORD_SHARE = 0.03  # of residents with a credit record
_CATEGORY_WEIGHTS = {
    OwnerCreditCategory.UNPAID_FEES: 40,
    OwnerCreditCategory.COVENANT_BREACH: 12,
    OwnerCreditCategory.ILLEGAL_CONSTRUCTION: 12,
    OwnerCreditCategory.FIRE_LANE_BLOCKING: 12,
    OwnerCreditCategory.THROWING_FROM_HEIGHT: 8,
    OwnerCreditCategory.COMMENDATION: 16,
}
_STATUS_WEIGHTS = {
    OwnerCreditStatus.ACTIVE: 80,
    OwnerCreditStatus.RESTORED: 12,
    OwnerCreditStatus.OBJECTION_PENDING: 8,
}


@dataclass(slots=True)
class Residents:
    """The rows of the two tables, and the owners of each compound (for committee members)."""

    residents: list[Row] = field(default_factory=list)
    owner_credit_records: list[Row] = field(default_factory=list)
    owners_of: dict[int, list[Row]] = field(default_factory=dict)  # compound id → owner rows


def build_residents(ctx: Context, geo: Geography) -> Residents:
    """About 20 residents per compound; about 3% of them with one or two credit records."""
    rng = ctx.rng("residents")
    out = Residents()
    id_numbers: set[str] = set()
    for compound in geo.compounds:
        homes: set[str] = set()
        buildings = max(2, compound["households"] // 90)
        floors = 6 if compound["built_year"] < 2006 else 26
        make_home = partial(_home, buildings=buildings, floors=floors)
        owners = out.owners_of.setdefault(compound["id"], [])
        for _ in range(rng.randint(14, 26)):
            home = pick_unique(rng, make_home, homes)
            building, room = home.split(" ")
            kind = ResidentKind.OCCUPANT if rng.random() < 0.12 else ResidentKind.OWNER
            ctx.add(
                out.residents,
                compound_id=compound["id"],
                kind=kind,
                name=person_name(rng),
                id_number=pick_unique(rng, resident_id, id_numbers),
                phone=mobile(rng),
                building=building,
                room=room,
                floor_area=round(rng.uniform(60, 180), 2),
                **IN_USE,
            )
            if kind is ResidentKind.OWNER:
                owners.append(out.residents[-1])

    community_of = {c["id"]: c["community_id"] for c in geo.compounds}
    for resident in out.residents:
        if rng.random() < CREDIT_RECORD_SHARE:
            unit_id = geo.unit_of[community_of[resident["compound_id"]]]
            for _ in range(rng.choice((1, 1, 2))):
                _credit_record(ctx, rng, out, resident["id"], unit_id)
    return out


def _home(rng: random.Random, *, buildings: int, floors: int) -> str:
    # "3号楼 2-1202": building 3, entrance (单元) 2, floor 12, flat 02.
    floor, flat = rng.randint(1, floors), rng.randint(1, 4)
    return f"{rng.randint(1, buildings)}号楼 {rng.randint(1, 4)}-{floor}{flat:02d}"


def _credit_record(
    ctx: Context, rng: random.Random, out: Residents, resident_id: int, unit_id: int
) -> None:
    category = rng.choices(list(_CATEGORY_WEIGHTS), weights=list(_CATEGORY_WEIGHTS.values()))[0]
    recorded_on = random_date(rng, add_years(ctx.today, -3), ctx.today)
    if category is OwnerCreditCategory.UNPAID_FEES:
        # Unpaid fees are recorded only on a legally effective ruling of the banner's court.
        ruled_in = recorded_on.year - rng.choice((0, 0, 1))
        basis = f"（{ruled_in}）蒙0627民初{rng.randint(100, 9999)}号判决"
    else:
        basis = "社区核实"
    ctx.add(
        out.owner_credit_records,
        resident_id=resident_id,
        category=category,
        basis=basis,
        recorded_on=recorded_on,
        valid_until=add_years(recorded_on, 2),
        status=rng.choices(list(_STATUS_WEIGHTS), weights=list(_STATUS_WEIGHTS.values()))[0],
        recorded_by_id=unit_id,
        ended_on=None,  # a restoration's day: set by the committee workflows' demo
    )
