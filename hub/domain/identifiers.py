"""Check characters of the two national identifiers the hub stores.

- 统一社会信用代码 (USCC) of enterprises, GB 32100-2015.
- 公民身份号码 (resident ID number) of owners and committee members, GB 11643-1999
  (ISO 7064 MOD 11-2 check digit).

Pure functions: the ``*_check_*`` helpers compute, the ``validate_*`` helpers normalise and refuse a
bad value with an ``InvalidValue`` that names the field and the reason (never echoing a resident ID,
which is personal data).
"""

from __future__ import annotations

import re
from datetime import date

from hub.errors import InvalidValue

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}

RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK = "10X98765432"
_RESIDENT_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")


def uscc_check_char(first17: str) -> str:
    """The 18th character of a USCC whose first 17 characters are given."""
    if len(first17) != 17:
        raise ValueError("a USCC body has 17 characters")
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    check = 31 - total % 31
    return USCC_ALPHABET[0 if check == 31 else check]


def validate_uscc(value: str, *, field: str = "uscc") -> str:
    """The USCC in canonical form (upper case, trimmed), or ``InvalidValue`` saying why not."""
    code = value.strip().upper()
    if len(code) != 18:
        raise InvalidValue(field, f"a USCC has 18 characters, got {len(code)}")
    bad = sorted({ch for ch in code if ch not in _USCC_VALUE})
    if bad:
        raise InvalidValue(
            field,
            f"characters not allowed in a USCC: {''.join(bad)} (I, O, S, V, Z are never used)",
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise InvalidValue(field, f"check character is {code[17]}, expected {expected} (GB 32100)")
    return code


def uscc_area_code(uscc: str) -> str:
    """The administrative area code (positions 3–8) of a valid USCC."""
    return uscc[2:8]


def resident_id_check_digit(first17: str) -> str:
    """The 18th character of a resident ID number whose first 17 digits are given."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("a resident ID body has 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK[total % 11]


def validate_resident_id(value: str, *, field: str = "idNumber") -> str:
    """The ID number in canonical form, or ``InvalidValue`` (never repeating the number)."""
    number = value.strip().upper()
    if not _RESIDENT_ID_SHAPE.match(number):
        raise InvalidValue(field, "a resident ID number has 17 digits and a check digit or X")
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidValue(
            field, "the birth date inside the ID number is not a real date"
        ) from None
    if number[17] != resident_id_check_digit(number[:17]):
        raise InvalidValue(field, "the check digit does not match (GB 11643)")
    return number
