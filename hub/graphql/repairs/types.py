"""GraphQL types of post-warranty repairs, their joint acceptance and subsidy, and the special
budget (质保期外维修、联合验收、补贴、专项资金, R4, R13)."""

from __future__ import annotations

from datetime import date
from typing import TypeAlias

import strawberry

from hub.domain import subsidies as rules
from hub.graphql.compounds.types import CompoundType
from hub.graphql.context import Info
from hub.graphql.enterprises.types import EnterpriseType
from hub.graphql.relay import Node
from hub.store.models import RepairAcceptance, RepairProject

RepairParty: TypeAlias = rules.RepairParty
strawberry.enum(
    RepairParty,
    description="A party that accepts a post-warranty repair (R4): the town government or "
    "水岸新城推进办, the community (社区), the owners' committee (业主委员会, recorded by the "
    "community) and the competent department (住建局).",
)
RepairStatus: TypeAlias = rules.RepairStatus
strawberry.enum(
    RepairStatus,
    description="Awaiting the acceptances, or accepted by all with the subsidy granted.",
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
    def compound(self, info: Info) -> CompoundType | None:
        return info.context.loaders.compound.resolve(
            self.compound_id, lambda row: CompoundType.from_model(row) if row else None
        )

    @strawberry.field(description="The enterprise that did the work and gets the subsidy.")
    def enterprise(self, info: Info) -> EnterpriseType | None:
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
