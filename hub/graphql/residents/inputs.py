"""The inputs of the resident mutations: the columns of the `residents` import."""

from __future__ import annotations

import strawberry

from hub.domain.pii import PHONE_RULE
from hub.graphql.residents.types import ResidentKindEnum


@strawberry.input(description="A new resident: an owner or occupant of a home in a compound.")
class ResidentCreateInput:
    compound_code: str = strawberry.field(
        description="Code of the compound (in your jurisdiction)."
    )
    kind: ResidentKindEnum = strawberry.field(description="Owner (业主) or occupant (使用人).")
    name: str = strawberry.field(description="Full name (≤ 50; personal data: stored sealed).")
    id_number: str = strawberry.field(
        description="Resident ID number, checked by GB 11643 (personal data: stored sealed, "
        "found by its blind index)."
    )
    phone: str | None = strawberry.field(
        default=None, description=f"Phone (personal data: stored sealed): {PHONE_RULE}."
    )
    building: str = strawberry.field(description="Building (楼栋, ≤ 20).")
    room: str = strawberry.field(description="Room (房号, ≤ 20).")
    floor_area: float | None = strawberry.field(
        default=None, description="Floor area of the home in m² (≥ 0; 0 when unknown)."
    )


@strawberry.input(
    description="Changes to a resident: only the fields given change (not the compound: a "
    "home in another compound is another resident)."
)
class ResidentUpdateInput:
    kind: ResidentKindEnum | None = strawberry.field(
        default=strawberry.UNSET, description="Owner or occupant."
    )
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Full name.")
    id_number: str | None = strawberry.field(
        default=strawberry.UNSET, description="Resident ID number (GB 11643)."
    )
    phone: str | None = strawberry.field(
        default=strawberry.UNSET, description="Phone; null removes it."
    )
    building: str | None = strawberry.field(default=strawberry.UNSET, description="Building.")
    room: str | None = strawberry.field(default=strawberry.UNSET, description="Room.")
    floor_area: float | None = strawberry.field(
        default=strawberry.UNSET, description="Floor area in m²."
    )
