"""Imports of communities and member units: good files, bad files, re-imports, updates, and who
may import them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.domain.enums import JurisdictionLevel, UnitRole, UtilityKind
from hub.errors import Forbidden
from hub.imports.rows import Outcome
from hub.store.models import Jurisdiction, MemberUnit
from tests.fixtures.imports import SEAT_COMMUNITY, SEAT_TOWN, TOWN_UNIT, codes, csv_bytes, run, xlsx

Maker = async_sessionmaker[AsyncSession]
COMMUNITY_HEADER = ["社区编码", "社区名称", "所属镇编码"]
UNIT_HEADER = ["单位编码", "单位名称", "角色", "所属辖区编码", "专营类别"]
OTHER_TOWN = "150627101"


async def _place(maker: Maker, code: str) -> Jurisdiction | None:
    async with maker() as session:
        found: Jurisdiction | None = await session.scalar(
            sa.select(Jurisdiction).where(Jurisdiction.code == code)
        )
        return found


async def _unit(maker: Maker, code: str) -> MemberUnit | None:
    async with maker() as session:
        found: MemberUnit | None = await session.scalar(
            sa.select(MemberUnit).where(MemberUnit.code == code)
        )
        return found


async def test_communities_are_added_re_imported_and_renamed(sessionmaker: Maker) -> None:
    """A town adds communities to itself; the same file again is unchanged; a new name is an
    update."""
    rows = [["150627100901", "新华社区", SEAT_TOWN], ["150627100902", "新民社区", SEAT_TOWN]]
    first = await run(
        sessionmaker, "communities", xlsx(COMMUNITY_HEADER, rows), unit=TOWN_UNIT, commit=True
    )
    assert first.counts.new == 2 and first.written
    town = await _place(sessionmaker, SEAT_TOWN)
    added = await _place(sessionmaker, "150627100901")
    assert town is not None and added is not None
    assert (added.name, added.level, added.parent_id) == (
        "新华社区",
        JurisdictionLevel.COMMUNITY,
        town.id,
    )
    again = await run(
        sessionmaker, "communities", xlsx(COMMUNITY_HEADER, rows), unit=TOWN_UNIT, commit=True
    )
    assert again.counts.unchanged == 2 and not again.written
    rows[1][1] = "新民东社区"
    renamed = await run(sessionmaker, "communities", xlsx(COMMUNITY_HEADER, rows), commit=True)
    assert [r.outcome for r in renamed.rows] == [Outcome.UNCHANGED, Outcome.UPDATED]
    changed = await _place(sessionmaker, "150627100902")
    assert changed is not None and changed.name == "新民东社区"


async def test_bad_communities_are_refused_by_row(sessionmaker: Maker) -> None:
    """A town outside the importer's jurisdiction, a code that is a town's, a move to another
    town, a duplicate, a missing name: each on its row and column."""
    rows = [
        ["150627101901", "远方社区", OTHER_TOWN],  # 2: another town's
        [SEAT_TOWN, "冒名社区", SEAT_TOWN],  # 3: the code of a town
        [SEAT_COMMUNITY, "园林社区", OTHER_TOWN],  # 4: another town (and not the importer's)
        ["150627100903", "", SEAT_TOWN],  # 5
        ["150627100904", "好社区", SEAT_TOWN],  # 6
        ["150627100904", "好社区二", SEAT_TOWN],  # 7
    ]
    result = await run(
        sessionmaker,
        "communities",
        csv_bytes(["code", "name", "town_code"], rows),
        name="c.csv",
        unit=TOWN_UNIT,
    )
    assert codes(result) == {
        (2, "town_code", "NOT_FOUND"),
        (3, "code", "TAKEN"),
        (4, "town_code", "NOT_FOUND"),
        (5, "name", "REQUIRED"),
        (7, "code", "DUPLICATE_IN_FILE"),
    }
    moved = await run(
        sessionmaker,
        "communities",
        csv_bytes(COMMUNITY_HEADER, [[SEAT_COMMUNITY, "园林社区", OTHER_TOWN]]),
        name="c.csv",
    )
    assert codes(moved) == {(2, "town_code", "IMMUTABLE")}


async def test_member_units_are_imported_by_zjj_only(sessionmaker: Maker) -> None:
    """住建局 adds and updates member units; the role fixes the level of the jurisdiction and
    the utility kind; a town may not import member units."""
    rows = [
        ["utility-water-2", "伊金霍洛旗第二水务公司", "专营单位", None, "供水"],
        [f"community-{SEAT_COMMUNITY}-b", "园林社区二组", "community", SEAT_COMMUNITY, None],
    ]
    first = await run(sessionmaker, "member-units", xlsx(UNIT_HEADER, rows), commit=True)
    assert first.counts.new == 2, list(first.problems())
    water = await _unit(sessionmaker, "utility-water-2")
    assert water is not None and (water.role, water.utility_kind) == (
        UnitRole.UTILITY,
        UtilityKind.WATER,
    )
    again = await run(sessionmaker, "member-units", xlsx(UNIT_HEADER, rows), commit=True)
    assert again.counts.unchanged == 2
    rows[0][1] = "伊金霍洛旗第二水务有限公司"
    updated = await run(sessionmaker, "member-units", xlsx(UNIT_HEADER, rows), commit=True)
    assert updated.counts.updated == 1
    bad = [
        ["u-1", "某公司", "专营单位", None, None],  # 2: utility kind missing
        ["u-2", "某社区", "社区", SEAT_TOWN, None],  # 3: a town is no community
        ["u-3", "某部门", "局", None, None],  # 4: unknown role
        ["u-4", "某镇", "town", "NOPE", None],  # 5: no such place
    ]
    refused = await run(sessionmaker, "member-units", xlsx(UNIT_HEADER, bad))
    assert codes(refused) == {
        (2, "utility_kind", "REQUIRED"),
        (3, "jurisdiction_code", "INCONSISTENT"),
        (4, "role", "UNKNOWN_VALUE"),
        (5, "jurisdiction_code", "NOT_FOUND"),
    }
    rows[1][2] = "town"
    role = await run(sessionmaker, "member-units", xlsx(UNIT_HEADER, rows))
    assert (3, "role", "IMMUTABLE") in codes(role)
    with pytest.raises(Forbidden):
        await run(sessionmaker, "member-units", xlsx(UNIT_HEADER, rows), unit=TOWN_UNIT)
