"""Names of the external platforms records can come from (the ``source`` of provenance)."""

from __future__ import annotations

import enum


class Source(enum.StrEnum):
    """An upstream platform; utility companies are ``utility:<unit code>``."""

    ORDOS = "ordos"  # 鄂尔多斯物业管理服务平台 (R7)
    TENDER = "tender"  # 招投标平台 (R6)
    UTILITY = "utility"  # prefix of a utility company's source name (R1)

    @property
    def label(self) -> str:
        """The Chinese name shown to staff."""
        return _LABELS[self]


_LABELS = {
    Source.ORDOS: "鄂尔多斯物业管理服务平台",
    Source.TENDER: "招投标平台",
    Source.UTILITY: "公用事业单位",
}


def utility_source(unit_code: str) -> str:
    """The source name of one utility company's connector."""
    return f"{Source.UTILITY.value}:{unit_code}"
