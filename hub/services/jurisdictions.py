"""Reading the banner's jurisdictions (towns, the 水岸新城 office, communities)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from hub.domain.enums import JurisdictionLevel
from hub.errors import BadUserInput
from hub.services.records import live
from hub.store.models import Compound, Jurisdiction


async def list_towns(session: AsyncSession) -> Sequence[Jurisdiction]:
    """The town-level jurisdictions, by code."""
    stmt = (
        sa.select(Jurisdiction)
        .where(Jurisdiction.level == JurisdictionLevel.TOWN, live(Jurisdiction))
        .order_by(Jurisdiction.code)
    )
    return (await session.scalars(stmt)).all()


async def get_jurisdiction_id_or_raise(session: AsyncSession, *, code: str, field: str) -> int:
    """The id of the jurisdiction with this code, or BAD_USER_INPUT naming the filter field."""
    found = await session.scalar(sa.select(Jurisdiction.id).where(Jurisdiction.code == code))
    if found is None:
        raise BadUserInput(f"{field}: no town or community has the code {code!r}", field=field)
    return found


async def get_place_conditions(
    session: AsyncSession, *, town_code: str | None, community_code: str | None
) -> list[ColumnElement[bool]]:
    """Conditions putting a compound in the town and/or community with these codes (filters)."""
    conditions: list[ColumnElement[bool]] = []
    if town_code is not None:
        town = await get_jurisdiction_id_or_raise(session, code=town_code, field="filter.townCode")
        conditions.append(Compound.town_id == town)
    if community_code is not None:
        community = await get_jurisdiction_id_or_raise(
            session, code=community_code, field="filter.communityCode"
        )
        conditions.append(Compound.community_id == community)
    return conditions
