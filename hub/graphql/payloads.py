"""Members of mutation result unions shared by every mutation: expected failures are data."""

from __future__ import annotations

import strawberry

from hub.errors import HubError


@strawberry.type(description="The caller's role may not do this.")
class NotPermitted:
    message: str = strawberry.field(description="What was refused, and who may do it.")


@strawberry.type(description="The input was refused; nothing was changed.")
class ValidationFailed:
    message: str = strawberry.field(description="What is wrong with the input.")
    field: str | None = strawberry.field(description="The input field at fault, if one is.")

    @classmethod
    def of(cls, error: HubError) -> ValidationFailed:
        field = error.details.get("field")
        return cls(message=error.message, field=str(field) if field else None)
