"""`Statistics.provenance`: where the synced data behind the town figures came from and how old."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.enums import UnitRole, UtilityKind
from hub.store import models as m
from tests.conftest import DEMO_TODAY, GraphQLCall
from tests.factories import add_connection_task

QUERY = """query($t: String) {
  statistics(townCode: $t) { total { openConnectionTasks }
                             provenance { source sourceLabel syncedAt stale } }
}"""


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def _oldest_contract_sync(session: AsyncSession, town_id: int | None) -> datetime:
    contract = m.ServiceContract
    stmt = (
        sa.select(sa.func.min(contract.synced_at))
        .join(m.Compound, m.Compound.id == contract.compound_id)
        .where(contract.source == "ordos", contract.deleted_at.is_(None))
    )
    if town_id is not None:
        stmt = stmt.where(m.Compound.town_id == town_id)
    oldest = await session.scalar(stmt)
    assert oldest is not None
    return oldest


async def test_statistics_provenance_gives_the_oldest_contract_sync_of_the_scope(
    gql: GraphQLCall, session: AsyncSession
) -> None:
    """The banner and a town each name the Ordos platform with their oldest contract sync."""
    town = await session.scalar(sa.select(m.Jurisdiction).where(m.Jurisdiction.code == "150627101"))
    assert town is not None
    banner = (await gql(QUERY))["data"]["statistics"]["provenance"]
    one_town = (await gql(QUERY, t=town.code))["data"]["statistics"]["provenance"]
    for entries, town_id in ((banner, None), (one_town, town.id)):
        assert [e["source"] for e in entries] == ["ordos"]
        assert entries[0]["sourceLabel"] == "鄂尔多斯物业管理服务平台"
        expected = await _oldest_contract_sync(session, town_id)
        assert _parse(entries[0]["syncedAt"]) == expected
        # No sync ran over the demo data: staleness is the age of that oldest copy alone.
        assert entries[0]["stale"] == (DEMO_TODAY - expected > timedelta(hours=36))
    assert _parse(one_town[0]["syncedAt"]) >= _parse(banner[0]["syncedAt"])


async def test_statistics_provenance_names_a_utility_behind_the_backlog(
    gql: GraphQLCall, session: AsyncSession
) -> None:
    """A utility's connection task counted in the backlog adds that utility as a source."""
    compound = await session.scalar(sa.select(m.Compound).order_by(m.Compound.id).limit(1))
    utility = await session.scalar(
        sa.select(m.MemberUnit).where(m.MemberUnit.role == UnitRole.UTILITY).limit(1)
    )
    assert compound is not None and utility is not None
    synced = DEMO_TODAY - timedelta(hours=2)
    await add_connection_task(
        session,
        compound=compound,
        utility=utility,
        utility_kind=UtilityKind.GAS,
        source="utility:utility-gas",
        source_id="provenance-test-1",
        synced_at=synced,
    )
    await session.commit()
    town = await session.scalar(
        sa.select(m.Jurisdiction).where(m.Jurisdiction.id == compound.town_id)
    )
    assert town is not None
    stats = (await gql(QUERY, t=town.code))["data"]["statistics"]
    assert stats["total"]["openConnectionTasks"] >= 1
    gas = [e for e in stats["provenance"] if e["source"] == "utility:utility-gas"]
    assert len(gas) == 1
    assert _parse(gas[0]["syncedAt"]) == synced
    assert gas[0]["stale"] is False
    assert [e["source"] for e in stats["provenance"]] == sorted(
        e["source"] for e in stats["provenance"]
    )
