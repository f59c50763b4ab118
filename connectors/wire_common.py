"""Wire types shared by every connector's ``wire.py``: days, instants, ids and tombstones.

Unknown fields are ignored by the models built on these, so a field an upstream adds later does
no harm; known fields are strict, so a number sent as text, text sent as a number or a day sent
as a number fails validation and the record is quarantined instead of stored wrongly.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field


def _text(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("expected ISO 8601 text")
    return value


Day = Annotated[date, Field(strict=False), BeforeValidator(_text)]
"""A day as ``YYYY-MM-DD`` text."""
Instant = Annotated[AwareDatetime, Field(strict=False), BeforeValidator(_text)]
"""An instant as ISO 8601 text with ``Z`` or an offset."""
Id = Annotated[str, Field(min_length=1, max_length=100)]
"""An upstream record id."""


class Tombstone(BaseModel):
    """A deleted record: ``{"id": …, "deleted": true, "updatedAt": …}``."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)

    id: Id
    deleted: Literal[True]
    updatedAt: Instant
