"""Personal data for display and on entry (Personal Information Protection Law).

Names, resident ID numbers and phone numbers of owners, occupants and committee members are shown
masked unless the caller may see them. This module is the one place that decides what masked
looks like (``mask`` and the ``mask_*`` functions it dispatches to), and what a phone number is
(``parse_phone``: services validate every phone that enters the hub with it, so that a stored
phone always has a kind the masks know).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from hub.errors import InvalidValue


class PersonalField(enum.StrEnum):
    """A kind of personal value, each with its own mask."""

    NAME = "name"
    ID_NUMBER = "id_number"
    PHONE = "phone"


def mask(field: PersonalField | str, value: str) -> str:
    """``value`` masked by the rule of its kind (a name, an ID number or a phone number)."""
    kind = PersonalField(field)
    if kind is PersonalField.NAME:
        return mask_name(value)
    if kind is PersonalField.ID_NUMBER:
        return mask_id_number(value)
    return mask_phone(value)


# Chinese compound surnames (复姓): the surname is their two characters, so 欧阳娜娜 → 欧阳**.
# The common ones of the Hundred Family Surnames; a rarer one is masked as a one-character surname,
# which shows less, never more.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 夏侯 轩辕 令狐 端木 "
    "呼延 独孤 南宫 西门 申屠 澹台 公冶 宗政 濮阳 淳于 单于 太叔 仲孙 钟离 闻人 万俟 赫连 "
    "拓跋 百里 东郭 左丘 公羊 谷梁 段干 乐正 漆雕 壤驷 公良 梁丘 第五 羊舌 微生 南门 东门 "
    "鲜于 闾丘 亓官 司寇 巫马 子车 颛孙 乌孙 完颜 叱干".split()
)


def mask_name(name: str) -> str:
    """Keep the surname: 张三丰 → 张**, 李四 → 李*, 欧阳娜娜 → 欧阳**; a single character → *."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    kept = 2 if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else 1
    return name[:kept] + "*" * (len(name) - kept)


def mask_id_number(number: str) -> str:
    """Keep the area code (6) and the last 4: 150627********123X; a short value all masked."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


class PhoneKind(enum.StrEnum):
    """The kinds of phone number the hub accepts."""

    MOBILE = "mobile"  # 11 digits, 1[3-9]…
    LANDLINE = "landline"  # area code (0 and 2–3 digits) and a local number of 7–8 digits


@dataclass(frozen=True, slots=True)
class Phone:
    """A valid Chinese phone number, in parts; ``str`` gives its canonical form."""

    kind: PhoneKind
    number: str  # a mobile's 11 digits, or a landline's local number
    area_code: str | None = None  # landlines: 010, 0477 …
    extension: str | None = None  # landlines: 分机

    def __str__(self) -> str:
        if self.kind is PhoneKind.MOBILE:
            return self.number
        text = f"{self.area_code}-{self.number}"
        return f"{text}-{self.extension}" if self.extension else text

    def __repr__(self) -> str:
        return f"Phone(kind={self.kind.value})"  # a phone number is personal data: never logged

    def masked(self) -> str:
        """Mobile: the first 3 and the last 4 (138****5678); landline: the area code and the
        last 4 of the local number (0477-***1234), an extension masked whole."""
        if self.kind is PhoneKind.MOBILE:
            return self.number[:3] + "****" + self.number[-4:]
        text = f"{self.area_code}-" + "*" * (len(self.number) - 4) + self.number[-4:]
        return f"{text}-" + "*" * len(self.extension) if self.extension else text


# Mobile: 11 digits 1[3-9]…, optionally after +86, spaces or dashes allowed between digits.
_MOBILE = re.compile(r"(?:\+86)?(1[3-9]\d{9})")
_MOBILE_SEPARATORS = re.compile(r"[\s\-]+")
# Landline: the area code (010 and 02x have 3 digits, every other one 4: 0477 …), optionally in
# parentheses or followed by a dash or space, then the local number (7–8 digits, not starting
# with 0 or 1), then optionally an extension (分机) after -, 转, #, ext or x. The area code's
# length is fixed by its first digits, so 04778581234 splits one way only.
_LANDLINE = re.compile(
    r"\(?(0(?:10|2\d|[3-9]\d{2}))\)?[\s\-]?([2-9]\d{6,7})"
    r"(?:\s*(?:-|转|#|ext\.?|x)\s*(\d{1,6}))?",
    re.IGNORECASE,
)

PHONE_RULE = (
    "give a mobile number (11 digits starting with 13–19, e.g. 13812345678) or a landline with "
    "its area code (e.g. 0477-8581234, an extension after 转 or -)"
)
"""What a phone number must look like, for error messages and input descriptions."""


def parse_phone(text: str, *, field: str = "phone") -> Phone:
    """The phone number written in ``text``, or ``InvalidValue`` naming ``field`` and the problem.

    The message never repeats the value (it is personal data).
    """
    stripped = text.strip()
    if not stripped:
        raise InvalidValue(field, f"empty; {PHONE_RULE}")
    if len(stripped) > 30:
        raise InvalidValue(field, f"too long for a phone number; {PHONE_RULE}")
    landline = _LANDLINE.fullmatch(stripped)
    if landline is not None:
        area, local, extension = landline.groups()
        return Phone(PhoneKind.LANDLINE, local, area_code=area, extension=extension)
    compact = _MOBILE_SEPARATORS.sub("", stripped)
    mobile = _MOBILE.fullmatch(compact)
    if mobile is not None:
        return Phone(PhoneKind.MOBILE, mobile.group(1))
    digits = sum(ch.isdigit() for ch in compact)
    if not compact.isdigit():
        problem = "it holds characters other than digits, spaces, dashes and an extension"
    elif compact.startswith("1"):
        problem = f"a mobile number has 11 digits starting with 13–19, got {digits} digits"
    elif not compact.startswith("0") and 7 <= digits <= 8:
        problem = "a landline needs its area code (0477-…)"
    elif compact.startswith("0"):
        problem = (
            "a landline is its area code (010, 02x or 0 and 3 digits) and a local number of 7–8 "
            f"digits starting with 2–9, got {digits} digits"
        )
    else:
        problem = f"{digits} digits are neither a mobile nor a landline number"
    raise InvalidValue(field, f"not a phone number: {problem}; {PHONE_RULE}")


def normalize_phone(text: str | None, *, field: str = "phone") -> str | None:
    """The canonical form of an optional phone number as it is stored (None or blank: None), or
    ``InvalidValue`` (see ``parse_phone``)."""
    if text is None or not text.strip():
        return None
    return str(parse_phone(text, field=field))


def mask_phone(phone: str) -> str:
    """A phone masked by its kind: 138****5678, 0477-***1234; a value of no known kind (stored
    before phones were validated) is masked whole."""
    try:
        return parse_phone(phone).masked()
    except InvalidValue:
        return "*" * len(phone.strip())
