"""The GraphQL type of the caller, as the hub sees it (the ``viewer`` root field)."""

from __future__ import annotations

import strawberry

from hub.domain.access import Principal


@strawberry.type(
    name="Viewer",
    description="Who is asking: the member unit, its role, its jurisdiction and what it may do. "
    "Without a credential the caller is the anonymous public.",
)
class ViewerType:
    authenticated: bool = strawberry.field(description="False for the anonymous public.")
    role: str = strawberry.field(
        description="Role, e.g. `public`, `competent_department`, `town`, `community`."
    )
    unit_code: str | None = strawberry.field(description="Code of the caller's member unit.")
    unit_name: str | None = strawberry.field(
        description="Name of the caller's member unit, for display."
    )
    scope: str = strawberry.field(
        description="How far the role reaches: `banner`, `town`, `community` or `unit`."
    )
    town_code: str | None = strawberry.field(description="The unit's town (jurisdiction).")
    community_code: str | None = strawberry.field(
        description="The unit's community (jurisdiction), for a community."
    )
    permissions: list[str] = strawberry.field(description="Permissions granted to the role.")

    @classmethod
    def of(
        cls,
        viewer: Principal,
        *,
        town_code: str | None,
        community_code: str | None,
        unit_name: str | None = None,
    ) -> ViewerType:
        return cls(
            authenticated=viewer.authenticated,
            role=viewer.role.value,
            unit_code=viewer.unit_code,
            unit_name=unit_name,
            scope=viewer.scope.value,
            town_code=town_code,
            community_code=community_code,
            permissions=sorted(p.value for p in viewer.grant.permissions),
        )
