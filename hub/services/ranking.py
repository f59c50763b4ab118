"""Assessments, the annual ranking and its sanctions (R8): the store side of
``hub.domain.ranking``. Called by the GraphQL layer (``hub.graphql.ranking``), the demo loader and
the findings rules; functions only flush, the caller owns the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import ranking as rules
from hub.domain.access import Principal, Scope
from hub.domain.enums import AssessmentKind, EnterpriseStatus
from hub.domain.subsidies import BudgetSettings
from hub.errors import BadUserInput, NotFound
from hub.services.repairs import get_budget_status
from hub.services.scope import get_in_scope_or_raise
from hub.services.validation import check_fits
from hub.store import models as m
from hub.store.models import RankingEntry, RankingPublication, Sanction

# --- assessments -------------------------------------------------------------------------------


async def create_assessment(
    session: AsyncSession,
    *,
    principal: Principal,
    kind: AssessmentKind,
    enterprise_id: int,
    compound_id: int | None,
    assessed_on: date,
    half: int | None,
    items: Sequence[rules.ItemInput],
    today: date,
) -> m.Assessment:
    """Record a daily inspection or a semi-annual assessment, checked against its form.

    A year whose ranking is published is closed: its results are final (R8). Semi-annual
    assessments are the competent department's (banner scope); daily inspections may also be
    recorded by towns and communities, for compounds in their jurisdiction.
    """
    for n, item in enumerate(items):
        check_fits(f"items[{n}].itemCode", item.item_code, m.AssessmentItem.item_code)
        check_fits(f"items[{n}].note", item.note, m.AssessmentItem.note)
    enterprise = await session.get(m.Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound("enterpriseId: no such enterprise", field="enterpriseId")
    if await get_publication(session, year=assessed_on.year) is not None:
        raise BadUserInput(
            f"assessedOn: the ranking of {assessed_on.year} is published; its assessments are "
            "final",
            field="assessedOn",
        )
    try:
        if kind is AssessmentKind.SEMI_ANNUAL:
            lines = _semi_annual_lines(principal, compound_id, items, half, assessed_on, today)
        else:
            await _check_inspected_compound(session, principal, compound_id)
            await _check_served(session, enterprise_id, compound_id, assessed_on)
            lines = rules.check_inspection(items, on=assessed_on, today=today)
            half = None
    except rules.FormError as exc:
        raise BadUserInput(exc.message, field=exc.field) from None
    if kind is AssessmentKind.SEMI_ANNUAL:
        await _check_no_semi_annual_yet(session, enterprise_id, assessed_on.year, half)
    assessment = m.Assessment(
        enterprise_id=enterprise_id,
        compound_id=compound_id,
        kind=kind,
        year=assessed_on.year,
        half=half,
        assessed_on=assessed_on,
        assessor_id=principal.unit_id,
        total=round(sum(line.points for line in lines), 2),
    )
    session.add(assessment)
    await session.flush()
    session.add_all(
        m.AssessmentItem(
            assessment_id=assessment.id,
            item_code=line.item_code,
            item_name=line.item_name,
            max_points=line.max_points,
            points=line.points,
            note=line.note,
        )
        for line in lines
    )
    await session.flush()
    return assessment


def _semi_annual_lines(
    principal: Principal,
    compound_id: int | None,
    items: Sequence[rules.ItemInput],
    half: int | None,
    on: date,
    today: date,
) -> list[rules.FormLine]:
    if principal.scope is not Scope.BANNER:
        raise rules.FormError(
            "kind: semi-annual assessments are recorded by the competent department", field="kind"
        )
    if compound_id is not None:
        raise rules.FormError(
            "compoundId: a semi-annual assessment is of the enterprise, not of a compound",
            field="compoundId",
        )
    return rules.check_semi_annual(items, half=half, on=on, today=today)


async def _check_inspected_compound(
    session: AsyncSession, principal: Principal, compound_id: int | None
) -> None:
    if compound_id is None:
        raise BadUserInput("compoundId: a daily inspection names the compound", field="compoundId")
    await get_in_scope_or_raise(
        session, model=m.Compound, record_id=compound_id, principal=principal, field="compoundId"
    )


async def _check_served(
    session: AsyncSession, enterprise_id: int, compound_id: int | None, on: date
) -> None:
    """A daily inspection finds the enterprise at work: it must serve the compound that day."""
    contract = m.ServiceContract
    found = await session.scalar(
        sa.select(contract.id)
        .where(
            contract.enterprise_id == enterprise_id,
            contract.compound_id == compound_id,
            contract.starts_on <= on,
            sa.or_(contract.ends_on.is_(None), contract.ends_on >= on),
            contract.deleted_at.is_(None),
        )
        .limit(1)
    )
    if found is None:
        raise BadUserInput(
            f"enterpriseId: the enterprise did not serve the compound on {on}", field="enterpriseId"
        )


async def _check_no_semi_annual_yet(
    session: AsyncSession, enterprise_id: int, year: int, half: int | None
) -> None:
    found = await session.scalar(
        sa.select(m.Assessment.id).where(
            m.Assessment.enterprise_id == enterprise_id,
            m.Assessment.kind == AssessmentKind.SEMI_ANNUAL,
            m.Assessment.year == year,
            m.Assessment.half == half,
            m.Assessment.deleted_at.is_(None),
        )
    )
    if found is not None:
        raise BadUserInput(
            f"half: the enterprise already has a semi-annual assessment for {year} half {half}",
            field="half",
        )


# --- the ranking -------------------------------------------------------------------------------


async def list_year_records(session: AsyncSession, *, year: int) -> list[rules.YearRecord]:
    """What the ranking needs of each enterprise: the active ones and any assessed in the year."""
    rows = (
        await session.execute(
            sa.select(
                m.Assessment.enterprise_id, m.Assessment.kind, m.Assessment.half, m.Assessment.total
            )
            .where(m.Assessment.year == year, m.Assessment.deleted_at.is_(None))
            .order_by(m.Assessment.enterprise_id, m.Assessment.half)
        )
    ).all()
    semi: dict[int, list[float]] = defaultdict(list)
    deductions: dict[int, float] = defaultdict(float)
    inspections: dict[int, int] = defaultdict(int)
    for enterprise_id, kind, _half, total in rows:
        if kind is AssessmentKind.SEMI_ANNUAL:
            semi[enterprise_id].append(total)
        else:
            deductions[enterprise_id] += total
            inspections[enterprise_id] += 1
    assessed = set(semi) | set(inspections)
    enterprises = (
        await session.execute(
            sa.select(m.Enterprise.id, m.Enterprise.uscc, m.Enterprise.credit_score).where(
                m.Enterprise.deleted_at.is_(None),
                sa.or_(
                    m.Enterprise.status == EnterpriseStatus.ACTIVE,
                    m.Enterprise.id.in_(assessed) if assessed else sa.false(),
                ),
            )
        )
    ).all()
    return [
        rules.YearRecord(
            enterprise_id=e.id,
            uscc=e.uscc,
            semi_annual_scores=semi.get(e.id, []),
            deductions=deductions.get(e.id, 0.0),
            inspections=inspections.get(e.id, 0),
            credit_score=e.credit_score,
        )
        for e in enterprises
    ]


async def preview(
    session: AsyncSession, *, year: int, settings: rules.RankingSettings
) -> list[rules.Placing]:
    """The draft ranking of a year from the assessments recorded so far."""
    return rules.rank(await list_year_records(session, year=year), settings)


async def get_publication(session: AsyncSession, *, year: int) -> RankingPublication | None:
    """The published ranking of the year, if any."""
    return await session.scalar(
        sa.select(RankingPublication).where(RankingPublication.year == year)
    )


async def list_published_entries(
    session: AsyncSession, *, publication_id: int
) -> list[RankingEntry]:
    """The lines of a published ranking: ranked by rank, then the unranked."""
    return list(
        await session.scalars(
            sa.select(RankingEntry)
            .where(RankingEntry.publication_id == publication_id)
            .order_by(RankingEntry.rank.is_(None), RankingEntry.rank, RankingEntry.id)
        )
    )


async def publish(
    session: AsyncSession,
    *,
    year: int,
    published_on: date,
    published_by_id: int | None,
    settings: rules.RankingSettings,
    budget: BudgetSettings,
) -> RankingPublication:
    """Publish the ranking of a finished year and apply its sanctions (R8). Once per year, final.

    Rewards are charged to the budget of the publication's year (R13); a publication whose
    rewards would pass what is left of it is refused.
    """
    if year >= published_on.year:
        raise BadUserInput(
            f"year: {year} has not ended; its ranking can be published from {year + 1}",
            field="year",
        )
    if await get_publication(session, year=year) is not None:
        raise BadUserInput(
            f"year: the ranking of {year} is already published; a published ranking is final",
            field="year",
        )
    placings = await preview(session, year=year, settings=settings)
    previous = await get_publication(session, year=year - 1)
    previous_bottom = (
        await _bottom_of(session, publication_id=previous.id) if previous is not None else None
    )
    drafts = rules.sanctions_for(
        placings, settings=settings, published_on=published_on, previous_bottom=previous_bottom
    )
    rewards = sum(d.amount or 0.0 for d in drafts)
    status = await get_budget_status(session, year=published_on.year, budget=budget)
    if not status.allows(rewards):
        raise BadUserInput(
            f"year: the rewards of {rewards:,.2f} yuan pass the {published_on.year} budget; "
            f"{status.remaining:,.2f} yuan are left",
            field="year",
        )
    publication = RankingPublication(
        year=year,
        published_on=published_on,
        published_by_id=published_by_id,
        settings=asdict(settings),
    )
    session.add(publication)
    try:
        await session.flush()
    except IntegrityError:  # another request published the same year a moment ago
        raise BadUserInput(
            f"year: the ranking of {year} is already published; a published ranking is final",
            field="year",
        ) from None
    session.add_all(_entry(publication.id, p) for p in placings)
    session.add_all(Sanction(publication_id=publication.id, year=year, **asdict(d)) for d in drafts)
    await session.flush()
    return publication


def _entry(publication_id: int, p: rules.Placing) -> RankingEntry:
    return RankingEntry(
        publication_id=publication_id,
        enterprise_id=p.enterprise_id,
        rank=p.rank,
        score=p.score,
        semi_annual_average=p.semi_annual_average,
        deductions=p.deductions,
        inspections=p.inspections,
        credit_score=p.credit_score,
        unranked_reason=p.unranked_reason,
    )


async def _bottom_of(session: AsyncSession, *, publication_id: int) -> frozenset[int]:
    """The enterprises a publication banned: the bottom of its ranking."""
    rows = await session.scalars(
        sa.select(Sanction.enterprise_id).where(
            Sanction.publication_id == publication_id,
            Sanction.kind == rules.SanctionKind.BANNED_NEW_PROJECTS,
        )
    )
    return frozenset(rows)


# --- sanctions ---------------------------------------------------------------------------------


async def list_sanctions_in_force(
    session: AsyncSession, *, enterprise_ids: Iterable[int], on: date
) -> dict[int, list[Sanction]]:
    """The sanctions in force on a day, by enterprise (enterprises without any are left out)."""
    ids = list(set(enterprise_ids))
    if not ids:
        return {}
    rows = await session.scalars(
        sa.select(Sanction)
        .where(
            Sanction.enterprise_id.in_(ids),
            Sanction.starts_on <= on,
            sa.or_(Sanction.ends_on.is_(None), Sanction.ends_on > on),
        )
        .order_by(Sanction.starts_on, Sanction.id)
    )
    out: dict[int, list[Sanction]] = defaultdict(list)
    for row in rows:
        out[row.enterprise_id].append(row)
    return dict(out)


async def is_banned_on(session: AsyncSession, *, enterprise_id: int, on: date) -> bool:
    """Whether the enterprise may not take new projects on the day (a ban or a market exit)."""
    sanctions = (await list_sanctions_in_force(session, enterprise_ids=[enterprise_id], on=on)).get(
        enterprise_id, []
    )
    return any(s.kind is not rules.SanctionKind.REWARD for s in sanctions)


async def list_publication_sanctions(
    session: AsyncSession, *, publication_id: int
) -> list[Sanction]:
    """The sanctions a publication applied."""
    return list(
        await session.scalars(
            sa.select(Sanction)
            .where(Sanction.publication_id == publication_id)
            .order_by(Sanction.enterprise_id, Sanction.id)
        )
    )


# --- findings rules (R8) ------------------------------------------------------------------
# Queries of the two findings rules that rest on sanctions; each row is (subject id, compound id,
# detail). They are registered with the findings registry in ``hub.services.ranking_findings``.


async def list_banned_awards(session: AsyncSession, *, today: date) -> list[tuple[int, int, str]]:
    """R8: tender awards to an enterprise that was banned (or ordered out) on the award date."""
    award, tender = m.TenderAward, m.Tender
    stmt = (
        sa.select(award.id, tender.compound_id, award.awarded_on, Sanction.kind, Sanction.year)
        .join(tender, tender.id == award.tender_id)
        .join(Sanction, Sanction.enterprise_id == award.enterprise_id)
        .where(
            award.deleted_at.is_(None),
            award.awarded_on <= today,
            Sanction.kind != rules.SanctionKind.REWARD,
            Sanction.starts_on <= award.awarded_on,
            sa.or_(Sanction.ends_on.is_(None), Sanction.ends_on > award.awarded_on),
        )
        .order_by(award.id, Sanction.id)
    )
    hits: dict[int, tuple[int, int, str]] = {}
    for award_id, compound_id, on, kind, year in (await session.execute(stmt)).all():
        detail = f"awarded on {on:%Y-%m-%d} under {kind.value} of the {year} ranking"
        hits.setdefault(award_id, (award_id, compound_id, detail))
    return list(hits.values())


async def list_exited_still_serving(
    session: AsyncSession, *, today: date
) -> list[tuple[int, int, str]]:
    """R8: service contracts in force today of an enterprise ordered out of the market before."""
    contract = m.ServiceContract
    stmt = (
        sa.select(contract.id, contract.compound_id, sa.func.min(Sanction.starts_on))
        .join(Sanction, Sanction.enterprise_id == contract.enterprise_id)
        .where(
            Sanction.kind == rules.SanctionKind.MARKET_EXIT,
            Sanction.starts_on < today,
            contract.deleted_at.is_(None),
            contract.starts_on <= today,
            sa.or_(contract.ends_on.is_(None), contract.ends_on >= today),
        )
        .group_by(contract.id, contract.compound_id)
        .order_by(contract.id)
    )
    return [
        (i, c, f"still serving after the market exit of {exit_on:%Y-%m-%d}")
        for i, c, exit_on in (await session.execute(stmt)).all()
    ]
