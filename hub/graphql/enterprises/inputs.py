"""The inputs of the mutations of enterprises' local data (an enterprise not yet on the Ordos
platform)."""

from __future__ import annotations

from datetime import date

import strawberry

from hub.graphql.enums import EnterpriseStatus


@strawberry.input(description="An enterprise not yet on the Ordos platform, as registered.")
class EnterpriseLocalCreateInput:
    uscc: str = strawberry.field(
        description="Unified social credit code (统一社会信用代码), checked by GB 32100; its "
        "area code is the enterprise's."
    )
    name: str = strawberry.field(description="Registered name (≤ 200).")
    legal_representative: str = strawberry.field(description="Legal representative (≤ 50).")
    registered_address: str = strawberry.field(description="Registered address (≤ 200).")
    registered_capital: float = strawberry.field(description="Registered capital, 万元 (≥ 0).")
    founded_on: date = strawberry.field(description="Date of founding (not in the future).")
    status: EnterpriseStatus | None = strawberry.field(
        default=None, description="Registration status (存续 when not given)."
    )


@strawberry.input(
    description="Changes to a local enterprise: only the fields given change (its USCC stays)."
)
class EnterpriseLocalUpdateInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name.")
    legal_representative: str | None = strawberry.field(
        default=strawberry.UNSET, description="New legal representative."
    )
    registered_address: str | None = strawberry.field(
        default=strawberry.UNSET, description="New registered address."
    )
    registered_capital: float | None = strawberry.field(
        default=strawberry.UNSET, description="New registered capital, 万元."
    )
    founded_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="New date of founding."
    )
    status: EnterpriseStatus | None = strawberry.field(
        default=strawberry.UNSET, description="New registration status."
    )
