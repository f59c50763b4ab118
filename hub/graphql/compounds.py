"""GraphQL types of compounds (住宅小区) and of the service contracts that cover them."""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.graphql.common import ProvenanceType
from hub.graphql.context import Info
from hub.graphql.enums import SelectionMethod
from hub.graphql.jurisdictions import CommunityType, TownType
from hub.graphql.relay import Node
from hub.graphql.utilities import OPEN_STATUSES, ConnectionTaskType, OutageType
from hub.services.compounds import CompoundFilter
from hub.store import models as m

if TYPE_CHECKING:
    from hub.graphql.committees import OwnersCommitteeType
    from hub.graphql.enterprises import EnterpriseType
    from hub.graphql.tenders import TenderType

Enterprise = Annotated["EnterpriseType", strawberry.lazy("hub.graphql.enterprises")]
Tender = Annotated["TenderType", strawberry.lazy("hub.graphql.tenders")]
Committee = Annotated["OwnersCommitteeType", strawberry.lazy("hub.graphql.committees")]


@strawberry.type(
    name="ServiceContract",
    description="A property service contract: which enterprise serves which compound, from when "
    "to when, and how it was selected (前期物业 or 业主委员会重新选聘, "
    "through the tender platform).",
)
class ServiceContractType(Node):
    starts_on: date = strawberry.field(description="First day of service.")
    ends_on: date | None = strawberry.field(description="Last day of service; null while open.")
    selection: SelectionMethod = strawberry.field(description="How the enterprise was selected.")
    current: bool = strawberry.field(description="In force today.")
    provenance: ProvenanceType = strawberry.field(description="Where the record came from.")
    enterprise_id: strawberry.Private[int]
    compound_id: strawberry.Private[int]
    tender_id: strawberry.Private[int | None]

    @strawberry.field(description="The serving enterprise.")
    async def enterprise(self, info: Info) -> Enterprise:
        from hub.graphql.enterprises import EnterpriseType

        row = await info.context.loaders.enterprise.load(self.enterprise_id)
        assert row is not None
        return EnterpriseType.from_model(row)

    @strawberry.field(description="The compound served.")
    async def compound(self, info: Info) -> CompoundType:
        row = await info.context.loaders.compound.load(self.compound_id)
        assert row is not None
        return CompoundType.from_model(row)

    @strawberry.field(description="The tender that decided the selection, if it is known.")
    async def tender(self, info: Info) -> Tender | None:
        from hub.graphql.tenders import TenderType

        if self.tender_id is None:
            return None
        row = await info.context.loaders.tender.load(self.tender_id)
        return TenderType.from_model(row) if row else None

    @classmethod
    def from_model(cls, row: m.ServiceContract, *, today: date) -> ServiceContractType:
        return cls(
            db_id=row.id,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            selection=row.selection,
            current=row.starts_on <= today and (row.ends_on is None or row.ends_on >= today),
            provenance=ProvenanceType.of(row),
            enterprise_id=row.enterprise_id,
            compound_id=row.compound_id,
            tender_id=row.tender_id,
        )


@strawberry.type(name="Compound", description="A residential compound (住宅小区).")
class CompoundType(Node):
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
    provenance: ProvenanceType = strawberry.field(description="Where the record came from.")
    community_id: strawberry.Private[int]
    town_id: strawberry.Private[int]

    @strawberry.field(description="True when the warranty period has ended (过质保期).")
    def past_warranty(self, info: Info) -> bool:
        return self.warranty_end is not None and self.warranty_end < info.context.today

    @strawberry.field(description="The community the compound belongs to.")
    async def community(self, info: Info) -> CommunityType:
        row = await info.context.loaders.jurisdiction.load(self.community_id)
        assert row is not None
        return CommunityType.from_model(row)

    @strawberry.field(description="The town the compound belongs to.")
    async def town(self, info: Info) -> TownType:
        row = await info.context.loaders.jurisdiction.load(self.town_id)
        assert row is not None
        return TownType.from_model(row)

    @strawberry.field(description="The service contract in force today, if any.")
    async def current_contract(self, info: Info) -> ServiceContractType | None:
        rows = await info.context.loaders.current_contracts_by_compound.load(self.db_id)
        today = info.context.today
        return ServiceContractType.from_model(rows[-1], today=today) if rows else None

    @strawberry.field(description="All service contracts of the compound, oldest first.")
    async def contracts(self, info: Info) -> list[ServiceContractType]:
        rows = await info.context.loaders.contracts_by_compound.load(self.db_id)
        return [ServiceContractType.from_model(r, today=info.context.today) for r in rows]

    @strawberry.field(description="The owners' committee (业主委员会), if one was formed.")
    async def committee(self, info: Info) -> Committee | None:
        from hub.graphql.committees import OwnersCommitteeType

        row = await info.context.loaders.committee_by_compound.load(self.db_id)
        return OwnersCommitteeType.from_model(row) if row else None

    @strawberry.field(description="Tenders for the property service of the compound, oldest first.")
    async def tenders(self, info: Info) -> list[Tender]:
        from hub.graphql.tenders import TenderType

        rows = await info.context.loaders.tenders_by_compound.load(self.db_id)
        return [TenderType.from_model(row) for row in rows]

    @strawberry.field(
        description="Utility connection tasks (管网入户、入表) in the compound, by due date."
    )
    async def connection_tasks(
        self,
        info: Info,
        open_only: Annotated[
            bool, strawberry.argument(description="Only tasks not done or cancelled.")
        ] = False,
    ) -> list[ConnectionTaskType]:
        rows = await info.context.loaders.connection_tasks_by_compound.load(self.db_id)
        tasks = [ConnectionTaskType.from_model(row) for row in rows]
        return [t for t in tasks if not open_only or t.status in OPEN_STATUSES]

    @strawberry.field(description="Utility outages in the compound, newest first.")
    async def outages(
        self,
        info: Info,
        open_only: Annotated[
            bool, strawberry.argument(description="Only outages going on now.")
        ] = False,
    ) -> list[OutageType]:
        rows = await info.context.loaders.outages_by_compound.load(self.db_id)
        outages = [OutageType.from_model(row) for row in rows]
        return [o for o in outages if not open_only or o.open(info)]

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
            provenance=ProvenanceType.of(row),
            community_id=row.community_id,
            town_id=row.town_id,
        )


@strawberry.input(description="Conditions on compounds; all given conditions must hold.")
class CompoundFilterInput:
    town_code: str | None = strawberry.field(default=None, description="In this town.")
    community_code: str | None = strawberry.field(default=None, description="In this community.")
    has_committee: bool | None = strawberry.field(
        default=None, description="With (true) or without (false) an owners' committee."
    )
    has_enterprise: bool | None = strawberry.field(
        default=None, description="Served (true) or not served (false) by an enterprise today."
    )
    name_contains: str | None = strawberry.field(
        default=None, description="Name contains this text."
    )

    def to_filter(self) -> CompoundFilter:
        return CompoundFilter(
            town_code=self.town_code,
            community_code=self.community_code,
            has_committee=self.has_committee,
            has_enterprise=self.has_enterprise,
            name_contains=self.name_contains,
        )


@strawberry.enum(description="Orderings of compound lists.")
class CompoundOrder(enum.Enum):
    NAME = strawberry.enum_value("NAME", description="By name.")
    CODE = strawberry.enum_value("CODE", description="By code.")
    HOUSEHOLDS_DESC = strawberry.enum_value("HOUSEHOLDS_DESC", description="Most households first.")
