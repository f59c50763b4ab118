"""`hub init` as an operator runs it: the banner's reference data into a migrated store, the key
of 住建局 as the last line, idempotent, and a store that disagrees or is not migrated refused."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from hub.app import create_app
from hub.config import Settings, get_settings
from hub.demo.load import load_demo_data
from hub.domain.enums import JurisdictionLevel, TownKind, UnitRole
from hub.reference import reference_data
from hub.store.migrate import upgrade_to_head
from hub.store.models import AuditEntry, Jurisdiction, MemberUnit
from hub.store.session import create_engine, create_sessionmaker
from tests.conftest import DEMO_TODAY, ScratchDatabases

ROOT = Path(__file__).resolve().parents[2]
WATCHED = ("jurisdictions", "member_units", "api_clients", "audit_log")


def run_init(
    *args: str, database_url: str, production: bool = False
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUB_DATABASE_URL": database_url, "HUB_ENV": "development"}
    if production:
        env |= {
            "HUB_ENV": "production",
            "HUB_PII_KEYS": json.dumps({"p1": base64.b64encode(os.urandom(32)).decode()}),
            "HUB_PII_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
        }
    return subprocess.run(
        [sys.executable, "-m", "hub.cli", "init", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def migrated(scratch: ScratchDatabases) -> str:
    url = await scratch.create()
    engine = create_engine(url)
    await upgrade_to_head(engine)
    await engine.dispose()
    return url


async def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables `hub init` may write, by id."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return {
                name: [
                    tuple(row)
                    for row in await connection.execute(
                        sa.text(f"SELECT * FROM {name} ORDER BY id")
                    )
                ]
                for name in WATCHED
            }
    finally:
        await engine.dispose()


async def viewer(url: str, key: str) -> dict[str, Any]:
    """`{ viewer { role unitCode } }` asked of the app over the store, with the key."""
    engine = create_engine(url)
    app = create_app(
        Settings(database_url=url), engine=engine, sessionmaker=create_sessionmaker(engine)
    )
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
        ) as client:
            response = await client.post(
                "/graphql",
                json={"query": "{ viewer { role unitCode } }"},
                headers={"Authorization": f"Bearer {key}"},
            )
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()["data"]["viewer"]
        return answer
    finally:
        await engine.dispose()


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


async def test_init_loads_the_reference_data_and_prints_a_working_key(
    scratch: ScratchDatabases,
) -> None:
    """On an empty migrated store: the banner, its nine town-level units, the seat's thirteen
    communities and every member unit are there, and the last line is a key of 住建局."""
    url = await migrated(scratch)
    done = await asyncio.to_thread(run_init, database_url=url)
    assert done.returncode == 0, done.stderr
    assert "23 added" in done.stderr and "33 added" in done.stderr
    key = last_line(done.stdout)
    assert key.startswith("hub_") and key not in done.stderr
    assert await viewer(url, key) == {"role": "competent_department", "unitCode": "zjj"}

    data = reference_data()
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            places = {j.code: j for j in (await session.scalars(sa.select(Jurisdiction))).all()}
            units = {u.code: u for u in (await session.scalars(sa.select(MemberUnit))).all()}
            entries = (await session.scalars(sa.select(AuditEntry))).all()
    finally:
        await engine.dispose()
    assert places["150627"].name == "伊金霍洛旗"
    towns = {p.name for p in places.values() if p.level is JurisdictionLevel.TOWN}
    assert towns == {
        "阿勒腾席热镇", "乌兰木伦镇", "伊金霍洛镇", "札萨克镇", "纳林陶亥镇", "红庆河镇",
        "苏布尔嘎镇", "水岸新城", "蒙苏经济开发区",
    }  # fmt: skip
    assert places["150627401"].town_kind is TownKind.OFFICE
    seat = places["150627100"]
    communities = [p for p in places.values() if p.level is JurisdictionLevel.COMMUNITY]
    assert len(communities) == 13 and all(c.parent_id == seat.id for c in communities)
    assert places["150627100001"].name == "园林社区"
    assert places["150627100013"].name == "王府路社区"
    assert not any(p.generated for p in places.values())
    assert set(units) == {unit.code for unit in data.units}
    assert units["zjj"].role is UnitRole.COMPETENT_DEPARTMENT
    assert units["town-150627401"].jurisdiction_id == places["150627401"].id
    assert units["community-150627100001"].jurisdiction_id == places["150627100001"].id
    assert {"cgj", "xfdd", "zzb", "xcb", "dcs"} <= set(units)
    assert {units[f"utility-{k}"].role for k in ("water", "power", "gas", "heat", "telecom")} == {
        UnitRole.UTILITY
    }
    (entry,) = entries
    assert (entry.action, entry.outcome, entry.subject_id) == ("referenceDataInit", "ok", "150627")
    assert entry.detail is not None
    assert entry.detail["jurisdictions_added"] == 23 and entry.detail["member_units_added"] == 33
    assert key not in str(entry.detail)  # only the key's prefix


async def test_a_second_run_changes_nothing_and_new_key_makes_a_key(
    scratch: ScratchDatabases,
) -> None:
    """A second run exits 0, writes nothing and prints no key (its last line says how to get
    one); with --new-key it prints a new, working key and adds nothing else."""
    url = await migrated(scratch)
    first = await asyncio.to_thread(run_init, database_url=url)
    assert first.returncode == 0, first.stderr
    before = await snapshot(url)

    second = await asyncio.to_thread(run_init, database_url=url)
    assert second.returncode == 0, second.stderr
    assert second.stdout == ""
    assert "no API key made" in last_line(second.stderr) and "--new-key" in last_line(second.stderr)
    assert "0 added, 23 already there" in second.stderr
    assert await snapshot(url) == before

    again = await asyncio.to_thread(run_init, "--new-key", database_url=url)
    assert again.returncode == 0, again.stderr
    key = last_line(again.stdout)
    assert key != last_line(first.stdout)
    assert await viewer(url, key) == {"role": "competent_department", "unitCode": "zjj"}
    after = await snapshot(url)
    for table in ("jurisdictions", "member_units"):
        assert after[table] == before[table]
    assert len(after["api_clients"]) == len(before["api_clients"]) + 1


async def test_init_works_in_production(scratch: ScratchDatabases) -> None:
    """HUB_ENV=production (where demo data is refused) loads the reference data the same way."""
    url = await migrated(scratch)
    done = await asyncio.to_thread(run_init, database_url=url, production=True)
    assert done.returncode == 0, done.stderr
    assert last_line(done.stdout).startswith("hub_")


async def test_a_store_that_disagrees_is_reported_and_left_alone(
    scratch: ScratchDatabases,
) -> None:
    """A community whose code the store gives another name: init names the code and both names,
    exits 1 and writes nothing (no place, no unit, no key, no audit entry)."""
    url = await migrated(scratch)
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session, session.begin():
        banner = Jurisdiction(code="150627", name="伊金霍洛旗", level=JurisdictionLevel.BANNER)
        session.add(banner)
        await session.flush()
        seat = Jurisdiction(
            code="150627100",
            name="阿勒腾席热镇",
            level=JurisdictionLevel.TOWN,
            town_kind=TownKind.TOWN,
            parent_id=banner.id,
        )
        session.add(seat)
        await session.flush()
        session.add(
            Jurisdiction(
                code="150627100001",
                name="另一个社区",
                level=JurisdictionLevel.COMMUNITY,
                parent_id=seat.id,
            )
        )
    await engine.dispose()
    before = await snapshot(url)

    done = await asyncio.to_thread(run_init, database_url=url)
    assert done.returncode == 1
    assert (
        "150627100001" in done.stderr and "另一个社区" in done.stderr and "园林社区" in done.stderr
    )
    assert "nothing was changed" in done.stderr
    assert done.stdout == ""
    assert await snapshot(url) == before
    assert "Traceback" not in done.stderr


async def test_a_member_unit_in_another_role_is_a_conflict(scratch: ScratchDatabases) -> None:
    """A unit zjj that the store holds as a town unit: refused (its keys would get another
    role's rights), nothing written."""
    url = await migrated(scratch)
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session, session.begin():
        banner = Jurisdiction(code="150627", name="伊金霍洛旗", level=JurisdictionLevel.BANNER)
        session.add(banner)
        await session.flush()
        session.add(
            MemberUnit(code="zjj", name="住建局", role=UnitRole.TOWN, jurisdiction_id=banner.id)
        )
    await engine.dispose()
    before = await snapshot(url)
    done = await asyncio.to_thread(run_init, database_url=url)
    assert done.returncode == 1
    assert "member unit zjj" in done.stderr and "role is town" in done.stderr
    assert await snapshot(url) == before


async def test_an_unmigrated_store_is_refused(scratch: ScratchDatabases) -> None:
    """Before `hub migrate`: a clear message naming the command, exit 2, no traceback."""
    url = await scratch.create()
    done = await asyncio.to_thread(run_init, database_url=url)
    assert done.returncode == 2
    assert "hub migrate" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


async def test_a_store_with_the_demo_data_needs_only_what_the_demo_lacks(
    scratch: ScratchDatabases,
) -> None:
    """The demo data holds the reference data's places and units (one source): init adds only
    蒙苏经济开发区 and its unit, keeps the demo's utility names, and makes no key (the demo's
    key of 住建局 is in force)."""
    url = await migrated(scratch)
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session, session.begin():
        await load_demo_data(
            session, settings=get_settings(), today=DEMO_TODAY.date(), upstream=False
        )
    async with create_sessionmaker(engine)() as session, session.begin():
        from hub.services import identity

        await identity.create_demo_clients(session)
    await engine.dispose()

    done = await asyncio.to_thread(run_init, database_url=url)
    assert done.returncode == 0, done.stderr
    assert "jurisdictions: 1 added, 22 already there" in done.stderr
    assert "member units:  1 added, 32 already there" in done.stderr
    assert "蒙苏经济开发区" in done.stderr and "utility-water" in done.stderr
    assert done.stdout == ""
    again = await asyncio.to_thread(run_init, database_url=url)
    assert again.returncode == 0 and "0 added, 23 already there" in again.stderr
