"""GraphQL types of assessments (考核, R8): daily inspections and semi-annual assessments."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import strawberry

from hub.domain.access import Permission
from hub.domain.enums import AssessmentKind as Kind
from hub.graphql.common import Sourced
from hub.graphql.compounds.types import CompoundType
from hub.graphql.context import Info
from hub.graphql.enums import AssessmentKind
from hub.graphql.nodes import node_type
from hub.graphql.permissions import require
from hub.graphql.prefetch import register, same_row, via
from hub.graphql.relay import Node
from hub.store import models as m


@strawberry.type(name="AssessmentItem", description="One line of an assessment form.")
class AssessmentItemType:
    item_code: str = strawberry.field(description="Code of the item on the form.")
    item_name: str = strawberry.field(description="Name of the item, e.g. 环境卫生.")
    max_points: float | None = strawberry.field(description="Most points the item can give.")
    points: float = strawberry.field(
        description="Points deducted (daily inspection) or awarded (semi-annual assessment)."
    )
    note: str | None = strawberry.field(description="Remark of the assessor.")


@strawberry.type(
    name="Assessment",
    description="A daily inspection (日常巡查: deductions by item) or a semi-annual assessment "
    "(半年考核: a 100-point form) of an enterprise.",
)
class AssessmentType(Node, Sourced):
    kind: AssessmentKind = strawberry.field(description="Daily inspection or semi-annual.")
    year: int = strawberry.field(description="Assessment year.")
    half: int | None = strawberry.field(description="1 or 2 for a semi-annual assessment.")
    assessed_on: date = strawberry.field(description="Date of the assessment.")
    total: float = strawberry.field(
        description="Sum of the items: points deducted (daily) or points scored (semi-annual)."
    )
    compound_id: strawberry.Private[int | None]

    @strawberry.field(description="The compound inspected (daily inspections).")
    def compound(self, info: Info) -> CompoundType | None:
        require(info, Permission.READ_COMPOUNDS, what="Assessment.compound")
        if self.compound_id is None:
            return None
        return info.context.loaders.compound.resolve(
            self.compound_id, lambda row: CompoundType.from_model(row) if row else None
        )

    @strawberry.field(description="The items of the form.")
    def items(self, info: Info) -> list[AssessmentItemType]:
        def build(rows: list[m.AssessmentItem]) -> list[AssessmentItemType]:
            return [
                AssessmentItemType(
                    item_code=r.item_code,
                    item_name=r.item_name,
                    max_points=r.max_points,
                    points=r.points,
                    note=r.note,
                )
                for r in rows
            ]

        return info.context.loaders.assessment_items.resolve(self.db_id, build)

    @classmethod
    def from_model(cls, row: m.Assessment) -> AssessmentType:
        return cls(
            db_id=row.id,
            kind=row.kind,
            year=row.year,
            half=row.half,
            assessed_on=row.assessed_on,
            total=row.total,
            record=row,
            compound_id=row.compound_id,
        )


register(
    "Assessment",
    compound=via(
        lambda loaders: loaders.compound,
        "compound_id",
        "Compound",
        permission=Permission.READ_COMPOUNDS,
    ),
    items=via(lambda loaders: loaders.assessment_items, "id", None),
)


@strawberry.type(name="AssessmentYear", description="An enterprise's assessments in one year.")
class AssessmentYearType:
    year: int = strawberry.field(description="The year.")
    semi_annual_scores: list[float] = strawberry.field(
        description="Scores of the semi-annual assessments, first half first."
    )
    semi_annual_average: float | None = strawberry.field(
        description="Average semi-annual score; null without a semi-annual assessment."
    )
    daily_inspections: int = strawberry.field(description="Number of daily inspections.")
    deductions: float = strawberry.field(description="Points deducted by daily inspections.")
    assessments: list[AssessmentType] = strawberry.field(description="The assessments, by date.")


register("AssessmentYear", assessments=same_row("Assessment"))
node_type(
    "Assessment",
    loader=lambda loaders: loaders.assessment,
    convert=AssessmentType.from_model,
    permission=Permission.READ_ENTERPRISE_DETAIL,
)


def years_of(rows: list[m.Assessment]) -> list[AssessmentYearType]:
    """Assessments grouped by year, newest year first."""
    by_year: dict[int, list[m.Assessment]] = defaultdict(list)
    for row in rows:
        by_year[row.year].append(row)
    result = []
    for year in sorted(by_year, reverse=True):
        group = by_year[year]
        semi = [
            r.total for r in sorted(group, key=lambda r: r.half or 0) if r.kind is Kind.SEMI_ANNUAL
        ]
        daily = [r for r in group if r.kind is Kind.DAILY_INSPECTION]
        result.append(
            AssessmentYearType(
                year=year,
                semi_annual_scores=semi,
                semi_annual_average=round(sum(semi) / len(semi), 2) if semi else None,
                daily_inspections=len(daily),
                deductions=round(sum(r.total for r in daily), 2),
                assessments=[AssessmentType.from_model(r) for r in group],
            )
        )
    return result
