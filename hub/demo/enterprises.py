"""Demo property service enterprises, their credit records and their quarterly credit grades.

Every enterprise is generated and registered in the banner (USCC area code 150627), as synced from
the Ordos platform (R7). Each gets a hidden *profile*, from excellent to bad, that biases its credit
records — so that the published grades spread over AAA…C — and how well it scores in assessments.
Grades are computed with the hub's own rule (``hub.domain.credit``) from the records valid on each
quarter end, so the demo data agrees with what the hub would compute.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from hub.demo import places
from hub.demo.common import Context, Row, add_years, quarter_ends, random_date
from hub.demo.identities import brand, person_name, pick_unique, uscc
from hub.domain.credit import CreditEntry, credit_grade, credit_score
from hub.domain.enums import CreditCategory, CreditLevel, EnterpriseStatus
from hub.domain.sources import Source

ENTERPRISES_PER_SCALE = 60
# The default of ``Settings.credit_grade_thresholds``; the demo data is graded with it.
GRADE_THRESHOLDS = (("AAA", 85.0), ("AA", 80.0), ("A", 70.0), ("B", 60.0), ("C", 0.0))

GOOD_TITLES = (
    "获评市级红色物业示范项目",
    "疫情防控表现突出",
    "获评旗级优秀物业服务项目",
    "大排查大整治中表现突出",
    "业主满意度测评优秀",
    "主动承接老旧小区物业服务",
    "垃圾分类示范小区创建成效显著",
    "协助社区化解矛盾纠纷受到表扬",
)
BAD_TITLES = (
    "未按规定公示收费标准",
    "消防通道堵塞未整改",
    "投诉处理超时",
    "擅自提高收费标准",
    "未按合同约定履行维修义务",
    "安全隐患整改不及时",
    "电梯维保记录缺失",
    "拒不配合社区协调",
    "违规占用公共部位经营",
)
_LEVELS = (CreditLevel.CITY, CreditLevel.BANNER, CreditLevel.TOWN, CreditLevel.COMMUNITY)


@dataclass(frozen=True, slots=True)
class Profile:
    """How good an enterprise is, as ranges to draw its records and assessment results from."""

    share: float
    basic: tuple[float, float]  # points of the basic record
    good: tuple[int, int]  # number of good records
    bad: tuple[int, int]  # number of bad records
    quality: tuple[float, float]  # share of the semi-annual assessment points it earns


PROFILES = (
    Profile(0.18, (79, 80), (5, 6), (0, 0), (0.90, 0.97)),
    Profile(0.20, (75, 80), (2, 5), (0, 2), (0.85, 0.93)),
    Profile(0.30, (69, 77), (0, 3), (0, 3), (0.78, 0.88)),
    Profile(0.20, (64, 72), (0, 2), (2, 5), (0.68, 0.80)),
    Profile(0.12, (60, 66), (0, 1), (4, 6), (0.60, 0.72)),
)


@dataclass(slots=True)
class Enterprises:
    """The rows of the three tables, and each enterprise's quality (0–1) for later builders."""

    enterprises: list[Row] = field(default_factory=list)
    credit_records: list[Row] = field(default_factory=list)
    credit_grades: list[Row] = field(default_factory=list)
    quality: dict[int, float] = field(default_factory=dict)

    def active_ids(self) -> list[int]:
        """Ids of the enterprises whose registration is ACTIVE."""
        return [e["id"] for e in self.enterprises if e["status"] is EnterpriseStatus.ACTIVE]


def build_enterprises(ctx: Context) -> Enterprises:
    """About 60 enterprises per unit of scale, with credit records and grades."""
    rng = ctx.rng("enterprises")
    count = ENTERPRISES_PER_SCALE * ctx.scale
    profiles = rng.choices(PROFILES, weights=[p.share for p in PROFILES], k=count)
    statuses = _statuses(rng, profiles)
    out = Enterprises()
    names: set[str] = set()
    usccs: set[str] = set()
    for profile, status in zip(profiles, statuses, strict=True):
        founded_on = random_date(rng, date(1998, 1, 1), date(2022, 12, 31))
        enterprise_id = ctx.add_synced(
            out.enterprises,
            rng,
            Source.ORDOS,
            "ENT-{id:06d}",
            uscc=pick_unique(
                rng, partial(uscc, area_code=places.BANNER_CODE, founded_on=founded_on), usccs
            ),
            name=pick_unique(rng, _enterprise_name, names),
            legal_representative=person_name(rng),
            registered_address=(
                f"内蒙古自治区鄂尔多斯市伊金霍洛旗{rng.choice(places.TOWNS).name}"
                f"{rng.choice(places.STREETS)}{rng.randint(1, 299)}号"
            ),
            area_code=places.BANNER_CODE,
            registered_capital=float(rng.choice((50, 100, 200, 300, 500, 500, 1000, 2000, 5000))),
            founded_on=founded_on,
            status=status,
            credit_score=None,
            credit_grade=None,
            credit_evaluated_on=None,
            generated=True,
        )
        out.quality[enterprise_id] = rng.uniform(*profile.quality)
        entries = _credit_records(ctx, rng, out, enterprise_id, founded_on, profile)
        _credit_grades(ctx, rng, out, enterprise_id, entries)
    return out


def _statuses(rng: random.Random, profiles: list[Profile]) -> list[EnterpriseStatus]:
    # About one in ten is no longer active, at least one of each kind; weaker ones more likely.
    count = len(profiles)
    inactive = max(3, round(count * 0.1))
    order = sorted(range(count), key=lambda i: (PROFILES.index(profiles[i]), rng.random()))
    chosen = rng.sample(order[count // 2 :], inactive)
    statuses = [EnterpriseStatus.ACTIVE] * count
    kinds = (EnterpriseStatus.SUSPENDED, EnterpriseStatus.REVOKED, EnterpriseStatus.DEREGISTERED)
    for n, index in enumerate(chosen):
        statuses[index] = kinds[n % len(kinds)]
    return statuses


def _enterprise_name(rng: random.Random) -> str:
    region = rng.choice(places.ENTERPRISE_REGIONS)
    trade = rng.choice(places.ENTERPRISE_TRADES)
    return f"{region}{brand(rng)}{trade}{rng.choice(places.ENTERPRISE_FORMS)}"


def _credit_records(
    ctx: Context,
    rng: random.Random,
    out: Enterprises,
    enterprise_id: int,
    founded_on: date,
    profile: Profile,
) -> list[CreditEntry]:
    basic_on = max(founded_on, add_years(ctx.today, -4))
    records = [
        (CreditCategory.BASIC, "企业基本信息", round(rng.uniform(*profile.basic), 1), basic_on)
    ]
    three_years_ago = add_years(ctx.today, -3)
    for category, titles, counts, point_range in (
        (CreditCategory.GOOD, GOOD_TITLES, profile.good, (1, 5)),
        (CreditCategory.BAD, BAD_TITLES, profile.bad, (1, 10)),
    ):
        for _ in range(rng.randint(*counts)):
            recorded_on = random_date(rng, max(founded_on, three_years_ago), ctx.today)
            worth = float(rng.randint(*point_range))
            records.append((category, rng.choice(titles), worth, recorded_on))

    entries = []
    for category, title, points, recorded_on in sorted(records, key=lambda r: r[3]):
        basic = category is CreditCategory.BASIC
        # Good and bad records count for one year (domain facts); the basic record until replaced.
        valid_until = None if basic else add_years(recorded_on, 1)
        ctx.add_synced(
            out.credit_records,
            rng,
            Source.ORDOS,
            "CR-{id:06d}",
            enterprise_id=enterprise_id,
            category=category,
            title=title,
            points=points,
            level=CreditLevel.CITY if basic else rng.choice(_LEVELS),
            recorded_on=recorded_on,
            valid_from=recorded_on,
            valid_until=valid_until,
        )
        entries.append(CreditEntry(category, points, recorded_on, valid_until))
    return entries


def _credit_grades(
    ctx: Context,
    rng: random.Random,
    out: Enterprises,
    enterprise_id: int,
    entries: list[CreditEntry],
) -> None:
    first = max(add_years(ctx.today, -2), min(e.valid_from for e in entries))
    for evaluated_on in quarter_ends(first, ctx.today):
        score = credit_score(entries, on=evaluated_on)
        grade = credit_grade(score, GRADE_THRESHOLDS)
        ctx.add_synced(
            out.credit_grades,
            rng,
            Source.ORDOS,
            "CG-{id:06d}",
            enterprise_id=enterprise_id,
            evaluated_on=evaluated_on,
            score=score,
            grade=grade,
        )
        # The enterprise row carries the latest published grade.
        out.enterprises[-1].update(
            credit_score=score, credit_grade=grade, credit_evaluated_on=evaluated_on
        )
