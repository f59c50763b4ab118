"""Members of mutation result unions shared by every mutation: expected failures are data."""

from __future__ import annotations

from typing import Any

import strawberry

from hub.errors import HubError


@strawberry.type(description="The caller's role may not do this.")
class NotPermitted:
    message: str = strawberry.field(description="What was refused, and who may do it.")


@strawberry.type(description="One input field refused, and why.")
class FieldProblem:
    field: str = strawberry.field(description="The input field (e.g. `idNumber`).")
    code: str = strawberry.field(
        description="Stable code of the problem, for programs: REQUIRED, TOO_LONG, CODE_FORMAT, "
        "NOT_AN_INTEGER, NOT_A_NUMBER, NOT_A_DATE, OUT_OF_RANGE, UNKNOWN_VALUE, "
        "ID_NUMBER_FORMAT, ID_NUMBER_BIRTH_DATE, ID_NUMBER_CHECK_DIGIT, PHONE_FORMAT, "
        "INCONSISTENT, NOT_FOUND, DUPLICATE, RETIRED, IMMUTABLE … ; INVALID where a mutation "
        "names the field only."
    )
    message: str = strawberry.field(
        description="The reason, for staff (in Chinese for master data, e.g. 身份证号校验位错误); "
        "never the value."
    )


GENERIC_PROBLEM = "INVALID"
"""The code of a refusal that names its field but no finer reason."""


@strawberry.type(description="The input was refused; nothing was changed.")
class ValidationFailed:
    message: str = strawberry.field(description="What is wrong with the input.")
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    problems: list[FieldProblem] = strawberry.field(
        default_factory=list,
        description="Each field at fault with its problem (every one found, where the "
        "mutation checks them all: the master-data mutations do).",
    )

    @classmethod
    def of(cls, error: HubError) -> ValidationFailed:
        return cls.from_details(error.message, error.details)

    @classmethod
    def from_details(cls, message: str, details: dict[str, Any]) -> ValidationFailed:
        """The payload of a refusal with these details: its ``problems`` if it lists them, else
        the one field it names."""
        field = details.get("field")
        listed = details.get("problems")
        if isinstance(listed, list):
            problems = [FieldProblem(**problem) for problem in listed]
        elif field:
            problems = [FieldProblem(field=str(field), code=GENERIC_PROBLEM, message=message)]
        else:
            problems = []
        return cls(message=message, field=str(field) if field else None, problems=problems)
