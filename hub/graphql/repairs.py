"""GraphQL of post-warranty repairs, their joint acceptance and subsidy, and the special budget
(质保期外维修、联合验收、补贴、专项资金, R4, R13)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import sqlalchemy as sa
import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import subsidies as rules
from hub.domain.access import Permission
from hub.domain.calendar import check_year
from hub.errors import BadUserInput, NotFound
from hub.graphql import audit
from hub.graphql.context import Info
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.permissions import require
from hub.graphql.ranking import database_id
from hub.graphql.relay import AFTER, DEFAULT_PAGE_SIZE, FIRST, Connection, Node, paginate
from hub.graphql.workflow import refuse
from hub.services import repairs as service
from hub.services.paging import Ordering, SortKey
from hub.services.scope import narrow
from hub.store.ranking_models import RepairAcceptance, RepairProject

if TYPE_CHECKING:
    from hub.graphql.compounds import CompoundType
    from hub.graphql.enterprises import EnterpriseType

Compound = Annotated["CompoundType", strawberry.lazy("hub.graphql.compounds")]
Enterprise = Annotated["EnterpriseType", strawberry.lazy("hub.graphql.enterprises")]

RepairParty = strawberry.enum(
    rules.RepairParty,
    description="A party that accepts a post-warranty repair (R4): the town government or "
    "水岸新城推进办, the community (社区), the owners' committee (业主委员会, recorded by the "
    "community) and the competent department (住建局).",
)
RepairStatus = strawberry.enum(
    rules.RepairStatus,
    description="Awaiting the acceptances, or accepted by all with the subsidy granted.",
)
NEWEST_FIRST = Ordering(
    "REPAIRS_NEWEST",
    (SortKey(RepairProject.completed_on, True), SortKey(RepairProject.id, True)),
)


@strawberry.type(name="RepairAcceptance", description="One party's acceptance (验收) of a repair.")
class RepairAcceptanceType:
    party: RepairParty = strawberry.field(description="The accepting party.")
    accepted_on: date = strawberry.field(description="Day of the acceptance.")
    note: str | None = strawberry.field(description="Remark of the party.")

    @classmethod
    def from_model(cls, row: RepairAcceptance) -> RepairAcceptanceType:
        return cls(party=row.party, accepted_on=row.accepted_on, note=row.note)


@strawberry.type(
    name="RepairProject",
    description="A repair of a compound past its warranty period (质保期外维修, R4): accepted "
    "jointly by the town, the community, the committee and the competent department, after "
    "which the enterprise receives its subsidy from the year's special budget.",
)
class RepairProjectType(Node):
    title: str = strawberry.field(description="What was repaired.")
    completed_on: date = strawberry.field(description="Day the work was completed.")
    subsidy_yuan: float = strawberry.field(description="The subsidy (补贴), in yuan.")
    status: RepairStatus = strawberry.field(description="Awaiting acceptance or subsidised.")
    granted_on: date | None = strawberry.field(description="Day the subsidy was granted.")
    budget_year: int | None = strawberry.field(description="Budget year charged.")
    compound_id: strawberry.Private[int]
    enterprise_id: strawberry.Private[int]

    @strawberry.field(description="The compound repaired.")
    def compound(self, info: Info) -> Compound | None:
        from hub.graphql.compounds import CompoundType

        return info.context.loaders.compound.resolve(
            self.compound_id, lambda row: CompoundType.from_model(row) if row else None
        )

    @strawberry.field(description="The enterprise that did the work and gets the subsidy.")
    def enterprise(self, info: Info) -> Enterprise | None:
        from hub.graphql.enterprises import EnterpriseType

        return info.context.loaders.enterprise.resolve(
            self.enterprise_id, lambda row: EnterpriseType.from_model(row) if row else None
        )

    @strawberry.field(description="The acceptances recorded so far, oldest first.")
    def acceptances(self, info: Info) -> list[RepairAcceptanceType]:
        return info.context.loaders.repair_acceptances.resolve(
            self.db_id, lambda rows: [RepairAcceptanceType.from_model(r) for r in rows]
        )

    @strawberry.field(description="The parties that have not accepted yet.")
    def awaiting(self, info: Info) -> list[RepairParty]:
        return info.context.loaders.repair_acceptances.resolve(
            self.db_id, lambda rows: rules.missing_parties(r.party for r in rows)
        )

    @classmethod
    def from_model(cls, row: RepairProject) -> RepairProjectType:
        return cls(
            db_id=row.id,
            title=row.title,
            completed_on=row.completed_on,
            subsidy_yuan=row.subsidy_yuan,
            status=row.status,
            granted_on=row.granted_on,
            budget_year=row.budget_year,
            compound_id=row.compound_id,
            enterprise_id=row.enterprise_id,
        )


@strawberry.type(
    name="Budget",
    description="The year's special budget for rewards and subsidies (专项资金, R13): subsidies "
    "are charged to the year of their grant, rewards to the year their ranking was published.",
)
class BudgetType:
    year: int = strawberry.field(description="The budget year.")
    total_yuan: float = strawberry.field(description="The budget of the year, in yuan.")
    subsidies_yuan: float = strawberry.field(description="Subsidies granted in the year.")
    rewards_yuan: float = strawberry.field(description="Rewards of rankings published in the year.")
    remaining_yuan: float = strawberry.field(description="What is left.")

    @classmethod
    def of(cls, status: rules.BudgetStatus) -> BudgetType:
        return cls(
            year=status.year,
            total_yuan=status.total,
            subsidies_yuan=status.subsidies,
            rewards_yuan=status.rewards,
            remaining_yuan=status.remaining,
        )


@strawberry.type
class RepairQuery:
    @strawberry.field(
        description="Post-warranty repair projects in your jurisdiction, newest first."
    )
    async def repair_projects(
        self,
        info: Info,
        first: Annotated[int, FIRST] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[RepairProjectType]:
        require(info, Permission.READ_COMPOUNDS, what="repairProjects")
        stmt = narrow(sa.select(RepairProject), RepairProject, info.context.viewer)
        return await paginate(
            info.context.db,
            stmt,
            ordering=NEWEST_FIRST,
            first=first,
            after=after,
            to_node=RepairProjectType.from_model,
        )

    @strawberry.field(description="The special budget of a year and what was charged to it.")
    async def budget(
        self, info: Info, year: Annotated[int, strawberry.argument(description="The year.")]
    ) -> BudgetType:
        require(info, Permission.READ_STATISTICS, what="budget")
        check_year(year, today=info.context.today, ahead=1)  # next year's budget may be planned
        settings = info.context.settings.budget
        status = await info.context.db.run(
            lambda s: service.budget_status(s, year=year, budget=settings)
        )
        return BudgetType.of(status)


@strawberry.input(description="A completed repair of a compound past its warranty period.")
class RepairProjectCreateInput:
    compound_id: strawberry.ID = strawberry.field(description="The compound's global ID.")
    title: str = strawberry.field(description="What was repaired.")
    completed_on: date = strawberry.field(description="Day the work was completed.")
    subsidy_yuan: float = strawberry.field(description="The subsidy applied for, in yuan.")
    enterprise_id: strawberry.ID | None = strawberry.field(
        default=None, description="The enterprise (default: the one serving the compound)."
    )


@strawberry.type(description="The repair project is registered; acceptances can follow.")
class RepairProjectCreateSuccess:
    project: RepairProjectType = strawberry.field(description="The new project.")


RepairProjectCreateResult = Annotated[
    RepairProjectCreateSuccess | NotPermitted | ValidationFailed,
    strawberry.union("RepairProjectCreateResult", description="Result of `repairProjectCreate`."),
]


@strawberry.type(
    description="The acceptance is recorded; with the last one the subsidy was granted."
)
class RepairAcceptanceRecordSuccess:
    project: RepairProjectType = strawberry.field(description="The project, as it stands now.")
    subsidy_granted: bool = strawberry.field(description="This acceptance granted the subsidy.")


RepairAcceptanceRecordResult = Annotated[
    RepairAcceptanceRecordSuccess | NotPermitted | ValidationFailed,
    strawberry.union(
        "RepairAcceptanceRecordResult", description="Result of `repairAcceptanceRecord`."
    ),
]


@strawberry.type
class RepairMutation:
    @strawberry.mutation(
        description="Register a completed repair of a compound past its warranty (R4): the "
        "community (or town) that brought the committee and the enterprise together."
    )
    async def repair_project_create(
        self,
        info: Info,
        input: Annotated[
            RepairProjectCreateInput, strawberry.argument(description="The completed repair.")
        ],
    ) -> RepairProjectCreateResult:
        action, context = "repairProjectCreate", info.context
        if not context.viewer.may(Permission.WRITE_LOCAL):
            message = f"repairProjectCreate needs the {Permission.WRITE_LOCAL} permission"
            return await refuse(info, action, NotPermitted(message=message))
        today = context.today

        async def work(session: AsyncSession) -> RepairProject:
            project = await service.create_project(
                session,
                principal=context.viewer,
                compound_id=database_id(input.compound_id, "Compound", "compoundId"),
                enterprise_id=(
                    database_id(input.enterprise_id, "Enterprise", "enterpriseId")
                    if input.enterprise_id
                    else None
                ),
                title=input.title,
                completed_on=input.completed_on,
                subsidy_yuan=input.subsidy_yuan,
                today=today,
            )
            subject = {"subject_type": "RepairProject", "subject_id": str(project.id)}
            audit.write(session, info, audit.event(info, action, "ok", **subject))
            return project

        try:
            project = await context.db.transaction(work)
        except (BadUserInput, NotFound) as exc:
            return await refuse(info, action, ValidationFailed.of(exc))
        return RepairProjectCreateSuccess(project=RepairProjectType.from_model(project))

    @strawberry.mutation(
        description="Record one party's acceptance of a repair, by the party's own unit (the "
        "committee's by its community); the last acceptance grants the subsidy, refused when it "
        "would pass the year's special budget."
    )
    async def repair_acceptance_record(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
        party: Annotated[RepairParty, strawberry.argument(description="The accepting party.")],
        accepted_on: Annotated[date, strawberry.argument(description="Day of the acceptance.")],
        note: Annotated[str | None, strawberry.argument(description="Remark.")] = None,
    ) -> RepairAcceptanceRecordResult:
        action, context = "repairAcceptanceRecord", info.context
        if not context.viewer.may(Permission.ACCEPT_REPAIRS):
            message = f"repairAcceptanceRecord needs the {Permission.ACCEPT_REPAIRS} permission"
            return await refuse(info, action, NotPermitted(message=message))
        today, chosen = context.today, rules.RepairParty(party)

        async def work(session: AsyncSession) -> RepairProject:
            project = await service.accept(
                session,
                principal=context.viewer,
                project_id=database_id(project_id, "RepairProject", "projectId"),
                party=chosen,
                accepted_on=accepted_on,
                note=note,
                today=today,
                budget=context.settings.budget,
            )
            subject = {"subject_type": "RepairProject", "subject_id": str(project.id)}
            detail = {"party": chosen.value, "granted": project.granted_on is not None}
            audit.write(session, info, audit.event(info, action, "ok", detail=detail, **subject))
            return project

        try:
            project = await context.db.transaction(work)
        except service.PartyNotPermitted as exc:
            return await refuse(info, action, NotPermitted(message=exc.message))
        except (BadUserInput, NotFound) as exc:
            return await refuse(info, action, ValidationFailed.of(exc))
        return RepairAcceptanceRecordSuccess(
            project=RepairProjectType.from_model(project),
            subsidy_granted=project.status is rules.RepairStatus.SUBSIDY_GRANTED,
        )
