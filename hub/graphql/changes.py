"""What the master-data mutations share: the changed fields of their answers, the fields an
update input gives, and the audit entry's detail.

An update names only what changes: an input field left out (``UNSET``) keeps its value, an
explicit null clears it (a required field then answers REQUIRED).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Permission
from hub.graphql.acting import change
from hub.graphql.context import Info
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.services.master_data import Changed, input_name
from hub.store.base import Base

R = TypeVar("R", bound=Base)
S = TypeVar("S")


@strawberry.type(
    description="A field a change set, its value before and after (personal data masked, 张*; "
    "the text of a reason is not repeated)."
)
class FieldChange:
    field: str = strawberry.field(description="The field, as the input names it (`floorArea`).")
    before: str | None = strawberry.field(description="Its value before (null: none, or new).")
    after: str | None = strawberry.field(description="Its value after.")

    @classmethod
    def list_of(cls, changed: Changed[Any]) -> list[FieldChange]:
        return [
            cls(field=input_name(key), before=_text(before), after=_text(after))
            for key, (before, after) in changed.changes.items()
        ]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def given(input: object) -> dict[str, Any]:
    """The fields of a strawberry input the client gave (not ``UNSET``), by field key (the
    Python names of the input, which are ``hub.domain.master_data``'s keys)."""
    values = {}
    for field in dataclasses.fields(input):  # type: ignore[arg-type]
        value = getattr(input, field.name)
        if value is not strawberry.UNSET:
            values[field.name] = value
    return values


def audit_detail(changed: Changed[Any]) -> dict[str, Any]:
    """The detail of the change's audit entry: the before and after of each changed field."""
    return changed.audit_detail()


async def change_master_data(
    info: Info,
    *,
    action: str,
    subject_type: str,
    who: str,
    work: Callable[[AsyncSession], Awaitable[Changed[R]]],
    success: Callable[[Changed[R]], S],
) -> S | NotPermitted | ValidationFailed:
    """A master-data mutation as one change: ``WRITE_MASTER_DATA`` (``who`` says which roles
    manage the kind, for the refusal), the changed record as the subject, its before/after as
    the audit detail."""
    permission = Permission.WRITE_MASTER_DATA
    return await change(
        info,
        action=action,
        permission=permission,
        permission_message=f"{action} needs the {permission} permission: {who}",
        subject_type=subject_type,
        work=work,
        subject_id=lambda changed: changed.record.id,
        detail_of=audit_detail,
        success=success,
    )
