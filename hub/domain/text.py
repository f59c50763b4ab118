"""What free text the hub accepts: the same on SQLite and PostgreSQL, refused with a reason.

The two databases disagree on bad text. PostgreSQL refuses a NUL character ("invalid byte
sequence") and a string longer than its ``VARCHAR(n)`` ("value too long"), where SQLite stores
both; a lone UTF-16 surrogate (``"\\ud800"`` in JSON) cannot be encoded as UTF-8 for either
driver. So the hub decides before the database does:

- no NUL character and no lone surrogate in any text (``text_problem``);
- no text longer than the column that keeps it (``check_text``, with the column's length), nor
  than ``MAX_TEXT_LENGTH`` where the column has no length of its own;
- a search string (``…Contains``) of at most ``MAX_SEARCH_LENGTH`` characters.

Pure functions, used by the GraphQL input check (``hub.graphql.input_limits``), the cursors and
the services before they write.
"""

from __future__ import annotations

from hub.errors import InvalidValue

MAX_TEXT_LENGTH = 4000
"""Characters of any text argument without a length of its own (a description, a note …)."""

MAX_SEARCH_LENGTH = 200
"""Characters of a search string (``nameContains`` …): longer than any name the hub holds."""

NAME_LENGTH = 50
"""Characters of a person's name: what a sealed name column holds (``hub.store.models``)."""


def text_problem(value: str, *, max_length: int | None = None) -> str | None:
    """Why the text is not acceptable (a phrase to follow the field name), or None if it is."""
    if max_length is not None and len(value) > max_length:
        return f"must be at most {max_length:,} characters long (got {len(value):,})"
    if "\x00" in value:
        return "must not contain a NUL character"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "must not contain a lone UTF-16 surrogate (not a character)"
    return None


def check_text(field: str, value: str | None, *, max_length: int | None) -> str | None:
    """The value as given, or ``InvalidValue`` naming the field and the problem (never echoing
    the value, which may be personal data)."""
    if value is None:
        return None
    problem = text_problem(value, max_length=MAX_TEXT_LENGTH if max_length is None else max_length)
    if problem is not None:
        raise InvalidValue(field, problem)
    return value
