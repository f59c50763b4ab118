"""Demo service contracts and the tenders they came from (R6), consistent with each other.

Each compound gets a history of contracts: a preliminary one (前期物业) from about its handover and,
where its owners' committee re-selected an enterprise, later ones. About 88% of the compounds have a
current contract (``ends_on`` empty), always held by an ACTIVE enterprise. Contracts starting after
the tender platform came into use (2017) come from a tender whose award went to the rank-1
candidate, who bid, and who is the contract's enterprise. A few compounds whose contract is ending
have an open tender (announced or under evaluation) without an award yet.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from hub.demo.committees import Committees
from hub.demo.common import Context, Row, add_working_days, add_years, random_date
from hub.demo.enterprises import Enterprises
from hub.demo.geography import Geography
from hub.demo.identities import brand
from hub.domain.enums import (
    CommitteeStatus,
    SelectionMethod,
    TenderMethod,
    TenderStatus,
)
from hub.domain.sources import Source

TENDER_PLATFORM_SINCE = date(2017, 1, 1)
NO_SERVICE_SHARE = 0.04  # self-managed compounds that never had a contract
ENDED_SHARE = 0.07  # compounds whose last contract ended without a successor
RESELECTION_SHARE = 0.45  # of the compounds with a committee
OPEN_TENDER_SHARE = 0.02


@dataclass(slots=True)
class _Tender:
    """A tender before it gets its id and code (they follow the announcement order)."""

    compound: Row
    selection: SelectionMethod
    announced_on: date
    status: TenderStatus
    winner: int | None = None  # the enterprise awarded; None while the tender is open
    contract_starts_on: date | None = None
    id: int = 0
    code: str = ""


@dataclass(slots=True)
class _Contract:
    compound: Row
    enterprise_id: int
    starts_on: date
    ends_on: date | None
    selection: SelectionMethod
    tender: _Tender | None = None


@dataclass(slots=True)
class Contracts:
    """The rows of the service-contract and tender tables."""

    service_contracts: list[Row] = field(default_factory=list)
    tenders: list[Row] = field(default_factory=list)
    tender_bids: list[Row] = field(default_factory=list)
    tender_candidates: list[Row] = field(default_factory=list)
    tender_awards: list[Row] = field(default_factory=list)


class _Market:
    """Which enterprises could take a contract or bid on a day, and how likely each wins."""

    def __init__(self, rng: random.Random, enterprises: Enterprises) -> None:
        self.rng = rng
        self.founded_on = {e["id"]: e["founded_on"] for e in enterprises.enterprises}
        self.uscc = {e["id"]: e["uscc"] for e in enterprises.enterprises}
        self.active = set(enterprises.active_ids())
        # Bigger and better enterprises win more: a size drawn once, times the quality.
        self.weight = {
            e: rng.lognormvariate(0, 0.7) * (0.5 + q) for e, q in enterprises.quality.items()
        }
        self.first_active_founding = min(self.founded_on[e] for e in self.active)

    def eligible(self, on: date, *, active_only: bool) -> list[int]:
        """Enterprises founded at least three months before the day (ACTIVE ones if asked)."""
        latest = on - timedelta(days=90)
        return [
            e
            for e, founded in self.founded_on.items()
            if founded <= latest and (not active_only or e in self.active)
        ]

    def pick(self, on: date, *, active_only: bool, avoid: int | None = None) -> int:
        """An enterprise for a contract starting on the day, weighted by size and quality."""
        pool = self.eligible(on, active_only=active_only)
        if avoid is not None and len(pool) > 1 and self.rng.random() < 0.8:
            pool = [e for e in pool if e != avoid]
        return self.rng.choices(pool, weights=[self.weight[e] for e in pool])[0]


def build_contracts(
    ctx: Context, geo: Geography, enterprises: Enterprises, committees: Committees
) -> Contracts:
    """Contracts of every compound and the tenders behind them."""
    rng = ctx.rng("contracts")
    market = _Market(rng, enterprises)
    plans: list[_Contract] = []
    for compound in geo.compounds:
        plans += _history(ctx, rng, market, compound, geo, committees)
    tenders = [p.tender for p in plans if p.tender is not None]
    tenders += _open_tenders(ctx, rng, plans, committees)

    out = Contracts()
    developers = {c["id"]: f"鄂尔多斯市{brand(rng)}房地产开发有限公司" for c in geo.compounds}
    per_year: Counter[int] = Counter()
    for tender in sorted(tenders, key=lambda t: (t.announced_on, t.compound["id"])):
        per_year[tender.announced_on.year] += 1
        tender.code = (
            f"YJHLQ-WY-{tender.announced_on.year}-{per_year[tender.announced_on.year]:03d}"
        )
        tender.id = _tender_rows(ctx, rng, out, market, tender, developers)
    for plan in plans:
        ctx.add_synced(
            out.service_contracts,
            rng,
            Source.ORDOS,
            "CON-{id:06d}",
            enterprise_id=plan.enterprise_id,
            compound_id=plan.compound["id"],
            starts_on=plan.starts_on,
            ends_on=plan.ends_on,
            selection=plan.selection,
            tender_id=plan.tender.id if plan.tender else None,
        )
    return out


def _history(
    ctx: Context,
    rng: random.Random,
    market: _Market,
    compound: Row,
    geo: Geography,
    committees: Committees,
) -> list[_Contract]:
    """The contracts of one compound, oldest first; the last one is current unless it ended."""
    roll = rng.random()
    if roll < NO_SERVICE_SHARE:
        return []
    current = roll >= NO_SERVICE_SHARE + ENDED_SHARE
    # The developer engages an enterprise shortly before the handover (前期物业, R6).
    first = geo.delivered_on[compound["id"]] - timedelta(days=rng.randint(0, 60))
    first = max(first, market.first_active_founding + timedelta(days=90))
    starts = [first]
    committee = committees.of_compound.get(compound["id"])
    if committee is not None and rng.random() < RESELECTION_SHARE:
        # A re-selection needs a committee in office and a contract that ran a while.
        earliest = max(committee["founded_on"] + timedelta(days=120), add_years(first, 2))
        latest = ctx.today - timedelta(days=60)
        days = sorted(random_date(rng, earliest, latest) for _ in range(rng.choice((1, 1, 1, 2))))
        for day in days:
            if earliest <= latest and day >= add_years(starts[-1], 1):
                starts.append(day)
    ends: list[date | None] = [day - timedelta(days=1) for day in starts[1:]]
    last_end = None
    if not current and add_years(starts[-1], 1) < ctx.today - timedelta(days=30):
        last_end = random_date(rng, add_years(starts[-1], 1), ctx.today - timedelta(days=30))
    ends.append(last_end)

    history: list[_Contract] = []
    for n, (starts_on, ends_on) in enumerate(zip(starts, ends, strict=True)):
        avoid = history[-1].enterprise_id if history else None
        enterprise_id = market.pick(starts_on, active_only=ends_on is None, avoid=avoid)
        selection = SelectionMethod.COMMITTEE_RESELECTION if n else SelectionMethod.PRELIMINARY
        plan = _Contract(compound, enterprise_id, starts_on, ends_on, selection)
        if starts_on >= TENDER_PLATFORM_SINCE:
            plan.tender = _Tender(
                compound,
                selection,
                announced_on=starts_on - timedelta(days=rng.randint(35, 60)),
                status=TenderStatus.FILED,
                winner=enterprise_id,
                contract_starts_on=starts_on,
            )
        history.append(plan)
    return history


def _open_tenders(
    ctx: Context, rng: random.Random, plans: list[_Contract], committees: Committees
) -> list[_Tender]:
    """Open tenders of committees whose current contract runs out in the next months."""
    candidates = [
        p
        for p in plans
        if p.ends_on is None
        and p.starts_on < add_years(ctx.today, -2)
        and committees.of_compound.get(p.compound["id"], {}).get("status") is CommitteeStatus.ACTIVE
    ]
    count = min(len(candidates), max(3, round(OPEN_TENDER_SHARE * len(plans))))
    tenders = []
    for plan in rng.sample(candidates, count):
        plan.ends_on = ctx.today + timedelta(days=rng.randint(20, 90))
        evaluating = rng.random() < 0.5
        days_ago = rng.randint(25, 40) if evaluating else rng.randint(1, 15)
        tenders.append(
            _Tender(
                plan.compound,
                SelectionMethod.COMMITTEE_RESELECTION,
                announced_on=ctx.today - timedelta(days=days_ago),
                status=TenderStatus.EVALUATING if evaluating else TenderStatus.ANNOUNCED,
            )
        )
    return tenders


def _tender_rows(
    ctx: Context,
    rng: random.Random,
    out: Contracts,
    market: _Market,
    tender: _Tender,
    developers: dict[int, str],
) -> int:
    compound = tender.compound
    preliminary = tender.selection is SelectionMethod.PRELIMINARY
    bid_deadline = tender.announced_on + timedelta(days=rng.randint(20, 24))
    awarded_on = filed_on = signed_on = None
    status = tender.status
    if tender.contract_starts_on is not None:
        awarded_on = tender.contract_starts_on - timedelta(days=rng.randint(3, 8))
        # The contract is signed and filed (备案) within 30 days of the award notice.
        signed_on = awarded_on + timedelta(days=rng.randint(1, 20))
        filed_on = signed_on + timedelta(days=rng.randint(1, 10))
        if filed_on > ctx.today or rng.random() < 0.08:
            status, filed_on = TenderStatus.AWARDED, None
        if signed_on > ctx.today:
            signed_on = None
    tender_id = ctx.add_synced(
        out.tenders,
        rng,
        Source.TENDER,
        tender.code,
        code=tender.code,
        title=f"{compound['name']}{'前期物业服务招标' if preliminary else '物业服务企业选聘'}",
        compound_id=compound["id"],
        selection=tender.selection,
        method=TenderMethod.INVITED if rng.random() < 0.25 else TenderMethod.OPEN,
        tenderer=developers[compound["id"]] if preliminary else f"{compound['name']}业主委员会",
        announced_on=tender.announced_on,
        bid_deadline=bid_deadline,
        status=status,
    )
    if status is TenderStatus.ANNOUNCED:
        return tender_id  # bids are sealed until the deadline

    # 3–6 bids: price in yuan per m² per month, technical score out of 100.
    pool = market.eligible(tender.announced_on, active_only=awarded_on is None)
    pool = [e for e in pool if e != tender.winner]
    bidders = rng.sample(pool, min(len(pool), rng.randint(3, 6) - (tender.winner is not None)))
    if tender.winner is not None:
        bidders.append(tender.winner)
    offers = [(round(rng.uniform(0.8, 3.5), 2), round(rng.uniform(60, 98), 1)) for _ in bidders]
    lowest = min(price for price, _ in offers)
    totals = [round(0.4 * 100 * lowest / price + 0.6 * tech, 2) for price, tech in offers]
    if tender.winner is not None:
        # The evaluation ranks the winner first: give it the best offer drawn.
        best, mine = totals.index(max(totals)), len(bidders) - 1
        offers[best], offers[mine] = offers[mine], offers[best]
        totals[best], totals[mine] = totals[mine], totals[best]
    for enterprise_id, (price, tech) in zip(bidders, offers, strict=True):
        ctx.add_synced(
            out.tender_bids,
            rng,
            Source.TENDER,
            f"{tender.code}/bid/{market.uscc[enterprise_id]}",
            tender_id=tender_id,
            enterprise_id=enterprise_id,
            price=price,
            technical_score=tech,
            submitted_on=random_date(rng, tender.announced_on + timedelta(days=1), bid_deadline),
        )
    if awarded_on is None:
        return tender_id  # still being evaluated: no candidates published yet

    ranking = sorted(
        zip(totals, bidders, strict=True),
        key=lambda pair: (-pair[0], pair[1] != tender.winner, pair[1]),
    )
    for rank, (total, enterprise_id) in enumerate(ranking[:3], start=1):
        ctx.add_synced(
            out.tender_candidates,
            rng,
            Source.TENDER,
            f"{tender.code}/candidate/{rank}",
            tender_id=tender_id,
            enterprise_id=enterprise_id,
            rank=rank,
            total_score=total,
        )
    ctx.add_synced(
        out.tender_awards,
        rng,
        Source.TENDER,
        f"{tender.code}/award",
        tender_id=tender_id,
        enterprise_id=tender.winner,
        awarded_on=awarded_on,
        # The result is publicised for five working days after the award.
        publicity_until=add_working_days(awarded_on, 5),
        filed_on=filed_on,
        contract_signed_on=signed_on,
    )
    return tender_id
