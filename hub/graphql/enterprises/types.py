"""GraphQL types of enterprises: the consolidated profile (企业画像) conference staff look at.

At the top of the import order of the topics' types: it imports the types of compounds,
tenders, assessments, the ranking and the ledger, and the fields of those that point back to an
enterprise build it through ``hub.graphql.nodes.builder``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

import strawberry

from hub.domain.access import Permission
from hub.domain.credit import CreditEntry, is_valid_on
from hub.graphql.assessments.types import AssessmentType, AssessmentYearType, years_of
from hub.graphql.common import Sourced
from hub.graphql.compounds.types import CompoundType, ServiceContractType
from hub.graphql.context import Info
from hub.graphql.enums import AssessmentKind, CreditCategory, CreditLevel, EnterpriseStatus
from hub.graphql.ledger.types import LedgerFiguresType, enterprise_ledger_figures
from hub.graphql.loaders import Loaders
from hub.graphql.nodes import node_type
from hub.graphql.permissions import require
from hub.graphql.prefetch import Relation, flatten, register, same_row, via
from hub.graphql.ranking.types import SanctionType, enterprise_sanctions
from hub.graphql.relay import Node
from hub.graphql.tenders.types import TenderAwardType, TenderBidType
from hub.store import models as m


@strawberry.type(
    name="CreditRecord",
    description="An enterprise credit record: basic information (基本信息), a good record "
    "(良好信息, adds points) or a bad record (不良信息, subtracts points).",
)
class CreditRecordType(Sourced):
    category: CreditCategory = strawberry.field(description="Basic, good or bad.")
    title: str = strawberry.field(description="What the record is about.")
    points: float = strawberry.field(
        description="Points (never negative; bad records subtract them from the score)."
    )
    level: CreditLevel = strawberry.field(description="The level that contributed the record.")
    recorded_on: date = strawberry.field(description="Date recorded.")
    valid_from: date = strawberry.field(description="First day the record counts.")
    valid_until: date | None = strawberry.field(description="Last day it counts; null = no end.")
    valid_today: bool = strawberry.field(description="Counts in today's score.")


@strawberry.type(name="CreditGrade", description="A published credit evaluation (信用等级评定).")
class CreditGradeType(Sourced):
    evaluated_on: date = strawberry.field(description="Date of the evaluation.")
    score: float = strawberry.field(description="Credit score (信用评分).")
    grade: str = strawberry.field(description="Credit grade, e.g. AAA, AA, A, B, C.")


@strawberry.type(
    name="EnterpriseCredit",
    description="Credit of an enterprise as published by the Ordos platform (R7), with the "
    "records behind it.",
)
class EnterpriseCreditType:
    score: float | None = strawberry.field(description="Latest published score.")
    grade: str | None = strawberry.field(description="Latest published grade.")
    evaluated_on: date | None = strawberry.field(description="Date of the latest evaluation.")
    enterprise_id: strawberry.Private[int]

    @strawberry.field(description="The credit records, newest first.")
    def records(
        self,
        info: Info,
        valid_only: Annotated[
            bool, strawberry.argument(description="Only the records that count today.")
        ] = False,
    ) -> list[CreditRecordType]:
        today = info.context.loaders.today

        def build(rows: list[m.EnterpriseCreditRecord]) -> list[CreditRecordType]:
            result = []
            for r in rows:
                valid = is_valid_on(
                    CreditEntry(r.category, r.points, r.valid_from, r.valid_until), today
                )
                if valid_only and not valid:
                    continue
                result.append(
                    CreditRecordType(
                        category=r.category,
                        title=r.title,
                        points=r.points,
                        level=r.level,
                        recorded_on=r.recorded_on,
                        valid_from=r.valid_from,
                        valid_until=r.valid_until,
                        valid_today=valid,
                        record=r,
                    )
                )
            return result

        return info.context.loaders.credit_records_by_enterprise.resolve(self.enterprise_id, build)

    @strawberry.field(description="Published evaluations over time, oldest first (for a chart).")
    def history(self, info: Info) -> list[CreditGradeType]:
        def build(rows: list[m.EnterpriseCreditGrade]) -> list[CreditGradeType]:
            return [
                CreditGradeType(
                    evaluated_on=r.evaluated_on,
                    score=r.score,
                    grade=r.grade,
                    record=r,
                )
                for r in rows
            ]

        return info.context.loaders.credit_grades_by_enterprise.resolve(self.enterprise_id, build)


@strawberry.type(
    name="Enterprise",
    description="A property service enterprise (物业服务企业) and its consolidated profile: "
    "registration, credit, compounds served, tenders, assessments, each with its provenance.",
)
class EnterpriseType(Node, Sourced):
    uscc: str = strawberry.field(description="Unified social credit code (统一社会信用代码).")
    name: str = strawberry.field(description="Registered name.")
    legal_representative: str = strawberry.field(description="Legal representative (法定代表人).")
    registered_address: str = strawberry.field(description="Registered address.")
    area_code: str = strawberry.field(description="Administrative area code of registration.")
    registered_capital: float = strawberry.field(description="Registered capital, 万元.")
    founded_on: date = strawberry.field(description="Date of founding.")
    status: EnterpriseStatus = strawberry.field(description="Registration status.")
    generated: bool = strawberry.field(
        description="True when the enterprise was invented for the demo data set."
    )
    credit: EnterpriseCreditType = strawberry.field(description="Credit score, grade and records.")

    @strawberry.field(description="Service contracts, oldest first.")
    def contracts(
        self,
        info: Info,
        current: Annotated[
            bool | None,
            strawberry.argument(description="Only current (true) or only past (false) contracts."),
        ] = None,
    ) -> list[ServiceContractType]:
        require(info, Permission.READ_ENTERPRISE_DETAIL, what="Enterprise.contracts")
        today = info.context.loaders.today

        def build(rows: list[m.ServiceContract]) -> list[ServiceContractType]:
            contracts = [ServiceContractType.from_model(r, today=today) for r in rows]
            return [c for c in contracts if current is None or c.current is current]

        return info.context.loaders.contracts_by_enterprise.resolve(self.db_id, build)

    @strawberry.field(description="Compounds the enterprise serves today.")
    async def compounds_served(self, info: Info) -> list[CompoundType]:
        require(info, Permission.READ_ENTERPRISE_DETAIL, what="Enterprise.compoundsServed")
        rows = await info.context.loaders.contracts_by_enterprise.load(self.db_id)
        today = info.context.loaders.today
        ids = [r.compound_id for r in rows if ServiceContractType.in_force(r, today)]
        compounds = await info.context.loaders.compound.load_many(ids)
        return [CompoundType.from_model(row) for row in compounds if row is not None]

    @strawberry.field(description="Bids in tenders (投标), oldest first.")
    def bids(self, info: Info) -> list[TenderBidType]:
        require(info, Permission.READ_ENTERPRISE_DETAIL, what="Enterprise.bids")
        return info.context.loaders.bids_by_enterprise.resolve(
            self.db_id, lambda rows: [TenderBidType.from_model(row) for row in rows]
        )

    @strawberry.field(description="Tenders won (中标), oldest first.")
    def awards(self, info: Info) -> list[TenderAwardType]:
        require(info, Permission.READ_ENTERPRISE_DETAIL, what="Enterprise.awards")
        return info.context.loaders.awards_by_enterprise.resolve(
            self.db_id, lambda rows: [TenderAwardType.from_model(row) for row in rows]
        )

    @strawberry.field(description="Assessments, oldest first, optionally of one year or kind.")
    def assessments(
        self,
        info: Info,
        year: Annotated[int | None, strawberry.argument(description="Only this year.")] = None,
        kind: Annotated[
            AssessmentKind | None, strawberry.argument(description="Only this kind.")
        ] = None,
    ) -> list[AssessmentType]:
        require(info, Permission.READ_ENTERPRISE_DETAIL, what="Enterprise.assessments")

        def build(rows: list[m.Assessment]) -> list[AssessmentType]:
            return [
                AssessmentType.from_model(r)
                for r in rows
                if (year is None or r.year == year) and (kind is None or r.kind == kind)
            ]

        return info.context.loaders.assessments_by_enterprise.resolve(self.db_id, build)

    @strawberry.field(description="Assessments summed up by year, newest year first.")
    def assessment_years(self, info: Info) -> list[AssessmentYearType]:
        require(info, Permission.READ_ENTERPRISE_DETAIL, what="Enterprise.assessmentYears")
        return info.context.loaders.assessments_by_enterprise.resolve(self.db_id, years_of)

    @strawberry.field(
        description="Ledger statistics (台账统计) of the compounds while this enterprise "
        "served them."
    )
    async def ledger_statistics(self, info: Info) -> LedgerFiguresType:
        return await enterprise_ledger_figures(info, self.db_id)

    @strawberry.field(
        description="Sanctions of published annual rankings (奖惩, R8), oldest first: rewards, "
        "bans on new projects and market exits, each with the days it is in force."
    )
    def sanctions(self, info: Info) -> list[SanctionType]:
        return enterprise_sanctions(info, self.db_id)

    @classmethod
    def from_model(cls, row: m.Enterprise) -> EnterpriseType:
        return cls(
            db_id=row.id,
            uscc=row.uscc,
            name=row.name,
            legal_representative=row.legal_representative,
            registered_address=row.registered_address,
            area_code=row.area_code,
            registered_capital=row.registered_capital,
            founded_on=row.founded_on,
            status=row.status,
            generated=row.generated,
            record=row,
            credit=EnterpriseCreditType(
                score=row.credit_score,
                grade=row.credit_grade,
                evaluated_on=row.credit_evaluated_on,
                enterprise_id=row.id,
            ),
        )


DETAIL = Permission.READ_ENTERPRISE_DETAIL


async def _compounds_served(loaders: Loaders, enterprises: Sequence[m.Enterprise]) -> list[Any]:
    contracts = await loaders.contracts_by_enterprise.load_many([e.id for e in enterprises])
    ids = {
        c.compound_id for c in flatten(contracts) if ServiceContractType.in_force(c, loaders.today)
    }
    return list(flatten(await loaders.compound.load_many(sorted(ids))))


register(
    "Enterprise",
    credit=same_row("EnterpriseCredit"),
    compoundsServed=Relation(fetch=_compounds_served, child="Compound", permission=DETAIL),
    contracts=via(
        lambda loaders: loaders.contracts_by_enterprise, "id", "ServiceContract", permission=DETAIL
    ),
    bids=via(lambda loaders: loaders.bids_by_enterprise, "id", "TenderBid", permission=DETAIL),
    awards=via(
        lambda loaders: loaders.awards_by_enterprise, "id", "TenderAward", permission=DETAIL
    ),
    assessments=via(
        lambda loaders: loaders.assessments_by_enterprise, "id", "Assessment", permission=DETAIL
    ),
    assessmentYears=via(
        lambda loaders: loaders.assessments_by_enterprise,
        "id",
        "AssessmentYear",
        permission=DETAIL,
    ),
)
register(
    "EnterpriseCredit",
    records=via(lambda loaders: loaders.credit_records_by_enterprise, "id", None),
    history=via(lambda loaders: loaders.credit_grades_by_enterprise, "id", None),
)

node_type(
    "Enterprise",
    loader=lambda loaders: loaders.enterprise,
    convert=EnterpriseType.from_model,
    permission=Permission.READ_ENTERPRISES,
    model=m.Enterprise,
)
