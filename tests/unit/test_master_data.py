"""The rules of one master-data record: coercion, canonical values, stable codes, Chinese
messages that never repeat a personal value."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from hub.domain.enums import ResidentKind, UnitRole, UtilityKind
from hub.domain.field_values import (
    FieldInvalid,
    ProblemCode,
    boolean,
    code,
    day,
    decimal,
    integer,
    resident_id,
    uscc,
)
from hub.domain.identifiers import resident_id_check_digit
from hub.domain.master_data import (
    check_community,
    check_compound,
    check_member_unit,
    check_resident,
)

TODAY = date(2025, 6, 1)
ID_BODY = "15062719800101123"
VALID_ID = ID_BODY + resident_id_check_digit(ID_BODY)
WRONG_CHECK = ID_BODY + ("0" if VALID_ID[-1] != "0" else "1")


def _resident(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "compound_code": "150627100001001",
        "kind": "owner",
        "name": "张三",
        "id_number": VALID_ID,
        "phone": "13812345678",
        "building": "3号楼",
        "room": "1201",
        "floor_area": 98.5,
    }
    return row | changes


def _codes(problems: list) -> dict[str, ProblemCode]:  # type: ignore[type-arg]
    return {p.field: p.code for p in problems}


def test_a_good_resident_passes_in_canonical_form() -> None:
    """A complete row passes; the kind becomes the enum, full-width digits are folded."""
    checked = check_resident(
        _resident(id_number="１５０６２７" + VALID_ID[6:].lower(), kind="业主")
    )
    assert checked.ok, checked.problems
    assert checked.values["id_number"] == VALID_ID
    assert checked.values["kind"] is ResidentKind.OWNER
    assert checked.values["floor_area"] == 98.5


@pytest.mark.parametrize(
    ("id_number", "problem", "message"),
    [
        ("1506271980", ProblemCode.ID_NUMBER_FORMAT, "17 位数字"),
        ("150627198013011234", ProblemCode.ID_NUMBER_BIRTH_DATE, "出生日期"),
        (WRONG_CHECK, ProblemCode.ID_NUMBER_CHECK_DIGIT, "身份证号校验位错误"),
    ],
)
def test_a_bad_id_number_names_the_reason_without_the_number(
    id_number: str, problem: ProblemCode, message: str
) -> None:
    """Each GB 11643 failure has its own code; the message never holds the number."""
    checked = check_resident(_resident(id_number=id_number))
    (found,) = checked.problems
    assert (found.field, found.code) == ("id_number", problem)
    assert message in found.message
    assert id_number not in found.message and id_number[:6] not in found.message


def test_every_problem_of_a_record_is_reported_at_once() -> None:
    """Missing, unknown and malformed fields are reported together, each with its code."""
    checked = check_resident(
        _resident(kind="tenant", name=" ", phone="99999", floor_area=-1, room=None)
    )
    assert _codes(checked.problems) == {
        "kind": ProblemCode.UNKNOWN_VALUE,
        "name": ProblemCode.REQUIRED,
        "phone": ProblemCode.PHONE_FORMAT,
        "floor_area": ProblemCode.OUT_OF_RANGE,
        "room": ProblemCode.REQUIRED,
    }
    kind = next(p for p in checked.problems if p.field == "kind")
    assert "业主" in kind.message and "使用人" in kind.message
    assert all("99999" not in p.message for p in checked.problems)


def test_an_empty_phone_is_none() -> None:
    """The phone is optional: blank means none."""
    assert check_resident(_resident(phone="")).values["phone"] is None


def test_a_good_compound_passes() -> None:
    """Cell values of every type become canonical values."""
    checked = check_compound(
        {
            "code": "Ｃ-001",
            "name": " 民悦小区 ",
            "community_code": "150627100001",
            "address": None,
            "households": 420.0,
            "floor_area": "41,000.5",
            "built_year": "2012",
            "warranty_end": datetime(2016, 6, 30),
        },
        today=TODAY,
    )
    assert checked.ok, checked.problems
    assert checked.values == {
        "code": "C-001",
        "name": "民悦小区",
        "community_code": "150627100001",
        "address": None,
        "households": 420,
        "floor_area": 41000.5,
        "built_year": 2012,
        "warranty_end": date(2016, 6, 30),
    }


def test_compound_ranges_and_types() -> None:
    """Households are whole, built_year lies in 1949 … this year, the code has its format."""
    checked = check_compound(
        {
            "code": "有 空格",
            "name": "x" * 101,
            "community_code": "c1",
            "households": 12.5,
            "floor_area": "很大",
            "built_year": 2026,
            "warranty_end": "2024-02-30",
        },
        today=TODAY,
    )
    assert _codes(checked.problems) == {
        "code": ProblemCode.CODE_FORMAT,
        "name": ProblemCode.TOO_LONG,
        "households": ProblemCode.NOT_AN_INTEGER,
        "floor_area": ProblemCode.NOT_A_NUMBER,
        "built_year": ProblemCode.OUT_OF_RANGE,
        "warranty_end": ProblemCode.NOT_A_DATE,
    }


def test_a_partial_record_checks_only_what_it_names() -> None:
    """An update naming two fields is not refused for the others; a named blank required
    field still is."""
    assert check_compound({"households": 10}, today=TODAY, partial=True).values == {
        "households": 10
    }
    checked = check_compound({"name": ""}, today=TODAY, partial=True)
    assert _codes(checked.problems) == {"name": ProblemCode.REQUIRED}


def test_community_and_member_unit() -> None:
    """A community needs its town; a utility needs its kind, others must not have one."""
    assert check_community({"code": "150627100009", "name": "新社区", "town_code": "150627100"}).ok
    assert _codes(check_community({"code": "x"}).problems) == {
        "name": ProblemCode.REQUIRED,
        "town_code": ProblemCode.REQUIRED,
    }
    good = check_member_unit(
        {"code": "utility-water", "name": "水务", "role": "utility", "utility_kind": "供水"}
    )
    assert good.ok and good.values["utility_kind"] is UtilityKind.WATER
    assert good.values["role"] is UnitRole.UTILITY
    assert _codes(check_member_unit({"code": "u", "name": "n", "role": "utility"}).problems) == {
        "utility_kind": ProblemCode.REQUIRED
    }
    assert _codes(
        check_member_unit(
            {"code": "c", "name": "n", "role": "社区", "utility_kind": "HEAT"}
        ).problems
    ) == {"jurisdiction_code": ProblemCode.REQUIRED, "utility_kind": ProblemCode.INCONSISTENT}


def test_coercers() -> None:
    """Dates in the forms staff write, yes/no words, whole numbers, codes, USCCs."""
    assert day("2024/5/1", "d") == date(2024, 5, 1)
    assert day("２０２４年５月１日", "d") == date(2024, 5, 1)
    assert boolean("是", "b") is True and boolean(0, "b") is False
    assert integer("１,２００", "n") == 1200
    assert decimal(3, "n") == 3.0
    assert code("ａｂ_1", "c", max_length=5) == "ab_1"
    assert uscc(" 91350213678251743x ") == "91350213678251743X"
    assert resident_id(VALID_ID.lower()) == VALID_ID
    cases: list[tuple[Callable[[], object], ProblemCode]] = [
        (lambda: uscc("91350200776049653B"), ProblemCode.USCC_CHECK_CHARACTER),
        (lambda: uscc("9135020077604965IA"), ProblemCode.USCC_FORMAT),
        (lambda: decimal("nan", "n"), ProblemCode.NOT_A_NUMBER),
        (lambda: integer(True, "n"), ProblemCode.NOT_AN_INTEGER),
        (lambda: boolean("maybe", "b"), ProblemCode.NOT_A_BOOLEAN),
        (lambda: day(45000, "d"), ProblemCode.NOT_A_DATE),
        (lambda: code("x" * 6, "c", max_length=5), ProblemCode.TOO_LONG),
        (lambda: resident_id(None), ProblemCode.ID_NUMBER_FORMAT),
    ]
    for call, problem in cases:
        with pytest.raises(FieldInvalid) as caught:
            call()
        assert caught.value.problem.code is problem
