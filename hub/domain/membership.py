"""Leaving an owners' committee during a term (R9): the reasons the banner records.

A member's membership ends before the term does when they sell their home in the compound, miss
meetings again and again, resign, or for another reason the community writes down. The reason is
kept as a fixed kind (for counting and for issue 16's size rule) and as the Chinese text shown to
staff; "other" needs the text.
"""

from __future__ import annotations

import enum

from hub.domain.text import check_text
from hub.errors import InvalidValue


class LeaveReason(enum.StrEnum):
    """Why a member left a committee during its term."""

    SALE_OF_HOME = "SALE_OF_HOME"  # 出售房屋: no longer an owner of the compound
    REPEATED_ABSENCE = "REPEATED_ABSENCE"  # 多次缺席
    RESIGNATION = "RESIGNATION"  # 辞职
    OTHER = "OTHER"  # 其他 (the text says what)


LEAVE_REASON_LABELS: dict[LeaveReason, str] = {
    LeaveReason.SALE_OF_HOME: "出售房屋",
    LeaveReason.REPEATED_ABSENCE: "多次缺席",
    LeaveReason.RESIGNATION: "辞职",
    LeaveReason.OTHER: "其他",
}
"""The Chinese label of each reason, as staff read it."""

OTHER_TEXT_LENGTH = 90
"""Characters of the text of an OTHER reason ("其他：" and the text fit the 100 of the column)."""


def leave_reason_text(kind: LeaveReason, other: str | None, *, field: str = "reasonText") -> str:
    """The text stored as the member's ``left_reason``: the label, or for OTHER "其他：<text>".

    OTHER needs a text; the other kinds take none (a text would be lost, so it is refused).
    """
    text = (other or "").strip()
    check_text(field, text, max_length=OTHER_TEXT_LENGTH)  # a text that cannot be kept: first
    if kind is LeaveReason.OTHER:
        if not text:
            raise InvalidValue(field, "say why the member left (OTHER needs a text)")
        return f"{LEAVE_REASON_LABELS[kind]}：{text}"
    if text:
        raise InvalidValue(field, f"a text is given only with OTHER, not with {kind.value}")
    return LEAVE_REASON_LABELS[kind]
