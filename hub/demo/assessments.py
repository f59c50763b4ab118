"""Demo assessments (R8): semi-annual 100-point assessments and daily inspections.

Every ACTIVE enterprise is assessed by 住建局 at the end of each half-year from two years before
``today`` (for the default day: 2024, 2025 and the first half of 2026); these are local records.
Towns and communities inspect the compounds an enterprise served on the day, 4–8 times a year,
deducting points by item; those come from the Ordos platform. An enterprise's quality (from its
credit profile) sets how many points it earns, so rankings agree with credit grades.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from hub.demo.common import LOCAL, Context, Row, random_date
from hub.demo.contracts import Contracts
from hub.demo.enterprises import Enterprises
from hub.demo.geography import Geography
from hub.domain.enums import AssessmentKind
from hub.domain.sources import Source

# The 100-point form of the semi-annual assessment: (item code, item, maximum points).
SEMI_ANNUAL_ITEMS = (
    ("S01", "服务质量", 15.0),
    ("S02", "安全管理", 15.0),
    ("S03", "设施设备维护", 15.0),
    ("S04", "环境卫生", 15.0),
    ("S05", "秩序维护", 10.0),
    ("S06", "收费公示", 10.0),
    ("S07", "投诉处理", 10.0),
    ("S08", "业主满意度", 10.0),
)
# Items a daily inspection deducts points for.
INSPECTION_ITEMS = (
    ("D01", "消防通道堵塞"),
    ("D02", "垃圾清运不及时"),
    ("D03", "绿化养护不到位"),
    ("D04", "电梯故障未及时处置"),
    ("D05", "收费标准未公示"),
    ("D06", "安全巡查记录缺失"),
    ("D07", "投诉处理超时"),
    ("D08", "公共照明损坏未修复"),
    ("D09", "监控设施未正常运行"),
    ("D10", "二次供水设施未按期清洗"),
)
INSPECTION_NOTES = ("已责令限期整改", "已现场整改", "已录入台账督办", None)

# One line of an assessment: item code, item, maximum points (or None), points, note.
Line = tuple[str, str, float | None, float, str | None]


@dataclass(slots=True)
class Assessments:
    """The rows of the assessment tables."""

    assessments: list[Row] = field(default_factory=list)
    items: list[Row] = field(default_factory=list)


def build_assessments(
    ctx: Context, geo: Geography, enterprises: Enterprises, contracts: Contracts
) -> Assessments:
    """Semi-annual assessments and daily inspections of every ACTIVE enterprise."""
    rng = ctx.rng("assessments")
    out = Assessments()
    compounds = {c["id"]: c for c in geo.compounds}
    served: dict[int, list[Row]] = {}
    for contract in contracts.service_contracts:
        served.setdefault(contract["enterprise_id"], []).append(contract)
    years = range(ctx.today.year - 2, ctx.today.year + 1)
    for enterprise_id in enterprises.active_ids():
        quality = enterprises.quality[enterprise_id]
        for year in years:
            for half, assessed_on in ((1, date(year, 6, 30)), (2, date(year, 12, 31))):
                if assessed_on < ctx.today:
                    _semi_annual(ctx, rng, out, geo, enterprise_id, quality, half, assessed_on)
            first, last = date(year, 1, 1), min(date(year, 12, 31), ctx.today)
            serving = [
                c
                for c in served.get(enterprise_id, [])
                if c["starts_on"] <= last and (c["ends_on"] is None or c["ends_on"] >= first)
            ]
            for _ in range(rng.randint(4, 8) if serving else 0):
                contract = rng.choice(serving)
                compound = compounds[contract["compound_id"]]
                on = random_date(
                    rng, max(first, contract["starts_on"]), min(last, contract["ends_on"] or last)
                )
                _inspection(ctx, rng, out, geo, enterprise_id, quality, compound, on)
    return out


def _semi_annual(
    ctx: Context,
    rng: random.Random,
    out: Assessments,
    geo: Geography,
    enterprise_id: int,
    quality: float,
    half: int,
    assessed_on: date,
) -> None:
    lines: list[Line] = []
    for code, name, max_points in SEMI_ANNUAL_ITEMS:
        share = min(1.0, max(0.0, rng.gauss(quality, 0.05)))
        lines.append((code, name, max_points, round(max_points * share * 2) / 2, None))
    _assessment(
        ctx,
        out,
        lines,
        enterprise_id=enterprise_id,
        compound_id=None,
        kind=AssessmentKind.SEMI_ANNUAL,
        year=assessed_on.year,
        half=half,
        assessed_on=assessed_on,
        assessor_id=geo.competent_unit_id,
        **LOCAL,
    )


def _inspection(
    ctx: Context,
    rng: random.Random,
    out: Assessments,
    geo: Geography,
    enterprise_id: int,
    quality: float,
    compound: Row,
    on: date,
) -> None:
    # Weaker enterprises are found with more problems, and bigger ones.
    count = 1 + (rng.random() > quality) + (rng.random() > quality + 0.1)
    lines: list[Line] = [
        (code, name, None, rng.randint(1, 10) / 2, rng.choice(INSPECTION_NOTES))
        for code, name in sorted(rng.sample(INSPECTION_ITEMS, count))
    ]
    assessor = rng.choice((compound["town_id"], compound["community_id"]))
    _assessment(
        ctx,
        out,
        lines,
        sync_rng=rng,
        enterprise_id=enterprise_id,
        compound_id=compound["id"],
        kind=AssessmentKind.DAILY_INSPECTION,
        year=on.year,
        half=None,
        assessed_on=on,
        assessor_id=geo.unit_of[assessor],
    )


def _assessment(
    ctx: Context,
    out: Assessments,
    lines: Sequence[Line],
    *,
    sync_rng: random.Random | None = None,
    **values: object,
) -> None:
    """An assessment, its total the sum of its lines, and the lines; synced if ``sync_rng``."""
    total = round(sum(points for *_, points, _note in lines), 1)
    if sync_rng is None:
        assessment_id = ctx.add(out.assessments, **values, total=total)
    else:
        assessment_id = ctx.add_synced(
            out.assessments, sync_rng, Source.ORDOS, "INSP-{id:06d}", **values, total=total
        )
    for item_code, item_name, max_points, points, note in lines:
        ctx.add(
            out.items,
            assessment_id=assessment_id,
            item_code=item_code,
            item_name=item_name,
            max_points=max_points,
            points=points,
            note=note,
        )
