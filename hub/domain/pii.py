"""Masking of personal data for display (Personal Information Protection Law).

Names, resident ID numbers and phone numbers of owners, occupants and committee members are shown
masked unless the caller may see them; these functions decide what masked looks like.
"""

from __future__ import annotations


def mask_name(name: str) -> str:
    """Keep the surname (first character): 张三丰 → 张**, 李四 → 李*."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    return name[0] + "*" * (len(name) - 1)


def mask_id_number(number: str) -> str:
    """Keep the area code (6) and the last 4: 150627********123X."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """Keep the first 3 and last 4 digits: 138****5678."""
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
