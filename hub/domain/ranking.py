"""Annual ranking and sanctions of property service enterprises (考核排名, MISSION.md R8).

Pure rules: no session, no clock. The service ``hub.services.ranking`` reads the year's
assessments, calls ``rank`` and ``sanctions_for`` and stores what they return.

The annual score (documented formula, weights in ``RankingSettings``)::

    semi     = average of the year's semi-annual scores (100-point forms)
    daily    = max(0, 100 − sum of the points deducted by the year's daily inspections)
    credit   = the enterprise's credit score (0–100), only when credit_weight > 0
    score    = (semi × semi_annual_weight + daily × inspection_weight + credit × credit_weight)
               ÷ (sum of the weights used), rounded to 2 decimals

An enterprise with fewer than ``min_semi_annual`` semi-annual assessments in the year (or without
a credit score while credit counts) is listed as unranked, with the reason.

Ties (equal rounded score) are broken, in order, by: the higher semi-annual average, the fewer
points deducted by daily inspections, the USCC in ascending order (so the order is total and the
same on every run). Ranks are therefore 1, 2, 3 … without gaps.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date


class SanctionKind(enum.StrEnum):
    """What a published ranking does to an enterprise (R8)."""

    REWARD = "REWARD"  # top 5: a reward paid from the special budget (R13)
    BANNED_NEW_PROJECTS = "BANNED_NEW_PROJECTS"  # bottom 5: no new projects for one year
    MARKET_EXIT = "MARKET_EXIT"  # bottom 5 two published years running: out of the market


@dataclass(frozen=True, slots=True, kw_only=True)
class RankingSettings:
    """Weights and thresholds of the annual ranking; the defaults are the documented formula's.

    The hub's come from ``HUB_RANKING`` (``hub.services.parameters.ranking_settings``), where the
    settings check their bounds (no negative weight or count).
    """

    semi_annual_weight: float = 0.6  # weight of the semi-annual average
    inspection_weight: float = 0.4  # weight of 100 minus the daily-inspection deductions
    credit_weight: float = 0.0  # weight of the credit score
    min_semi_annual: int = 2  # semi-annual assessments needed in the year to be ranked
    top: int = 5  # how many top enterprises get a reward
    bottom: int = 5  # how many bottom enterprises are banned
    reward_yuan: float = 100_000.0  # reward per REWARD sanction, from the special budget


@dataclass(frozen=True, slots=True)
class YearRecord:
    """What the ranking needs of one enterprise's year."""

    enterprise_id: int
    uscc: str
    semi_annual_scores: Sequence[float]
    deductions: float
    inspections: int
    credit_score: float | None = None


@dataclass(frozen=True, slots=True)
class Placing:
    """One line of a ranking: a rank and score, or the reason it has none."""

    enterprise_id: int
    uscc: str
    rank: int | None
    score: float | None
    semi_annual_average: float | None
    deductions: float
    inspections: int
    credit_score: float | None
    unranked_reason: str | None = None


@dataclass(frozen=True, slots=True)
class SanctionDraft:
    """A sanction to store when the ranking is published."""

    enterprise_id: int
    kind: SanctionKind
    starts_on: date
    ends_on: date | None  # the first day it no longer applies; None: no end
    amount: float | None = None


def rank(records: Iterable[YearRecord], settings: RankingSettings) -> list[Placing]:
    """The ranking: ranked enterprises by rank, then the unranked by USCC."""
    ranked: list[Placing] = []
    unranked: list[Placing] = []
    for record in records:
        placing = _place(record, settings)
        (unranked if placing.unranked_reason else ranked).append(placing)
    ranked.sort(key=_tie_order)
    unranked.sort(key=lambda p: p.uscc)
    numbered = [_with_rank(p, i) for i, p in enumerate(ranked, start=1)]
    return numbered + unranked


def _place(record: YearRecord, settings: RankingSettings) -> Placing:
    semi = list(record.semi_annual_scores)
    average = round(sum(semi) / len(semi), 2) if semi else None
    base = Placing(
        enterprise_id=record.enterprise_id,
        uscc=record.uscc,
        rank=None,
        score=None,
        semi_annual_average=average,
        deductions=round(record.deductions, 2),
        inspections=record.inspections,
        credit_score=record.credit_score,
    )
    reason = _unranked_reason(record, settings)
    if reason:
        return _replace(base, unranked_reason=reason)
    parts = [
        (average if average is not None else 0.0, settings.semi_annual_weight),
        (max(0.0, 100.0 - record.deductions), settings.inspection_weight),
    ]
    if settings.credit_weight > 0 and record.credit_score is not None:
        parts.append((record.credit_score, settings.credit_weight))
    weights = sum(w for _, w in parts)
    score = round(sum(v * w for v, w in parts) / weights, 2) if weights else 0.0
    return _replace(base, score=score)


def _unranked_reason(record: YearRecord, settings: RankingSettings) -> str | None:
    count = len(record.semi_annual_scores)
    if count < settings.min_semi_annual:
        return (
            f"too few assessments: {settings.min_semi_annual} semi-annual assessments needed "
            f"in the year, {count} recorded"
        )
    if settings.credit_weight > 0 and record.credit_score is None:
        return "no credit score, and the credit score is part of the annual score"
    return None


def _tie_order(p: Placing) -> tuple[float, float, float, str]:
    return (-(p.score or 0.0), -(p.semi_annual_average or 0.0), p.deductions, p.uscc)


def _with_rank(p: Placing, rank_no: int) -> Placing:
    return _replace(p, rank=rank_no)


def _replace(p: Placing, **changes: object) -> Placing:
    return replace(p, **changes)  # type: ignore[arg-type]


def one_year_after(day: date) -> date:
    """The same day a year later (29 February → 1 March): the first day a ban no longer holds."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return date(day.year + 1, 3, 1)


def top_and_bottom(
    placings: Sequence[Placing], settings: RankingSettings
) -> tuple[list[int], list[int]]:
    """The enterprise ids of the top and the bottom of a ranking.

    With fewer than ``top + bottom`` ranked enterprises each side takes at most half of them, so
    that no enterprise is both rewarded and banned.
    """
    ranked = [p.enterprise_id for p in placings if p.rank is not None]
    half = len(ranked) // 2
    top_n, bottom_n = min(settings.top, half), min(settings.bottom, half)
    return ranked[:top_n], ranked[len(ranked) - bottom_n :] if bottom_n else []


def sanctions_for(
    placings: Sequence[Placing],
    *,
    settings: RankingSettings,
    published_on: date,
    previous_bottom: frozenset[int] | None,
) -> list[SanctionDraft]:
    """The sanctions a ranking published on ``published_on`` applies (R8).

    ``previous_bottom`` is the bottom of the ranking published for the year before, or None when
    that year was not published: a gap year breaks the streak of two consecutive years.
    """
    top, bottom = top_and_bottom(placings, settings)
    # R8: the ban runs one year from the publication date, not from the assessment year.
    ban_ends = one_year_after(published_on)
    drafts = [
        SanctionDraft(e, SanctionKind.REWARD, published_on, None, settings.reward_yuan) for e in top
    ]
    for enterprise_id in bottom:
        drafts.append(
            SanctionDraft(enterprise_id, SanctionKind.BANNED_NEW_PROJECTS, published_on, ban_ends)
        )
        if previous_bottom is not None and enterprise_id in previous_bottom:
            drafts.append(
                SanctionDraft(enterprise_id, SanctionKind.MARKET_EXIT, published_on, None)
            )
    return drafts


def in_force(starts_on: date, ends_on: date | None, on: date) -> bool:
    """Whether a sanction applies on a day: from its start, up to (not including) its end."""
    return starts_on <= on and (ends_on is None or on < ends_on)


# Assessment forms (R8). The semi-annual 100-point form: (item code, item, maximum points).
SEMI_ANNUAL_FORM: dict[str, tuple[str, float]] = {
    "S01": ("服务质量", 15.0),
    "S02": ("安全管理", 15.0),
    "S03": ("设施设备维护", 15.0),
    "S04": ("环境卫生", 15.0),
    "S05": ("秩序维护", 10.0),
    "S06": ("收费公示", 10.0),
    "S07": ("投诉处理", 10.0),
    "S08": ("业主满意度", 10.0),
}
# Items a daily inspection deducts points for: (item code, item, most points one finding deducts).
INSPECTION_FORM: dict[str, tuple[str, float]] = {
    "D01": ("消防通道堵塞", 5.0),
    "D02": ("垃圾清运不及时", 5.0),
    "D03": ("绿化养护不到位", 5.0),
    "D04": ("电梯故障未及时处置", 5.0),
    "D05": ("收费标准未公示", 5.0),
    "D06": ("安全巡查记录缺失", 5.0),
    "D07": ("投诉处理超时", 5.0),
    "D08": ("公共照明损坏未修复", 5.0),
    "D09": ("监控设施未正常运行", 5.0),
    "D10": ("二次供水设施未按期清洗", 5.0),
}


@dataclass(frozen=True, slots=True)
class ItemInput:
    """One line of a submitted form."""

    item_code: str
    points: float
    note: str | None = None


@dataclass(frozen=True, slots=True)
class FormLine:
    """A checked line: the item's name and maximum from the form."""

    item_code: str
    item_name: str
    max_points: float
    points: float
    note: str | None


class FormError(ValueError):
    """A submitted assessment form breaks a rule; ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message, self.field = message, field


def check_semi_annual(
    items: Sequence[ItemInput], *, half: int | None, on: date, today: date
) -> list[FormLine]:
    """The lines of a semi-annual assessment: every item of the 100-point form, once, within its
    maximum; half 1 or 2, assessed within (or after) that half, not in the future."""
    if half not in (1, 2):
        raise FormError("half must be 1 or 2 for a semi-annual assessment", field="half")
    if on < date(on.year, 1 if half == 1 else 7, 1):
        raise FormError("assessedOn is before the half-year it assesses", field="assessedOn")
    lines = _check_lines(items, SEMI_ANNUAL_FORM, on=on, today=today)
    missing = sorted(set(SEMI_ANNUAL_FORM) - {line.item_code for line in lines})
    if missing:
        raise FormError(f"items: the form's items {', '.join(missing)} are missing", field="items")
    return lines


def check_inspection(items: Sequence[ItemInput], *, on: date, today: date) -> list[FormLine]:
    """The lines of a daily inspection: items of the inspection list, each deduction within its
    maximum; an inspection without findings has no items."""
    return _check_lines(items, INSPECTION_FORM, on=on, today=today)


def _check_lines(
    items: Sequence[ItemInput], form: dict[str, tuple[str, float]], *, on: date, today: date
) -> list[FormLine]:
    if on > today:
        raise FormError(f"assessedOn {on} is in the future", field="assessedOn")
    seen: set[str] = set()
    lines = []
    for index, item in enumerate(items):
        field = f"items[{index}]"
        if item.item_code not in form:
            raise FormError(f"{field}: {item.item_code!r} is not an item of the form", field=field)
        if item.item_code in seen:
            raise FormError(f"{field}: item {item.item_code} is given twice", field=field)
        seen.add(item.item_code)
        name, maximum = form[item.item_code]
        if not 0 <= item.points <= maximum:
            raise FormError(
                f"{field}: points of {item.item_code} must be between 0 and {maximum:g}, "
                f"got {item.points:g}",
                field=field,
            )
        lines.append(FormLine(item.item_code, name, maximum, item.points, item.note))
    return lines
