"""A utility company sandbox's records, generated per compound of the injected world.

The world has no utility records, so each company's are generated here from its compounds,
seeded by the seed and the company's kind: connection and meter tasks for compounds handed over
in the last three years (and meter renewals in older ones), and outages over the last 120 days,
a few still open. About one record in ten writes its compound's name the way the
company's own systems do (民悦A区小区, 西苑 for 西苑小区, full-width letters): the hub matches
compounds on the normalised name within a town.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from connectors.enums import UtilityKind
from connectors.sandbox_kit import Body, StoredRecord, WorldIndex, day, iso

OUTAGE_DAYS = 120
NEW_COMPOUND_YEARS = 3
RENEWAL_SHARE = 0.2  # older compounds with a meter renewal (入表) task
VARIANT_SHARE = 0.1
OUTAGE_REASONS = {
    UtilityKind.WATER: ("供水管网抢修", "二次供水设施清洗消毒", "市政供水管网改造"),
    UtilityKind.POWER: ("线路检修", "变压器故障抢修", "计划停电检修"),
    UtilityKind.GAS: ("燃气管道改造", "调压设施检修", "燃气泄漏排查"),
    UtilityKind.HEAT: ("换热站检修", "供热管网泄漏抢修", "循环泵故障"),
    UtilityKind.TELECOM: ("光缆中断抢修", "机房设备升级", "通信线路迁改"),
}


def build_records(demo: WorldIndex, seed: int, kind: UtilityKind) -> dict[str, list[StoredRecord]]:
    """Connection tasks (``CT-…``) and outages (``OUT-…``) of one company in every compound."""
    rng = random.Random(f"{seed}/sandbox/utility/{kind.value}")
    tasks: list[StoredRecord] = []
    outages: list[StoredRecord] = []
    for compound in demo.compound_rows:
        town, name = demo.compound[compound["id"]]
        for body, basis in _tasks(rng, demo.today, compound):
            body = {"townCode": town, "compoundName": compound_name(rng, name), **body}
            tasks.append(StoredRecord(f"CT-{len(tasks) + 1:06d}", demo.stamp(rng, basis), body))
        for body, basis in _outages(rng, demo, kind, compound["households"]):
            body = {"townCode": town, "compoundName": compound_name(rng, name), **body}
            outages.append(StoredRecord(f"OUT-{len(outages) + 1:06d}", basis, body))
    return {"connection_tasks": tasks, "outages": outages}


def compound_name(rng: random.Random, name: str) -> str:
    """The compound's name, or now and then a variant with the same normalised name."""
    if rng.random() >= VARIANT_SHARE:
        return name
    if any("A" <= ch <= "Z" for ch in name) and rng.random() < 0.5:
        return "".join(chr(ord(ch) + 0xFEE0) if "A" <= ch <= "Z" else ch for ch in name)
    if name.endswith("小区") and len(name) > 3:
        return name.removesuffix("小区")
    return f"{name}小区"


def task_body(
    kind: str, status: str, households: int, planned: date, due: date, completed: date | None
) -> Body:
    """A connection task's fields besides the compound."""
    return {
        "type": kind,
        "status": status,
        "households": households,
        "plannedOn": day(planned),
        "dueOn": day(due),
        "completedOn": day(completed),
    }


def _tasks(rng: random.Random, today: date, compound: Body) -> list[tuple[Body, date]]:
    households = compound["households"]
    plans: list[tuple[str, date, int]] = []
    if compound["built_year"] >= today.year - NEW_COMPOUND_YEARS:
        # A new compound: the network into the homes, then the meters.
        planned = date(compound["built_year"], rng.randint(3, 9), rng.randint(1, 28))
        plans.append(("管网入户", planned, households))
        plans.append(("入表", planned + timedelta(days=rng.randint(90, 200)), households))
    elif rng.random() < RENEWAL_SHARE:
        planned = today - timedelta(days=rng.randint(-60, 700))
        plans.append(("入表", planned, int(households * rng.uniform(0.3, 1.0))))
    out = []
    for kind, planned, count in plans:
        due = planned + timedelta(days=rng.randint(60, 180))
        completed = None
        if rng.random() < 0.04:
            status = "已取消"
        elif due < today - timedelta(days=30):
            status = "已完成"
            completed = due - timedelta(days=rng.randint(0, (due - planned).days))
        else:
            status = "施工中" if planned <= today else "计划"
        basis = completed or min(planned, today)
        out.append((task_body(kind, status, count, planned, due, completed), basis))
    return out


def _outages(
    rng: random.Random, demo: WorldIndex, kind: UtilityKind, households: int
) -> list[tuple[Body, datetime]]:
    out = []
    for _ in range(rng.choices((0, 1, 2, 3), weights=(55, 30, 10, 5))[0]):
        starts = demo.midnight - timedelta(minutes=rng.randint(30, OUTAGE_DAYS * 24 * 60))
        ends: datetime | None = starts + timedelta(minutes=rng.randint(60, 12 * 60))
        if ends is not None and ends >= demo.midnight - timedelta(minutes=1):
            ends = None  # still going on
        changed = (ends or starts) + timedelta(seconds=rng.randint(60, 1800))
        changed = min(changed, demo.midnight - timedelta(milliseconds=1))
        body = {
            "startsAt": iso(starts),
            "endsAt": iso(ends) if ends is not None else None,
            "reason": rng.choice(OUTAGE_REASONS[kind]),
            "affectedHouseholds": rng.randint(max(1, households // 10), households),
        }
        out.append((body, changed.replace(microsecond=rng.randrange(1000) * 1000)))
    return out
