"""The KINDs of the import contract, and the ones this hub can import.

Every KIND of the contract is listed in ``KNOWN_KINDS`` with its Chinese name; a KIND is
available when its module ``hub.imports.kinds.<kind>`` exists (``member-units`` →
``member_units``): adding one is writing that module, nothing else. A KIND of the contract
without its module is refused as "not yet available", a name outside the contract as unknown.
"""

from __future__ import annotations

import importlib
import importlib.util

from hub.imports.kinds import Kind
from hub.imports.rows import KindNotAvailable, UnknownKind

KNOWN_KINDS: dict[str, str] = {
    "member-units": "成员单位",
    "communities": "社区",
    "compounds": "小区",
    "residents": "住户",
    "committees": "业主委员会",
    "committee-members": "业主委员会成员",
    "enterprises": "物业企业",
    "service-contracts": "物业服务合同",
    "assessments": "考核",
    "owner-credit": "业主信用记录",
    "ledger-items": "台账（大排查）",
}
"""Every KIND of the contract (``hub import template KIND``), with its name in Chinese."""


def _module(kind: str) -> str:
    return f"hub.imports.kinds.{kind.replace('-', '_')}"


def is_available(kind: str) -> bool:
    """Whether this hub can import the KIND."""
    return kind in KNOWN_KINDS and importlib.util.find_spec(_module(kind)) is not None


def available_kinds() -> list[str]:
    """The KINDs this hub imports, in the contract's order."""
    return [kind for kind in KNOWN_KINDS if is_available(kind)]


def get_kind(name: str) -> Kind:
    """The KIND of this name, or ``UnknownKind`` / ``KindNotAvailable`` saying which exist."""
    kind = name.strip().lower()
    if kind not in KNOWN_KINDS:
        known = ", ".join(KNOWN_KINDS)
        raise UnknownKind(f"未知的导入类型“{name[:40]}”：可用的类型为 {known}", field="kind")
    if not is_available(kind):
        ready = ", ".join(available_kinds())
        raise KindNotAvailable(
            f"导入类型 {kind}（{KNOWN_KINDS[kind]}）尚未开放；目前可导入：{ready}", field="kind"
        )
    found = getattr(importlib.import_module(_module(kind)), "KIND", None)
    if not isinstance(found, Kind):
        raise RuntimeError(f"{_module(kind)} defines no KIND")
    return found
