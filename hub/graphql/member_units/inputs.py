"""The inputs of the member-unit mutations: the columns of the `member-units` import."""

from __future__ import annotations

import strawberry

from hub.graphql.enums import UnitRole, UtilityKind


@strawberry.input(description="A new member unit of the joint conference.")
class MemberUnitCreateInput:
    code: str = strawberry.field(
        description="Stable code: letters, digits, - and _ (≤ 40), e.g. `town-150627100`."
    )
    name: str = strawberry.field(description="Name (≤ 100).")
    role: UnitRole = strawberry.field(description="Its role; it does not change later.")
    jurisdiction_code: str | None = strawberry.field(
        default=None,
        description="Code of its town (a town's unit) or community (a community's unit); "
        "other roles work banner-wide (the default).",
    )
    utility_kind: UtilityKind | None = strawberry.field(
        default=None, description="What a utility company supplies (utilities only)."
    )


@strawberry.input(
    description="Changes to a member unit: only the fields given change (its code and role stay)."
)
class MemberUnitUpdateInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name.")
    jurisdiction_code: str | None = strawberry.field(
        default=strawberry.UNSET, description="New jurisdiction (a code, as on creation)."
    )
    utility_kind: UtilityKind | None = strawberry.field(
        default=strawberry.UNSET, description="New kind of supply (utilities only)."
    )
