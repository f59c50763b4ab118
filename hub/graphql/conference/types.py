"""GraphQL types of the joint-conference report (联席会议报告): per town, with the banner-wide
sanctions and special budget."""

from __future__ import annotations

from datetime import date

import strawberry

from hub.graphql.ledger.types import LedgerFiguresType
from hub.graphql.ranking.types import SanctionKind
from hub.graphql.repairs.types import BudgetType
from hub.graphql.statistics.types import FiguresType
from hub.services import conference


@strawberry.type(name="ConferenceTown", description="One town's figures for the year (各镇情况).")
class ConferenceTownType:
    code: str = strawberry.field(description="Code of the town.")
    name: str = strawberry.field(description="Name of the town.")
    figures: FiguresType = strawberry.field(
        description="Coverage (覆盖率) and committee formation (组建率) on the report day."
    )
    ledger: LedgerFiguresType = strawberry.field(
        description="Ledger statistics (台账统计) of the town's items reported in the year that "
        "you may see, in their state as of now."
    )
    findings_opened: int = strawberry.field(
        description="Compliance findings (督办事项) opened in the year."
    )
    findings_closed: int = strawberry.field(
        description="Compliance findings closed (销号) in the year."
    )
    repair_projects: int = strawberry.field(
        description="Post-warranty repair projects charged to the year's budget (维修项目)."
    )
    subsidies_yuan: float = strawberry.field(
        description="Their subsidies (维修补贴) charged to the year's budget, in yuan."
    )

    @classmethod
    def of(cls, town: conference.TownReport) -> ConferenceTownType:
        return cls(
            code=town.code,
            name=town.name,
            figures=FiguresType.of(town.figures),
            ledger=LedgerFiguresType.of(town.ledger),
            findings_opened=town.findings_opened,
            findings_closed=town.findings_closed,
            repair_projects=town.repair_projects,
            subsidies_yuan=town.subsidies_yuan,
        )


@strawberry.type(
    name="ConferenceSanctionCount",
    description="How many sanctions of one kind the year's ranking applied (奖惩).",
)
class ConferenceSanctionCountType:
    kind: SanctionKind = strawberry.field(description="Reward, ban or market exit.")
    count: int = strawberry.field(description="How many enterprises received it.")


@strawberry.type(
    name="ConferenceReport",
    description="The joint-conference report (联席会议报告) of a year: per town, with the "
    "banner-wide sanctions and special budget.",
)
class ConferenceReportType:
    year: int = strawberry.field(description="The year reported on.")
    on: date = strawberry.field(
        description="The day coverage and formation are taken: the year's last day, or today "
        "for the current year."
    )
    towns: list[ConferenceTownType] = strawberry.field(
        description="Per town, by code (only the town asked for, or your own town)."
    )
    ranking_published_on: date | None = strawberry.field(
        description="When the year's ranking (红黑榜) was published; null if not yet."
    )
    sanctions: list[ConferenceSanctionCountType] = strawberry.field(
        description="The sanctions the year's ranking applied, per kind (empty if unpublished)."
    )
    budget: BudgetType = strawberry.field(
        description="The year's special budget (专项资金): subsidies and rewards paid against it."
    )

    @classmethod
    def of(cls, report: conference.ConferenceReport) -> ConferenceReportType:
        return cls(
            year=report.year,
            on=report.on,
            towns=[ConferenceTownType.of(t) for t in report.towns],
            ranking_published_on=report.ranking_published_on,
            sanctions=[
                ConferenceSanctionCountType(kind=s.kind, count=s.count) for s in report.sanctions
            ],
            budget=BudgetType.of(report.budget),
        )
