"""Reading enterprises: filters, orderings and look-up by USCC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from hub.domain.enums import EnterpriseStatus
from hub.domain.identifiers import validate_uscc
from hub.errors import NotFound
from hub.services.compounds import contract_current
from hub.services.jurisdictions import get_jurisdiction_id_or_raise
from hub.services.paging import Ordering, SortKey
from hub.store.models import Compound, Enterprise, ServiceContract

ORDERINGS = {
    "NAME": Ordering("NAME", (SortKey(Enterprise.name), SortKey(Enterprise.id))),
    "USCC": Ordering("USCC", (SortKey(Enterprise.uscc), SortKey(Enterprise.id))),
    # Enterprises without a published score sort last (as if they scored -1).
    "CREDIT_SCORE_DESC": Ordering(
        "CREDIT_SCORE_DESC",
        (
            SortKey(sa.func.coalesce(Enterprise.credit_score, -1.0), descending=True),
            SortKey(Enterprise.id),
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class EnterpriseFilter:
    """Conditions on enterprises; None means no condition."""

    name_contains: str | None = None
    uscc: str | None = None
    status: EnterpriseStatus | None = None
    credit_grades: tuple[str, ...] | None = None
    serves_town_code: str | None = None


async def select_enterprises(
    session: AsyncSession, *, where: EnterpriseFilter, on: date
) -> sa.Select[Enterprise]:
    """The SELECT of the enterprises matching the filter."""
    conditions: list[ColumnElement[bool]] = [Enterprise.deleted_at.is_(None)]
    if where.name_contains:
        conditions.append(Enterprise.name.contains(where.name_contains.strip(), autoescape=True))
    if where.uscc is not None:
        conditions.append(Enterprise.uscc == validate_uscc(where.uscc, field="filter.uscc"))
    if where.status is not None:
        conditions.append(Enterprise.status == where.status)
    if where.credit_grades is not None:
        conditions.append(Enterprise.credit_grade.in_(where.credit_grades))
    if where.serves_town_code is not None:
        town = await get_jurisdiction_id_or_raise(
            session, code=where.serves_town_code, field="filter.servesTownCode"
        )
        serves = (
            sa.select(ServiceContract.id)
            .join(Compound, Compound.id == ServiceContract.compound_id)
            .where(
                ServiceContract.enterprise_id == Enterprise.id,
                Compound.town_id == town,
                contract_current(on),
            )
            .exists()
        )
        conditions.append(serves)
    return sa.select(Enterprise).where(*conditions)


async def get_by_uscc_or_raise(session: AsyncSession, *, uscc: str) -> Enterprise:
    """The enterprise with this USCC, or NOT_FOUND (BAD_USER_INPUT when the USCC is invalid)."""
    code = validate_uscc(uscc, field="uscc")
    enterprise = await session.scalar(sa.select(Enterprise).where(Enterprise.uscc == code))
    if enterprise is None:
        raise NotFound(f"no enterprise has the USCC {code}", uscc=code)
    return enterprise
