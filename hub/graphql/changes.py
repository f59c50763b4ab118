"""What the master-data mutations share: the changed fields of their answers, the fields an
update input gives, and the audit entry's detail.

An update names only what changes: an input field left out (``UNSET``) keeps its value, an
explicit null clears it (a required field then answers REQUIRED).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry

from hub.services.master_data import Changed, input_name


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
