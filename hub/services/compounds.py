"""Reading compounds: filters, orderings, and the current-service rule of lists and statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from hub.domain.access import Principal
from hub.domain.enums import CommitteeStatus
from hub.errors import NotFound
from hub.services.jurisdictions import get_place_conditions
from hub.services.paging import Ordering, SortKey
from hub.services.records import live
from hub.services.scope import narrow
from hub.store.models import Compound, OwnersCommittee, ServiceContract

ORDERINGS = {
    "NAME": Ordering("NAME", (SortKey(Compound.name), SortKey(Compound.id))),
    "CODE": Ordering("CODE", (SortKey(Compound.code), SortKey(Compound.id))),
    "HOUSEHOLDS_DESC": Ordering(
        "HOUSEHOLDS_DESC", (SortKey(Compound.households, descending=True), SortKey(Compound.id))
    ),
}


def contract_current(on: date) -> ColumnElement[bool]:
    """A live service contract in force on the date (started, not ended, not deleted)."""
    return sa.and_(
        ServiceContract.deleted_at.is_(None),
        ServiceContract.starts_on <= on,
        sa.or_(ServiceContract.ends_on.is_(None), ServiceContract.ends_on >= on),
    )


def has_enterprise(on: date) -> ColumnElement[bool]:
    """The compound is served by a property enterprise on the date (覆盖)."""
    return (
        sa.select(ServiceContract.id)
        .where(ServiceContract.compound_id == Compound.id, contract_current(on))
        .exists()
    )


def has_committee() -> ColumnElement[bool]:
    """The compound has an owners' committee that is not dissolved (组建)."""
    return (
        sa.select(OwnersCommittee.id)
        .where(
            OwnersCommittee.compound_id == Compound.id,
            OwnersCommittee.status != CommitteeStatus.DISSOLVED,
        )
        .exists()
    )


@dataclass(frozen=True, slots=True)
class CompoundFilter:
    """Conditions on compounds; None means no condition."""

    town_code: str | None = None
    community_code: str | None = None
    has_committee: bool | None = None
    has_enterprise: bool | None = None
    name_contains: str | None = None


async def select_compounds(
    session: AsyncSession, *, where: CompoundFilter, on: date, principal: Principal
) -> sa.Select[Compound]:
    """The SELECT of the compounds matching the filter, within the principal's jurisdiction."""
    conditions: list[ColumnElement[bool]] = [live(Compound)]
    conditions += await get_place_conditions(
        session, town_code=where.town_code, community_code=where.community_code
    )
    if where.has_committee is not None:
        clause = has_committee()
        conditions.append(clause if where.has_committee else ~clause)
    if where.has_enterprise is not None:
        clause = has_enterprise(on)
        conditions.append(clause if where.has_enterprise else ~clause)
    if where.name_contains:
        conditions.append(Compound.name.contains(where.name_contains.strip(), autoescape=True))
    return narrow(sa.select(Compound).where(*conditions), Compound, principal)


async def get_by_code_or_raise(session: AsyncSession, *, code: str) -> Compound:
    """The compound with this code, or NOT_FOUND."""
    compound = await session.scalar(sa.select(Compound).where(Compound.code == code))
    if compound is None:
        raise NotFound(f"no compound has the code {code!r}", compoundCode=code)
    return compound


def current_contracts_stmt(compound_ids: Any, on: date) -> sa.Select[ServiceContract]:
    """Contracts in force on the date for the given compounds."""
    return sa.select(ServiceContract).where(
        ServiceContract.compound_id.in_(compound_ids), contract_current(on)
    )
