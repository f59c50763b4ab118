"""GraphQL types of the annual ranking and its sanctions (排名、奖惩, R8).

Below enterprises in the import order: ``RankingEntry.enterprise`` points back (lazily, built
through ``hub.graphql.nodes.builder``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import ranking as rules
from hub.domain.access import Permission
from hub.graphql.context import Info
from hub.graphql.nodes import builder
from hub.graphql.permissions import require
from hub.services import ranking as service
from hub.store import models as m
from hub.store.models import RankingEntry, Sanction

if TYPE_CHECKING:
    from hub.graphql.enterprises.types import EnterpriseType

Enterprise = Annotated["EnterpriseType", strawberry.lazy("hub.graphql.enterprises.types")]


SanctionKind: TypeAlias = rules.SanctionKind
strawberry.enum(
    SanctionKind,
    description="What a published ranking does (R8): REWARD (top 5, 奖励), BANNED_NEW_PROJECTS "
    "(bottom 5: no new projects for one year from the publication date, 一年内不得承接新项目), "
    "MARKET_EXIT (bottom 5 two published years running: 清出本旗市场).",
)


@strawberry.type(name="Sanction", description="A sanction of a published ranking (奖惩).")
class SanctionType:
    kind: SanctionKind = strawberry.field(description="Reward, ban or market exit.")
    year: int = strawberry.field(description="The ranking's year.")
    starts_on: date = strawberry.field(description="In force from this day (the publication).")
    ends_on: date | None = strawberry.field(
        description="The first day it no longer applies (a ban: one year after the publication); "
        "null: no end."
    )
    amount_yuan: float | None = strawberry.field(description="A reward's amount, in yuan.")
    in_force: bool = strawberry.field(description="In force today.")

    @classmethod
    def from_model(cls, row: Sanction, *, today: date) -> SanctionType:
        return cls(
            kind=row.kind,
            year=row.year,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            amount_yuan=row.amount,
            in_force=rules.in_force(row.starts_on, row.ends_on, today),
        )


def enterprise_sanctions(info: Info, enterprise_id: int) -> list[SanctionType]:
    """An enterprise's sanctions, oldest first (for ``Enterprise.sanctions``)."""
    require(info, Permission.READ_RANKINGS, what="Enterprise.sanctions")
    today = info.context.today
    return info.context.loaders.sanctions_by_enterprise.resolve(
        enterprise_id, lambda rows: [SanctionType.from_model(r, today=today) for r in rows]
    )


@strawberry.type(
    name="RankingEntry",
    description="An enterprise's line in the annual ranking: its rank and score, or why it is "
    "unranked.",
)
class RankingEntryType:
    rank: int | None = strawberry.field(description="1 is the best; null when unranked.")
    score: float | None = strawberry.field(description="Annual score (年度考核得分), 0–100.")
    semi_annual_average: float | None = strawberry.field(
        description="Average of the year's semi-annual assessments (半年考核)."
    )
    deductions: float = strawberry.field(
        description="Points deducted by the year's daily inspections (日常巡查扣分)."
    )
    inspections: int = strawberry.field(description="Number of daily inspections in the year.")
    credit_score: float | None = strawberry.field(description="Credit score used, if any.")
    unranked_reason: str | None = strawberry.field(description="Why it is not ranked.")
    sanctions: list[SanctionType] = strawberry.field(
        description="Sanctions this ranking applied to the enterprise (empty in a draft)."
    )
    enterprise_id: strawberry.Private[int]

    @strawberry.field(description="The enterprise.")
    def enterprise(self, info: Info) -> Enterprise | None:
        build = builder(m.Enterprise)
        return info.context.loaders.enterprise.resolve(
            self.enterprise_id, lambda row: build(row) if row else None
        )


@strawberry.type(
    name="Ranking",
    description="The annual ranking of property service enterprises (年度考核排名, R8). Ties are "
    "broken by the higher semi-annual average, then fewer daily-inspection deductions, then the "
    "USCC.",
)
class RankingType:
    year: int = strawberry.field(description="The assessment year.")
    published: bool = strawberry.field(
        description="Published (final); false: a draft preview for the competent department."
    )
    published_on: date | None = strawberry.field(description="Day of publication.")
    entries: list[RankingEntryType] = strawberry.field(
        description="Ranked enterprises by rank, then the unranked."
    )


def entry_of_placing(p: rules.Placing) -> RankingEntryType:
    return RankingEntryType(
        rank=p.rank,
        score=p.score,
        semi_annual_average=p.semi_annual_average,
        deductions=p.deductions,
        inspections=p.inspections,
        credit_score=p.credit_score,
        unranked_reason=p.unranked_reason,
        sanctions=[],
        enterprise_id=p.enterprise_id,
    )


def _entry_of_row(row: RankingEntry, sanctions: list[SanctionType]) -> RankingEntryType:
    return RankingEntryType(
        rank=row.rank,
        score=row.score,
        semi_annual_average=row.semi_annual_average,
        deductions=row.deductions,
        inspections=row.inspections,
        credit_score=row.credit_score,
        unranked_reason=row.unranked_reason,
        sanctions=sanctions,
        enterprise_id=row.enterprise_id,
    )


async def published_ranking(session: AsyncSession, year: int, today: date) -> RankingType | None:
    """The published ranking of ``year`` with its sanctions; None before its publication."""
    publication = await service.get_publication(session, year=year)
    if publication is None:
        return None
    rows = await service.list_published_entries(session, publication_id=publication.id)
    by_enterprise: dict[int, list[SanctionType]] = {}
    for s in await service.list_publication_sanctions(session, publication_id=publication.id):
        by_enterprise.setdefault(s.enterprise_id, []).append(
            SanctionType.from_model(s, today=today)
        )
    return RankingType(
        year=year,
        published=True,
        published_on=publication.published_on,
        entries=[_entry_of_row(r, by_enterprise.get(r.enterprise_id, [])) for r in rows],
    )
