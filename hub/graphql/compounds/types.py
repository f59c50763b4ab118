"""GraphQL types of compounds (住宅小区) and of the service contracts that cover them.

Above jurisdictions, utilities, tenders and committees in the import order, below enterprises:
``ServiceContract.enterprise`` points back (lazily, built through ``hub.graphql.nodes.builder``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.domain.access import Permission
from hub.graphql.committees.types import OwnersCommitteeType
from hub.graphql.common import Sourced
from hub.graphql.context import Info
from hub.graphql.enums import SelectionMethod
from hub.graphql.jurisdictions.types import CommunityType, TownType
from hub.graphql.nodes import builder, node_type
from hub.graphql.permissions import require
from hub.graphql.prefetch import register, via
from hub.graphql.relay import AFTER, DEFAULT_PAGE_SIZE, FIRST, Connection, Node
from hub.graphql.residents.types import ResidentFilterInput, ResidentType, residents_of
from hub.graphql.tenders.types import TenderType
from hub.graphql.utilities.types import OPEN_STATUSES, ConnectionTaskType, OutageType
from hub.store import models as m

if TYPE_CHECKING:
    from hub.graphql.enterprises.types import EnterpriseType

Enterprise = Annotated["EnterpriseType", strawberry.lazy("hub.graphql.enterprises.types")]


@strawberry.type(
    name="ServiceContract",
    description="A property service contract: which enterprise serves which compound, from when "
    "to when, and how it was selected (前期物业 or 业主委员会重新选聘, "
    "through the tender platform).",
)
class ServiceContractType(Node, Sourced):
    starts_on: date = strawberry.field(description="First day of service.")
    ends_on: date | None = strawberry.field(description="Last day of service; null while open.")
    selection: SelectionMethod = strawberry.field(description="How the enterprise was selected.")
    current: bool = strawberry.field(description="In force today.")
    enterprise_id: strawberry.Private[int]
    compound_id: strawberry.Private[int]
    tender_id: strawberry.Private[int | None]

    @strawberry.field(description="The serving enterprise.")
    def enterprise(self, info: Info) -> Enterprise:
        loader = info.context.loaders.enterprise
        return loader.resolve(self.enterprise_id, builder(m.Enterprise))

    @strawberry.field(description="The compound served.")
    def compound(self, info: Info) -> CompoundType:
        loader = info.context.loaders.compound
        return loader.resolve_shared(self.compound_id, CompoundType.from_model)

    @strawberry.field(description="The tender that decided the selection, if it is known.")
    def tender(self, info: Info) -> TenderType | None:
        require(info, Permission.READ_TENDERS, what="ServiceContract.tender")
        if self.tender_id is None:
            return None
        return info.context.loaders.tender.resolve(self.tender_id, TenderType.from_optional)

    @staticmethod
    def in_force(row: m.ServiceContract, today: date) -> bool:
        """True when the contract covers ``today``."""
        return row.starts_on <= today and (row.ends_on is None or row.ends_on >= today)

    @classmethod
    def from_model(cls, row: m.ServiceContract, *, today: date) -> ServiceContractType:
        return cls(
            db_id=row.id,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            selection=row.selection,
            current=cls.in_force(row, today),
            record=row,
            enterprise_id=row.enterprise_id,
            compound_id=row.compound_id,
            tender_id=row.tender_id,
        )


@strawberry.type(name="Compound", description="A residential compound (住宅小区).")
class CompoundType(Node, Sourced):
    code: str = strawberry.field(description="Code of the compound (community code + 3 digits).")
    name: str = strawberry.field(description="Name, e.g. 民悦A区.")
    address: str | None = strawberry.field(description="Street address.")
    households: int = strawberry.field(description="Number of households (户数).")
    floor_area: float = strawberry.field(description="Total floor area in m² (建筑面积).")
    built_year: int | None = strawberry.field(description="Year of completion.")
    warranty_end: date | None = strawberry.field(
        description="End of the developer's warranty period (质保期); after it, repairs follow R4."
    )
    generated: bool = strawberry.field(
        description="True when the compound was invented for the demo data set."
    )
    retired_at: datetime | None = strawberry.field(
        description="When the compound was retired (UTC; entered twice, merged …): lists and "
        "statistics leave it out. Null while it is in use."
    )
    retired_reason: str | None = strawberry.field(description="Why it was retired.")
    community_id: strawberry.Private[int]
    town_id: strawberry.Private[int]

    @strawberry.field(description="True when the warranty period has ended (过质保期).")
    def past_warranty(self, info: Info) -> bool:
        return self.warranty_end is not None and self.warranty_end < info.context.today

    @strawberry.field(description="The community the compound belongs to.")
    def community(self, info: Info) -> CommunityType:
        loader = info.context.loaders.jurisdiction
        return loader.resolve(self.community_id, CommunityType.from_model)

    @strawberry.field(description="The town the compound belongs to.")
    def town(self, info: Info) -> TownType:
        return info.context.loaders.jurisdiction.resolve(self.town_id, TownType.from_model)

    @strawberry.field(description="The service contract in force today, if any.")
    def current_contract(self, info: Info) -> ServiceContractType | None:
        today = info.context.today

        def build(rows: list[m.ServiceContract]) -> ServiceContractType | None:
            return ServiceContractType.from_model(rows[-1], today=today) if rows else None

        return info.context.loaders.current_contracts_by_compound.resolve(self.db_id, build)

    @strawberry.field(description="All service contracts of the compound, oldest first.")
    def contracts(self, info: Info) -> list[ServiceContractType]:
        today = info.context.today
        return info.context.loaders.contracts_by_compound.resolve(
            self.db_id, lambda rows: [ServiceContractType.from_model(r, today=today) for r in rows]
        )

    @strawberry.field(description="The owners' committee (业主委员会), if one was formed.")
    def committee(self, info: Info) -> OwnersCommitteeType | None:
        require(info, Permission.READ_COMMITTEES, what="Compound.committee")
        return info.context.loaders.committee_by_compound.resolve(
            self.db_id, lambda row: OwnersCommitteeType.from_model(row) if row else None
        )

    @strawberry.field(description="Tenders for the property service of the compound, oldest first.")
    def tenders(self, info: Info) -> list[TenderType]:
        require(info, Permission.READ_TENDERS, what="Compound.tenders")
        return info.context.loaders.tenders_by_compound.resolve(
            self.db_id, lambda rows: [TenderType.from_model(row) for row in rows]
        )

    @strawberry.field(
        description="Utility connection tasks (管网入户、入表) in the compound, by due date."
    )
    def connection_tasks(
        self,
        info: Info,
        open_only: Annotated[
            bool, strawberry.argument(description="Only tasks not done or cancelled.")
        ] = False,
    ) -> list[ConnectionTaskType]:
        def build(rows: list[m.ConnectionTask]) -> list[ConnectionTaskType]:
            tasks = [ConnectionTaskType.from_model(row) for row in rows]
            return [t for t in tasks if not open_only or t.status in OPEN_STATUSES]

        return info.context.loaders.connection_tasks_by_compound.resolve(self.db_id, build)

    @strawberry.field(description="Utility outages in the compound, newest first.")
    def outages(
        self,
        info: Info,
        open_only: Annotated[
            bool, strawberry.argument(description="Only outages going on now.")
        ] = False,
    ) -> list[OutageType]:
        def build(rows: list[m.Outage]) -> list[OutageType]:
            outages = [OutageType.from_model(row) for row in rows]
            return [o for o in outages if not open_only or o.open(info)]

        return info.context.loaders.outages_by_compound.resolve(self.db_id, build)

    @strawberry.field(
        description="The residents (owners and occupants) of the compound, by building and room; "
        "personal data masked unless asked for unmasked. Needs write:master-data (住建局, towns, "
        "communities: the units that keep the register)."
    )
    def residents(
        self,
        info: Info,
        first: Annotated[int, FIRST] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER] = None,
        filter: Annotated[
            ResidentFilterInput | None, strawberry.argument(description="Conditions.")
        ] = None,
    ) -> Connection[ResidentType]:
        return residents_of(info, self.db_id, first=first, after=after, filter=filter)

    @classmethod
    def from_model(cls, row: m.Compound) -> CompoundType:
        return cls(
            db_id=row.id,
            code=row.code,
            name=row.name,
            address=row.address,
            households=row.households,
            floor_area=row.floor_area,
            built_year=row.built_year,
            warranty_end=row.warranty_end,
            generated=row.generated,
            retired_at=row.retired_at,
            retired_reason=row.retired_reason,
            record=row,
            community_id=row.community_id,
            town_id=row.town_id,
        )


register(
    "ServiceContract",
    enterprise=via(lambda loaders: loaders.enterprise, "enterprise_id", "Enterprise"),
    compound=via(lambda loaders: loaders.compound, "compound_id", "Compound"),
    tender=via(
        lambda loaders: loaders.tender, "tender_id", "Tender", permission=Permission.READ_TENDERS
    ),
)
register(
    "Compound",
    community=via(lambda loaders: loaders.jurisdiction, "community_id", "Community"),
    town=via(lambda loaders: loaders.jurisdiction, "town_id", "Town"),
    currentContract=via(
        lambda loaders: loaders.current_contracts_by_compound, "id", "ServiceContract"
    ),
    contracts=via(lambda loaders: loaders.contracts_by_compound, "id", "ServiceContract"),
    committee=via(
        lambda loaders: loaders.committee_by_compound,
        "id",
        "OwnersCommittee",
        permission=Permission.READ_COMMITTEES,
    ),
    tenders=via(
        lambda loaders: loaders.tenders_by_compound,
        "id",
        "Tender",
        permission=Permission.READ_TENDERS,
    ),
    connectionTasks=via(lambda loaders: loaders.connection_tasks_by_compound, "id", None),
    outages=via(lambda loaders: loaders.outages_by_compound, "id", None),
)

node_type(
    "Compound",
    loader=lambda loaders: loaders.compound,
    convert=CompoundType.from_model,
    permission=Permission.READ_COMPOUNDS,
    model=m.Compound,
)
