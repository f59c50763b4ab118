"""Text a service is about to store fits its column, on both databases alike.

PostgreSQL refuses a string longer than its ``VARCHAR(n)`` ("value too long"), where SQLite
stores it: a 201-character ledger title was an internal error on one and a saved title on the
other. The services check each text they store against the column that keeps it, first thing,
so that the refusal is an ``InvalidValue`` naming the input field (a mutation's
``ValidationFailed`` payload) on both, before any lookup or write. The rules on the characters
themselves are ``hub.domain.text``'s.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import InstrumentedAttribute

from hub.domain.text import MAX_TEXT_LENGTH, check_text


def column_length(attribute: InstrumentedAttribute[Any]) -> int:
    """The characters a text column keeps: its ``String(n)``, or ``MAX_TEXT_LENGTH`` (Text)."""
    length = getattr(attribute.property.columns[0].type, "length", None)
    return length if isinstance(length, int) else MAX_TEXT_LENGTH


def check_fits(field: str, value: str | None, column: InstrumentedAttribute[Any]) -> None:
    """``InvalidValue`` (naming ``field``, the input's name) if the text does not fit the column."""
    check_text(field, value, max_length=column_length(column))
