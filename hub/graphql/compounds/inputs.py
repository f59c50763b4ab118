"""The inputs of the compound mutations: the columns of the `compounds` import."""

from __future__ import annotations

from datetime import date

import strawberry


@strawberry.input(description="A new residential compound (住宅小区).")
class CompoundCreateInput:
    code: str = strawberry.field(
        description="Code (≤ 30; by custom the community's code and 3 digits)."
    )
    name: str = strawberry.field(
        description="Name (≤ 100), unique in its town once normalised (民悦A区 = 民悦Ａ区小区)."
    )
    community_code: str = strawberry.field(
        description="Code of its community (in your jurisdiction); its town follows."
    )
    address: str | None = strawberry.field(default=None, description="Street address (≤ 200).")
    households: int | None = strawberry.field(
        default=None, description="Number of households (户数, ≥ 0; 0 when unknown)."
    )
    floor_area: float | None = strawberry.field(
        default=None, description="Total floor area in m² (建筑面积, ≥ 0; 0 when unknown)."
    )
    built_year: int | None = strawberry.field(
        default=None, description="Year of completion (1949 to this year)."
    )
    warranty_end: date | None = strawberry.field(
        default=None, description="End of the developer's warranty (质保期)."
    )


@strawberry.input(
    description="Changes to a compound: only the fields given change; null clears an optional one."
)
class CompoundUpdateInput:
    code: str | None = strawberry.field(default=strawberry.UNSET, description="New code.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name.")
    community_code: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Move to this community (in your jurisdiction); the town follows.",
    )
    address: str | None = strawberry.field(default=strawberry.UNSET, description="New address.")
    households: int | None = strawberry.field(
        default=strawberry.UNSET, description="New number of households."
    )
    floor_area: float | None = strawberry.field(
        default=strawberry.UNSET, description="New total floor area in m²."
    )
    built_year: int | None = strawberry.field(
        default=strawberry.UNSET, description="New year of completion."
    )
    warranty_end: date | None = strawberry.field(
        default=strawberry.UNSET, description="New end of the warranty."
    )
