"""The inputs of the community mutations: the columns of the `communities` import."""

from __future__ import annotations

import strawberry


@strawberry.input(description="A new community (社区) of a town.")
class CommunityCreateInput:
    code: str = strawberry.field(
        description="Administrative code (≤ 20; 12 digits: the town's 9 and 3 more)."
    )
    name: str = strawberry.field(description="Name (≤ 100), e.g. 园林社区.")
    town_code: str = strawberry.field(description="Code of its town (in your jurisdiction).")


@strawberry.input(
    description="Changes to a community: only the fields given change (its code and town stay)."
)
class CommunityUpdateInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name.")
