"""The mutations ``repairProjectCreate`` and ``repairAcceptanceRecord``: a repair registered,
then accepted by each party; the last acceptance grants the subsidy (R4, R13)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import subsidies as rules
from hub.domain.access import Permission
from hub.graphql.acting import change
from hub.graphql.context import Info
from hub.graphql.nodes import database_id
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.repairs.types import RepairParty, RepairProjectType
from hub.services import parameters
from hub.services import repairs as service
from hub.store.models import RepairProject


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
        name="repairProjectCreate",
        description="Register a completed repair of a compound past its warranty (R4): the "
        "community (or town) that brought the committee and the enterprise together.",
    )
    async def repair_project_create(
        self,
        info: Info,
        input: Annotated[
            RepairProjectCreateInput, strawberry.argument(description="The completed repair.")
        ],
    ) -> RepairProjectCreateResult:
        context = info.context
        today = context.today

        async def work(session: AsyncSession) -> RepairProject:
            return await service.create_project(
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

        return await change(
            info,
            action="repairProjectCreate",
            permission=Permission.WRITE_LOCAL,
            subject_type="RepairProject",
            work=work,
            subject_id=lambda project: project.id,
            success=lambda project: RepairProjectCreateSuccess(
                project=RepairProjectType.from_model(project)
            ),
        )

    @strawberry.mutation(
        name="repairAcceptanceRecord",
        description="Record one party's acceptance of a repair, by the party's own unit (the "
        "committee's by its community); the last acceptance grants the subsidy, refused when it "
        "would pass the year's special budget.",
    )
    async def repair_acceptance_record(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
        party: Annotated[RepairParty, strawberry.argument(description="The accepting party.")],
        accepted_on: Annotated[date, strawberry.argument(description="Day of the acceptance.")],
        note: Annotated[str | None, strawberry.argument(description="Remark.")] = None,
    ) -> RepairAcceptanceRecordResult:
        # A party not the viewer's to accept for: NotPermitted (the service's PartyNotPermitted).
        context = info.context
        today, chosen = context.today, rules.RepairParty(party)

        async def work(session: AsyncSession) -> RepairProject:
            return await service.accept(
                session,
                principal=context.viewer,
                project_id=database_id(project_id, "RepairProject", "projectId"),
                party=chosen,
                accepted_on=accepted_on,
                note=note,
                today=today,
                budget=parameters.budget_settings(context.settings),
            )

        return await change(
            info,
            action="repairAcceptanceRecord",
            permission=Permission.ACCEPT_REPAIRS,
            subject_type="RepairProject",
            work=work,
            subject_id=lambda project: project.id,
            success=lambda project: RepairAcceptanceRecordSuccess(
                project=RepairProjectType.from_model(project),
                subsidy_granted=project.status is rules.RepairStatus.SUBSIDY_GRANTED,
            ),
            detail_of=lambda project: {
                "party": chosen.value,
                "granted": project.granted_on is not None,
            },
        )
