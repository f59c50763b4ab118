"""Values of a record's fields as staff and programs write them, checked and made canonical.

A coercer takes a value as a door received it — text from a CSV, a number or a date from an .xlsx
cell, a typed value from GraphQL — and the field's key, and answers the canonical value or raises
``FieldInvalid`` carrying a ``FieldProblem``: the key, a stable ``ProblemCode`` and the reason in
Chinese for staff. Full-width digits and letters are folded (NFKC) where codes and identifiers are
read. The identifier checks are ``hub.domain.identifiers``' (never a second copy); here their
reasons get a code and Chinese words. A message never repeats the value: it may be personal data.

Used by the record checks of ``hub.domain.master_data`` and by the import column types.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from hub.domain.identifiers import validate_resident_id, validate_uscc
from hub.domain.pii import normalize_phone
from hub.domain.text import text_problem
from hub.errors import InvalidValue


class ProblemCode(enum.StrEnum):
    """Why a field was refused. Stable: clients and import reports branch on it."""

    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    BAD_TEXT = "BAD_TEXT"  # a NUL character or a lone surrogate
    CODE_FORMAT = "CODE_FORMAT"
    NOT_AN_INTEGER = "NOT_AN_INTEGER"
    NOT_A_NUMBER = "NOT_A_NUMBER"
    NOT_A_DATE = "NOT_A_DATE"
    NOT_A_BOOLEAN = "NOT_A_BOOLEAN"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    UNKNOWN_VALUE = "UNKNOWN_VALUE"
    ID_NUMBER_FORMAT = "ID_NUMBER_FORMAT"
    ID_NUMBER_BIRTH_DATE = "ID_NUMBER_BIRTH_DATE"
    ID_NUMBER_CHECK_DIGIT = "ID_NUMBER_CHECK_DIGIT"
    USCC_FORMAT = "USCC_FORMAT"
    USCC_CHECK_CHARACTER = "USCC_CHECK_CHARACTER"
    PHONE_FORMAT = "PHONE_FORMAT"
    INCONSISTENT = "INCONSISTENT"  # fields that contradict each other


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One refused field: its key, a stable code and the reason in Chinese (never the value)."""

    field: str
    code: ProblemCode
    message: str


class FieldInvalid(Exception):
    """A coercer refused a value; carries the ``FieldProblem``."""

    def __init__(self, problem: FieldProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def fail(key: str, code: ProblemCode, message: str) -> FieldInvalid:
    return FieldInvalid(FieldProblem(key, code, message))


_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*")
_TRUE = {"1", "true", "yes", "y", "是", "对", "√"}
_FALSE = {"0", "false", "no", "n", "否", "不", "×"}


def fold(value: str) -> str:
    """Full-width digits and letters folded to ASCII (NFKC), surrounding whitespace dropped: how
    codes and identifiers are written in spreadsheets (１５０６２７ → 150627)."""
    return unicodedata.normalize("NFKC", value).strip()


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# Coercers: a value as a door received it → the canonical value, or FieldInvalid ---------------


def text(value: object, key: str, *, max_length: int) -> str:
    """Trimmed text of at most ``max_length`` characters."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise fail(key, ProblemCode.BAD_TEXT, "应为文字")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a cell holding 12 read as 12.0
    result = str(value).strip()
    if len(result) > max_length:
        raise fail(
            key, ProblemCode.TOO_LONG, f"不能超过 {max_length} 个字符（现有 {len(result)} 个）"
        )
    if text_problem(result) is not None:
        raise fail(key, ProblemCode.BAD_TEXT, "含有不可用的字符（如空字符）")
    return result


def code(value: object, key: str, *, max_length: int) -> str:
    """A code of letters, digits, '-' and '_' (full-width folded), case kept."""
    result = fold(text(value, key, max_length=max_length * 2))
    if len(result) > max_length:
        raise fail(key, ProblemCode.TOO_LONG, f"编码不能超过 {max_length} 个字符")
    if not _CODE.fullmatch(result):
        raise fail(
            key,
            ProblemCode.CODE_FORMAT,
            "编码只能由字母、数字、连字符（-）和下划线（_）组成，且以字母或数字开头",
        )
    return result


def integer(
    value: object, key: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """A whole number within the bounds (a float cell holding a whole number is accepted)."""
    number: int
    if isinstance(value, bool):
        raise fail(key, ProblemCode.NOT_AN_INTEGER, "应为整数")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal) and value == int(value):
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"[+-]?\d+", fold(value).replace(",", "")):
        number = int(fold(value).replace(",", ""))
    else:
        raise fail(key, ProblemCode.NOT_AN_INTEGER, "应为整数")
    _bounds(key, number, minimum, maximum)
    return number


def decimal(
    value: object, key: str, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    """A finite number within the bounds."""
    if isinstance(value, bool):
        raise fail(key, ProblemCode.NOT_A_NUMBER, "应为数字")
    try:
        if isinstance(value, int | float | Decimal):
            number = Decimal(str(value))
        elif isinstance(value, str):
            number = Decimal(fold(value).replace(",", ""))
        else:
            raise InvalidOperation
    except InvalidOperation:
        raise fail(key, ProblemCode.NOT_A_NUMBER, "应为数字") from None
    if not number.is_finite():
        raise fail(key, ProblemCode.NOT_A_NUMBER, "应为数字")
    result = float(number)
    _bounds(key, result, minimum, maximum)
    return result


def _bounds(key: str, number: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and maximum is not None and not minimum <= number <= maximum:
        raise fail(key, ProblemCode.OUT_OF_RANGE, f"应在 {minimum:g} 到 {maximum:g} 之间")
    if minimum is not None and number < minimum:
        raise fail(key, ProblemCode.OUT_OF_RANGE, f"不能小于 {minimum:g}")
    if maximum is not None and number > maximum:
        raise fail(key, ProblemCode.OUT_OF_RANGE, f"不能大于 {maximum:g}")


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def day(
    value: object, key: str, *, earliest: date | None = None, latest: date | None = None
) -> date:
    """A calendar date: a date, a datetime at midnight, or text such as 2024-05-01, 2024/5/1 or
    2024年5月1日 (an Excel serial number is the reader's to convert: it knows the workbook)."""
    result: date
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, str) and (match := _DATE.fullmatch(fold(value))):
        try:
            result = date(*(int(part) for part in match.groups()))
        except ValueError:
            raise fail(key, ProblemCode.NOT_A_DATE, "不是有效的日期") from None
    else:
        raise fail(key, ProblemCode.NOT_A_DATE, "应为日期，如 2024-05-01")
    if earliest is not None and result < earliest:
        raise fail(key, ProblemCode.OUT_OF_RANGE, f"不能早于 {earliest.isoformat()}")
    if latest is not None and result > latest:
        raise fail(key, ProblemCode.OUT_OF_RANGE, f"不能晚于 {latest.isoformat()}")
    return result


def boolean(value: object, key: str) -> bool:
    """Yes or no: a boolean, 1/0, 是/否, true/false, yes/no."""
    if isinstance(value, bool):
        return value
    word = fold(str(value)).lower() if isinstance(value, str | int | float) else ""
    if word.endswith(".0"):
        word = word[:-2]
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise fail(key, ProblemCode.NOT_A_BOOLEAN, "应为“是”或“否”")


E = TypeVar("E", bound=enum.Enum)


def choice(value: object, key: str, labels: Mapping[E, str]) -> E:
    """A member of an enumeration, written as its value (any case) or its Chinese label."""
    if isinstance(value, enum.Enum) and value in labels:
        return value  # type: ignore[return-value]  # membership checked just above
    word = fold(str(value)) if isinstance(value, str) else ""
    for member, label in labels.items():
        if word == label or word.upper() == str(member.value).upper():
            return member
    allowed = "、".join(labels.values())
    raise fail(key, ProblemCode.UNKNOWN_VALUE, f"应为以下之一：{allowed}")


# The identifiers' checks are hub.domain.identifiers'; here their reasons get a code and Chinese.
_RESIDENT_ID_REASONS = (
    (
        "17 digits and a check digit",
        ProblemCode.ID_NUMBER_FORMAT,
        "身份证号应为 17 位数字加 1 位校验码（数字或 X）",
    ),
    ("birth date", ProblemCode.ID_NUMBER_BIRTH_DATE, "身份证号中的出生日期不是有效日期"),
    ("check digit", ProblemCode.ID_NUMBER_CHECK_DIGIT, "身份证号校验位错误"),
)
_USCC_REASONS = (
    ("18 characters", ProblemCode.USCC_FORMAT, "统一社会信用代码应为 18 位"),
    (
        "not allowed",
        ProblemCode.USCC_FORMAT,
        "统一社会信用代码含有不允许的字符（不使用 I、O、S、V、Z）",
    ),
    ("check character", ProblemCode.USCC_CHECK_CHARACTER, "统一社会信用代码校验位错误"),
)


def _identifier(
    value: object,
    key: str,
    check: Callable[[str], str],
    reasons: tuple[tuple[str, ProblemCode, str], ...],
) -> str:
    if not isinstance(value, str | int):
        value = ""
    try:
        return check(fold(str(value)))
    except InvalidValue as exc:
        for phrase, problem, message in reasons:
            if phrase in exc.reason:
                raise fail(key, problem, message) from None
        raise fail(key, reasons[0][1], reasons[0][2]) from None


def resident_id(value: object, key: str = "id_number") -> str:
    """A resident ID number (GB 11643) in canonical form; full-width digits and a lower-case x
    are accepted."""
    return _identifier(value, key, validate_resident_id, _RESIDENT_ID_REASONS)


def uscc(value: object, key: str = "uscc") -> str:
    """A unified social credit code (GB 32100) in canonical form."""
    return _identifier(value, key, validate_uscc, _USCC_REASONS)


def phone(value: object, key: str = "phone") -> str | None:
    """A phone number in its canonical form (``hub.domain.pii``), None when blank."""
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise fail(key, ProblemCode.PHONE_FORMAT, "电话号码应为文字")
    try:
        return normalize_phone(fold(value), field=key)
    except InvalidValue:
        raise fail(
            key,
            ProblemCode.PHONE_FORMAT,
            "电话号码格式错误：应为 11 位手机号（如 13812345678）"
            "或带区号的固定电话（如 0477-8581234）",
        ) from None
