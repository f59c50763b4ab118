"""Reading owners' committees (R9)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from hub.domain.enums import CommitteeStatus
from hub.services.jurisdictions import compound_place
from hub.services.paging import Ordering, SortKey
from hub.store.models import Compound, OwnersCommittee

ORDERINGS = {
    "FOUNDED_ON": Ordering(
        "FOUNDED_ON", (SortKey(OwnersCommittee.founded_on), SortKey(OwnersCommittee.id))
    ),
    "COMPOUND_CODE": Ordering(
        "COMPOUND_CODE", (SortKey(Compound.code), SortKey(OwnersCommittee.id))
    ),
}


@dataclass(frozen=True, slots=True)
class CommitteeFilter:
    """Conditions on committees; None means no condition."""

    town_code: str | None = None
    community_code: str | None = None
    status: CommitteeStatus | None = None


async def select_committees(
    session: AsyncSession, *, where: CommitteeFilter
) -> sa.Select[tuple[OwnersCommittee]]:
    """The SELECT of the committees matching the filter (joined to their compound)."""
    conditions: list[ColumnElement[bool]] = []
    conditions += await compound_place(
        session, town_code=where.town_code, community_code=where.community_code
    )
    if where.status is not None:
        conditions.append(OwnersCommittee.status == where.status)
    return (
        sa.select(OwnersCommittee)
        .join(Compound, Compound.id == OwnersCommittee.compound_id)
        .where(*conditions)
    )
