"""Enterprises' local data: an enterprise not yet on the Ordos platform, registered in the hub by
住建局 (``Permission.WRITE_ENTERPRISES``) so that contracts, assessments and the ledger can name
it before the platform does.

Such a record is local (no ``source``). The platform's copy wins once it syncs: the sync adopts a
row registered before by its USCC (``hub.sync.apply``, the enterprises' natural key) and writes
every field and its provenance over it; from then on the record is the platform's and is changed
there, not here. ``field_sources`` tells which source each field of a record came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.enums import EnterpriseStatus
from hub.domain.field_values import choice, day, decimal, text, uscc
from hub.domain.identifiers import uscc_area_code
from hub.domain.master_data import check_record
from hub.domain.sources import Source
from hub.services.master_data import (
    DUPLICATE,
    IMMUTABLE,
    Changed,
    Invalid,
    Problem,
    assign,
    problems_of,
    raise_if,
)
from hub.store.models import Enterprise

LOCAL = "local"
"""The source of a field entered in the hub (as ``Provenance.source`` None is shown)."""
SYNCED = "SYNCED"
"""Problem code of a change to an enterprise whose record is the platform's."""

STATUS_LABELS: dict[EnterpriseStatus, str] = {
    EnterpriseStatus.ACTIVE: "存续",
    EnterpriseStatus.SUSPENDED: "停业",
    EnterpriseStatus.REVOKED: "吊销",
    EnterpriseStatus.DEREGISTERED: "注销",
}
FIELDS = (
    "uscc",
    "name",
    "legal_representative",
    "registered_address",
    "area_code",
    "registered_capital",
    "founded_on",
    "status",
)
"""The registration fields, each from one source (the platform maps every one of them)."""


def _fields(today: date) -> dict[str, tuple[bool, Any]]:
    def founded(value: object, key: str) -> date:
        return day(value, key, earliest=date(1949, 10, 1), latest=today)

    return {
        "uscc": (True, uscc),
        "name": (True, lambda v, k: text(v, k, max_length=200)),
        "legal_representative": (True, lambda v, k: text(v, k, max_length=50)),
        "registered_address": (True, lambda v, k: text(v, k, max_length=200)),
        "registered_capital": (True, lambda v, k: decimal(v, k, minimum=0, maximum=10_000_000)),
        "founded_on": (True, founded),
        "status": (False, lambda v, k: choice(v, k, STATUS_LABELS)),
    }


def _check(values: Mapping[str, Any], *, today: date, partial: bool) -> dict[str, Any]:
    checked = check_record(values, _fields(today), partial=partial)
    raise_if(problems_of(checked.problems))
    if "status" in checked.values and checked.values["status"] is None:
        if partial:
            del checked.values["status"]  # null in an update: unchanged
        else:
            checked.values["status"] = EnterpriseStatus.ACTIVE  # a new one is 存续
    return checked.values


def field_sources(record: Enterprise) -> dict[str, str]:
    """Field key → the source it came from: ``local`` until the platform's copy is synced, the
    platform's name after (its copy replaces every field)."""
    return {key: record.source or LOCAL for key in FIELDS}


def source_label(source: str) -> str:
    """The Chinese name of a source, for the answer."""
    if source == LOCAL:
        return "本系统录入"
    try:
        return Source(source.split(":", 1)[0]).label
    except ValueError:
        return source


async def create_enterprise(
    session: AsyncSession, *, values: Mapping[str, Any], today: date
) -> Changed[Enterprise]:
    """A local enterprise from its field keys (``uscc``, ``name``, ``legal_representative``,
    ``registered_address``, ``registered_capital``, ``founded_on``, ``status``); the area
    code is the USCC's. A USCC the store already holds (local or synced) is refused."""
    checked = _check(values, today=today, partial=False)
    found = await session.scalar(sa.select(Enterprise).where(Enterprise.uscc == checked["uscc"]))
    if found is not None:
        whose = source_label(found.source or LOCAL)
        raise Invalid(
            [Problem("uscc", DUPLICATE, f"该统一社会信用代码的企业已登记（来源：{whose}）")]
        )
    enterprise = Enterprise(**checked, area_code=uscc_area_code(checked["uscc"]), generated=False)
    session.add(enterprise)
    await session.flush()
    changed = Changed(enterprise, created=True)
    for key in FIELDS:
        changed.note(key, None, getattr(enterprise, key))
    return changed


async def update_enterprise(
    session: AsyncSession, *, enterprise_id: int, values: Mapping[str, Any], today: date
) -> Changed[Enterprise]:
    """Change a local enterprise's fields (the keys given); the USCC stays (it is how the
    platform's copy finds the record), and a record the platform has synced is the platform's."""
    if "uscc" in values:
        raise Invalid([Problem("uscc", IMMUTABLE, "统一社会信用代码不能修改")])
    checked = _check(values, today=today, partial=True)
    enterprise = await session.scalar(
        sa.select(Enterprise).where(Enterprise.id == enterprise_id).with_for_update()
    )
    if enterprise is None:
        raise Invalid([Problem("id", "NOT_FOUND", "没有此企业")])
    if enterprise.source is not None:
        whose = source_label(enterprise.source)
        raise Invalid(
            [Problem("id", SYNCED, f"该企业的数据来自{whose}，以平台数据为准：请在平台上修改")]
        )
    changed = Changed(enterprise)
    assign(changed, checked)
    await session.flush()
    return changed
