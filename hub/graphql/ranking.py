"""GraphQL of assessments recording, the annual ranking and sanctions (考核、排名、奖惩, R8).

``ranking(year)`` is the published ranking (open to everyone, the public included), or a draft
preview for the competent department before publication; ``rankingPublish`` publishes it once
and applies the sanctions; ``assessmentRecord`` records daily inspections and semi-annual forms.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import ranking as rules
from hub.domain.access import Permission
from hub.domain.calendar import check_year
from hub.domain.enums import AssessmentKind as Kind
from hub.errors import BadUserInput, NotFound
from hub.graphql import audit
from hub.graphql.assessments import AssessmentType
from hub.graphql.context import Info
from hub.graphql.enums import AssessmentKind
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.permissions import require
from hub.graphql.relay import decode_global_id
from hub.graphql.workflow import refuse
from hub.services import ranking as service
from hub.store import models as m
from hub.store.ranking_models import RankingEntry, Sanction

if TYPE_CHECKING:
    from hub.graphql.enterprises import EnterpriseType

Enterprise = Annotated["EnterpriseType", strawberry.lazy("hub.graphql.enterprises")]

SanctionKind = strawberry.enum(
    rules.SanctionKind,
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
        from hub.graphql.enterprises import EnterpriseType

        return info.context.loaders.enterprise.resolve(
            self.enterprise_id, lambda row: EnterpriseType.from_model(row) if row else None
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


def _entry_of_placing(p: rules.Placing) -> RankingEntryType:
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


async def _published(session: AsyncSession, year: int, today: date) -> RankingType | None:
    publication = await service.get_publication(session, year=year)
    if publication is None:
        return None
    rows = await service.published_entries(session, publication_id=publication.id)
    by_enterprise: dict[int, list[SanctionType]] = {}
    for s in await service.publication_sanctions(session, publication_id=publication.id):
        by_enterprise.setdefault(s.enterprise_id, []).append(
            SanctionType.from_model(s, today=today)
        )
    return RankingType(
        year=year,
        published=True,
        published_on=publication.published_on,
        entries=[_entry_of_row(r, by_enterprise.get(r.enterprise_id, [])) for r in rows],
    )


@strawberry.type
class RankingQuery:
    @strawberry.field(
        description="The published ranking of a year (open to everyone); before publication, a "
        "draft preview for the competent department, and null for everyone else."
    )
    async def ranking(
        self,
        info: Info,
        year: Annotated[int, strawberry.argument(description="The assessment year.")],
    ) -> RankingType | None:
        require(info, Permission.READ_RANKINGS, what="ranking")
        context = info.context
        today = context.today
        check_year(year, today=today)
        published = await context.db.run(lambda s: _published(s, year, today))
        if published is not None or not context.viewer.may(Permission.WRITE_ENTERPRISES):
            return published
        settings = context.settings.ranking
        placings = await context.db.run(lambda s: service.preview(s, year=year, settings=settings))
        return RankingType(
            year=year,
            published=False,
            published_on=None,
            entries=[_entry_of_placing(p) for p in placings],
        )


@strawberry.type(description="The ranking is published and its sanctions applied.")
class RankingPublishSuccess:
    ranking: RankingType = strawberry.field(description="The published ranking.")


RankingPublishResult = Annotated[
    RankingPublishSuccess | NotPermitted | ValidationFailed,
    strawberry.union("RankingPublishResult", description="Result of `rankingPublish`."),
]


@strawberry.input(description="One line of an assessment form.")
class AssessmentItemInput:
    item_code: str = strawberry.field(description="Code of the form's item, e.g. S01 or D03.")
    points: float = strawberry.field(
        description="Points awarded (semi-annual, up to the item's maximum) or deducted (daily)."
    )
    note: str | None = strawberry.field(default=None, description="Remark of the assessor.")


@strawberry.input(description="A daily inspection (日常巡查) or semi-annual assessment (半年考核).")
class AssessmentRecordInput:
    kind: AssessmentKind = strawberry.field(description="Daily inspection or semi-annual.")
    enterprise_id: strawberry.ID = strawberry.field(description="The enterprise's global ID.")
    assessed_on: date = strawberry.field(description="Day of the assessment.")
    items: list[AssessmentItemInput] = strawberry.field(
        description="The form's lines: every item of the 100-point form (semi-annual), or the "
        "items found wanting (daily; none for a clean inspection)."
    )
    compound_id: strawberry.ID | None = strawberry.field(
        default=None, description="The compound inspected (daily inspections only)."
    )
    half: int | None = strawberry.field(
        default=None, description="1 or 2 (semi-annual assessments only)."
    )


@strawberry.type(description="The assessment is recorded.")
class AssessmentRecordSuccess:
    assessment: AssessmentType = strawberry.field(description="The recorded assessment.")


AssessmentRecordResult = Annotated[
    AssessmentRecordSuccess | NotPermitted | ValidationFailed,
    strawberry.union("AssessmentRecordResult", description="Result of `assessmentRecord`."),
]


def database_id(value: str, type_name: str, field: str) -> int:
    kind, db_id = decode_global_id(value, field=field)
    if kind != type_name:
        raise BadUserInput(f"{field}: the ID is of a {kind}, expected a {type_name}", field=field)
    return db_id


@strawberry.type
class RankingMutation:
    @strawberry.mutation(
        description="Publish the ranking of a finished year and apply its sanctions (R8): the "
        "competent department only, once per year; a published ranking is final."
    )
    async def ranking_publish(
        self,
        info: Info,
        year: Annotated[int, strawberry.argument(description="The assessment year.")],
    ) -> RankingPublishResult:
        action, context = "rankingPublish", info.context
        if not context.viewer.may(Permission.WRITE_ENTERPRISES):
            message = f"rankingPublish needs the {Permission.WRITE_ENTERPRISES} permission"
            return await refuse(info, action, NotPermitted(message=message), detail={"year": year})
        today = context.today

        async def work(session: AsyncSession) -> RankingType:
            publication = await service.publish(
                session,
                year=year,
                published_on=today,
                published_by_id=context.viewer.unit_id,
                settings=context.settings.ranking,
                budget=context.settings.budget,
            )
            subject = {"subject_type": "Ranking", "subject_id": str(publication.year)}
            audit.write(session, info, audit.event(info, action, "ok", **subject))
            ranking = await _published(session, year, today)
            assert ranking is not None
            return ranking

        try:
            ranking = await context.db.transaction(work)
        except (BadUserInput, NotFound) as exc:
            return await refuse(info, action, ValidationFailed.of(exc), detail={"year": year})
        return RankingPublishSuccess(ranking=ranking)

    @strawberry.mutation(
        description="Record a daily inspection (the competent department, or a town or community "
        "for a compound in its jurisdiction) or a semi-annual assessment (the competent "
        "department), checked against its form (R8)."
    )
    async def assessment_record(
        self,
        info: Info,
        input: Annotated[
            AssessmentRecordInput, strawberry.argument(description="The assessment and its form.")
        ],
    ) -> AssessmentRecordResult:
        action, context = "assessmentRecord", info.context
        viewer = context.viewer
        kind = Kind(input.kind)
        allowed = viewer.may(Permission.WRITE_ENTERPRISES) or (
            kind is Kind.DAILY_INSPECTION and viewer.may(Permission.WRITE_LOCAL)
        )
        if not allowed:
            message = (
                f"assessmentRecord of a {kind.value} needs the {Permission.WRITE_ENTERPRISES} "
                f"permission (a daily inspection: or {Permission.WRITE_LOCAL} in scope)"
            )
            return await refuse(info, action, NotPermitted(message=message))
        today = context.today

        async def work(session: AsyncSession) -> m.Assessment:
            assessment = await service.record_assessment(
                session,
                principal=viewer,
                kind=kind,
                enterprise_id=database_id(input.enterprise_id, "Enterprise", "enterpriseId"),
                compound_id=(
                    database_id(input.compound_id, "Compound", "compoundId")
                    if input.compound_id
                    else None
                ),
                assessed_on=input.assessed_on,
                half=input.half,
                items=[rules.ItemInput(i.item_code, i.points, i.note) for i in input.items],
                today=today,
            )
            subject = {"subject_type": "Assessment", "subject_id": str(assessment.id)}
            audit.write(session, info, audit.event(info, action, "ok", **subject))
            return assessment

        try:
            assessment = await context.db.transaction(work)
        except (BadUserInput, NotFound) as exc:
            return await refuse(info, action, ValidationFailed.of(exc))
        return AssessmentRecordSuccess(assessment=AssessmentType.from_model(assessment))
