"""The rules of one master-data record (基础数据): member units, communities, compounds, residents.

Written once and used by every door that writes master data: the spreadsheet imports
(``hub.imports``) and the GraphQL mutations. A record is given as a mapping of its **field keys**
(the keys of the import templates: ``code``, ``name``, ``community_code`` …) to values as a door
received them, and ``check_<kind>`` answers the values in canonical form and every problem found,
each a ``FieldProblem`` with a stable ``code`` for programs and a Chinese ``message`` for staff
(the coercers of the single values are ``hub.domain.field_values``).

Pure: no session, no clock (``today`` is given). References (does the community exist, is it in
the caller's jurisdiction) are the services' and the imports' business, not this module's. A
message never repeats the value: a resident's name, ID number or phone is personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hub.domain.enums import JurisdictionLevel, ResidentKind, UnitRole, UtilityKind
from hub.domain.field_values import (
    FieldInvalid,
    FieldProblem,
    ProblemCode,
    blank,
    boolean,
    choice,
    code,
    day,
    decimal,
    fold,
    integer,
    phone,
    resident_id,
    text,
    uscc,
)
from hub.domain.text import NAME_LENGTH

# The coercers of single values are re-exported: callers need only this module.
__all__ = [
    "FIRST_BUILT_YEAR",
    "RESIDENT_KIND_LABELS",
    "ROLE_LEVEL",
    "UNIT_ROLE_LABELS",
    "UTILITY_KIND_LABELS",
    "Checked",
    "FieldInvalid",
    "FieldProblem",
    "ProblemCode",
    "boolean",
    "check_community",
    "check_compound",
    "check_member_unit",
    "check_record",
    "check_resident",
    "choice",
    "code",
    "day",
    "decimal",
    "fold",
    "integer",
    "phone",
    "resident_id",
    "text",
    "uscc",
]


@dataclass(slots=True)
class Checked:
    """The outcome of checking one record: canonical values of the fields that passed, and
    the problems of the others."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: list[FieldProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# Labels of the enumerations, as staff write them (and as the templates' drop-downs offer them).
RESIDENT_KIND_LABELS: dict[ResidentKind, str] = {
    ResidentKind.OWNER: "业主",
    ResidentKind.OCCUPANT: "使用人",
}
UNIT_ROLE_LABELS: dict[UnitRole, str] = {
    UnitRole.COMPETENT_DEPARTMENT: "行业主管部门",
    UnitRole.TOWN: "镇（推进办）",
    UnitRole.COMMUNITY: "社区",
    UnitRole.DEPARTMENT: "职能部门",
    UnitRole.PARTY_PUBLICITY: "组织宣传部门",
    UnitRole.INSPECTION_OFFICE: "督查室",
    UnitRole.UTILITY: "专营单位",
}
UTILITY_KIND_LABELS: dict[UtilityKind, str] = {
    UtilityKind.WATER: "供水",
    UtilityKind.POWER: "供电",
    UtilityKind.GAS: "供气",
    UtilityKind.HEAT: "供热",
    UtilityKind.TELECOM: "通讯",
}
ROLE_LEVEL: dict[UnitRole, JurisdictionLevel] = {
    UnitRole.TOWN: JurisdictionLevel.TOWN,
    UnitRole.COMMUNITY: JurisdictionLevel.COMMUNITY,
}
"""The level of jurisdiction a unit of this role must sit in; every other role sits in the
banner (or in none)."""

FIRST_BUILT_YEAR = 1949
"""The earliest year a compound's building may have been completed."""


# Records ----------------------------------------------------------------------------------------

Coercer = Callable[[object, str], Any]
"""A field's check: (value, field key) → canonical value, or ``FieldInvalid``."""


def check_record(
    values: Mapping[str, object],
    fields: Mapping[str, tuple[bool, Coercer]],
    *,
    partial: bool = False,
) -> Checked:
    """Check each field (key → (required, coercer)) present in ``values``; a required field
    missing or blank is REQUIRED unless ``partial`` (an update naming only what changes) and it
    is absent. Blank optional fields become None."""
    checked = Checked()
    for key, (required, coerce) in fields.items():
        if key not in values and partial:
            continue
        value = values.get(key)
        if blank(value):
            if required:
                checked.problems.append(FieldProblem(key, ProblemCode.REQUIRED, "必填"))
            else:
                checked.values[key] = None
            continue
        try:
            checked.values[key] = coerce(value, key)
        except FieldInvalid as exc:
            checked.problems.append(exc.problem)
    return checked


def _text(max_length: int) -> Coercer:
    return lambda value, key: text(value, key, max_length=max_length)


def _code(max_length: int) -> Coercer:
    return lambda value, key: code(value, key, max_length=max_length)


def _area(value: object, key: str) -> float:
    return decimal(value, key, minimum=0, maximum=10_000_000)


def _enum(labels: Mapping[Any, str]) -> Coercer:
    return lambda value, key: choice(value, key, labels)


def check_community(values: Mapping[str, object], *, partial: bool = False) -> Checked:
    """A community: ``code`` (≤ 20), ``name`` (≤ 100), ``town_code`` (the town it belongs to)."""
    return check_record(
        values,
        {"code": (True, _code(20)), "name": (True, _text(100)), "town_code": (True, _code(20))},
        partial=partial,
    )


def check_member_unit(values: Mapping[str, object], *, partial: bool = False) -> Checked:
    """A member unit: ``code`` (≤ 40), ``name``, ``role``, ``jurisdiction_code`` (required for a
    town or community unit) and ``utility_kind`` (required for a utility, refused otherwise)."""
    checked = check_record(
        values,
        {
            "code": (True, _code(40)),
            "name": (True, _text(100)),
            "role": (True, _enum(UNIT_ROLE_LABELS)),
            "jurisdiction_code": (False, _code(20)),
            "utility_kind": (False, _enum(UTILITY_KIND_LABELS)),
        },
        partial=partial,
    )
    role = checked.values.get("role")
    if role is None:
        return checked
    if role in ROLE_LEVEL and "jurisdiction_code" in checked.values:
        if checked.values["jurisdiction_code"] is None:
            checked.problems.append(
                FieldProblem(
                    "jurisdiction_code", ProblemCode.REQUIRED, "镇或社区单位必须填写所属辖区编码"
                )
            )
    if "utility_kind" in checked.values:
        kind = checked.values["utility_kind"]
        if role is UnitRole.UTILITY and kind is None:
            checked.problems.append(
                FieldProblem("utility_kind", ProblemCode.REQUIRED, "专营单位必须填写专营类别")
            )
        elif role is not UnitRole.UTILITY and kind is not None:
            checked.problems.append(
                FieldProblem("utility_kind", ProblemCode.INCONSISTENT, "只有专营单位才填写专营类别")
            )
    return checked


def check_compound(values: Mapping[str, object], *, today: date, partial: bool = False) -> Checked:
    """A compound: ``code`` (≤ 30), ``name`` (≤ 100), ``community_code``, ``address`` (≤ 200),
    ``households`` (≥ 0), ``floor_area`` (m², ≥ 0), ``built_year`` (1949 … this year),
    ``warranty_end`` (a date, at most 20 years ahead)."""

    def built_year(value: object, key: str) -> int:
        return integer(value, key, minimum=FIRST_BUILT_YEAR, maximum=today.year)

    def warranty_end(value: object, key: str) -> date:
        return day(
            value, key, earliest=date(FIRST_BUILT_YEAR, 1, 1), latest=date(today.year + 20, 12, 31)
        )

    return check_record(
        values,
        {
            "code": (True, _code(30)),
            "name": (True, _text(100)),
            "community_code": (True, _code(20)),
            "address": (False, _text(200)),
            "households": (False, lambda v, k: integer(v, k, minimum=0, maximum=1_000_000)),
            "floor_area": (False, _area),
            "built_year": (False, built_year),
            "warranty_end": (False, warranty_end),
        },
        partial=partial,
    )


def check_resident(values: Mapping[str, object], *, partial: bool = False) -> Checked:
    """A resident: ``compound_code``, ``kind`` (owner | occupant, 业主 | 使用人), ``name``
    (≤ 50), ``id_number`` (GB 11643), ``phone`` (optional, a mobile or a landline),
    ``building`` and ``room`` (≤ 20 each), ``floor_area`` (m², ≥ 0)."""
    return check_record(
        values,
        {
            "compound_code": (True, _code(30)),
            "kind": (True, _enum(RESIDENT_KIND_LABELS)),
            "name": (True, _text(NAME_LENGTH)),
            "id_number": (True, resident_id),
            "phone": (False, phone),
            "building": (True, lambda v, k: fold(text(v, k, max_length=20))),
            "room": (True, lambda v, k: fold(text(v, k, max_length=20))),
            "floor_area": (False, _area),
        },
        partial=partial,
    )
