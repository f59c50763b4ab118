"""Reading tenders from the tender platform (R6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from hub.domain.access import Principal
from hub.domain.enums import SelectionMethod, TenderStatus
from hub.domain.identifiers import validate_uscc
from hub.services.jurisdictions import get_jurisdiction_id_or_raise
from hub.services.paging import Ordering, SortKey
from hub.services.scope import narrow
from hub.store.models import Compound, Enterprise, Tender, TenderBid

ORDERINGS = {
    "ANNOUNCED_DESC": Ordering(
        "ANNOUNCED_DESC",
        (SortKey(Tender.announced_on, descending=True), SortKey(Tender.id, descending=True)),
    ),
    "CODE": Ordering("CODE", (SortKey(Tender.code), SortKey(Tender.id))),
}


@dataclass(frozen=True, slots=True)
class TenderFilter:
    """Conditions on tenders; None means no condition."""

    status: TenderStatus | None = None
    selection: SelectionMethod | None = None
    town_code: str | None = None
    bidder_uscc: str | None = None
    year: int | None = None


async def select_tenders(
    session: AsyncSession, *, where: TenderFilter, principal: Principal
) -> sa.Select[Tender]:
    """The SELECT of the tenders matching the filter, within the principal's jurisdiction."""
    conditions: list[ColumnElement[bool]] = [Tender.deleted_at.is_(None)]
    if where.status is not None:
        conditions.append(Tender.status == where.status)
    if where.selection is not None:
        conditions.append(Tender.selection == where.selection)
    if where.town_code is not None:
        town = await get_jurisdiction_id_or_raise(
            session, code=where.town_code, field="filter.townCode"
        )
        in_town = sa.select(Compound.id).where(Compound.town_id == town)
        conditions.append(Tender.compound_id.in_(in_town))
    if where.bidder_uscc is not None:
        uscc = validate_uscc(where.bidder_uscc, field="filter.bidderUscc")
        bidders = (
            sa.select(TenderBid.tender_id)
            .join(Enterprise, Enterprise.id == TenderBid.enterprise_id)
            .where(Enterprise.uscc == uscc)
        )
        conditions.append(Tender.id.in_(bidders))
    if where.year is not None:
        conditions.append(
            Tender.announced_on.between(date(where.year, 1, 1), date(where.year, 12, 31))
        )
    return narrow(sa.select(Tender).where(*conditions), Tender, principal)
