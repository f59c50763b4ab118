"""The ``viewer`` root field: who the caller is, as the hub sees it."""

from __future__ import annotations

import strawberry

from hub.graphql.context import Viewer


@strawberry.type(
    name="Viewer",
    description="Who is asking: the member unit, its role and what it may do. Without a "
    "credential the caller is the anonymous public.",
)
class ViewerType:
    authenticated: bool = strawberry.field(description="False for the anonymous public.")
    role: str = strawberry.field(description="Role, e.g. `public`, `town`, `community`.")
    unit_code: str | None = strawberry.field(description="Code of the caller's member unit.")
    permissions: list[str] = strawberry.field(description="Permissions granted to the role.")

    @classmethod
    def of(cls, viewer: Viewer) -> ViewerType:
        return cls(
            authenticated=viewer.authenticated,
            role=viewer.role,
            unit_code=viewer.unit_code,
            permissions=list(viewer.permissions),
        )
