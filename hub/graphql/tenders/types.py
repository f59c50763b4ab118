"""GraphQL types of tenders on the tender platform (招投标平台, R6): bids, candidates, awards.

Below compounds and enterprises in the import order: the fields pointing to them are lazy and
build their objects through ``hub.graphql.nodes.builder``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.domain.access import Permission
from hub.graphql.common import Sourced
from hub.graphql.context import Info
from hub.graphql.enums import SelectionMethod, TenderMethod, TenderStatus
from hub.graphql.nodes import builder, node_type
from hub.graphql.prefetch import register, via
from hub.graphql.relay import Node
from hub.store import models as m

if TYPE_CHECKING:
    from hub.graphql.compounds.types import CompoundType
    from hub.graphql.enterprises.types import EnterpriseType

Compound = Annotated["CompoundType", strawberry.lazy("hub.graphql.compounds.types")]
Enterprise = Annotated["EnterpriseType", strawberry.lazy("hub.graphql.enterprises.types")]


def _enterprise(info: Info, enterprise_id: int) -> EnterpriseType:
    return info.context.loaders.enterprise.resolve(enterprise_id, builder(m.Enterprise))


def _tender(info: Info, tender_id: int) -> TenderType:
    return info.context.loaders.tender.resolve_shared(tender_id, TenderType.from_model)


@strawberry.type(name="TenderBid", description="A bid (投标) of an enterprise in a tender.")
class TenderBidType(Sourced):
    price: float = strawberry.field(description="Offered fee, yuan per m² per month.")
    technical_score: float | None = strawberry.field(description="Technical score (技术标).")
    submitted_on: date = strawberry.field(description="Date the bid was submitted.")
    tender_id: strawberry.Private[int]
    enterprise_id: strawberry.Private[int]

    @strawberry.field(description="The bidding enterprise.")
    def enterprise(self, info: Info) -> Enterprise:
        return _enterprise(info, self.enterprise_id)

    @strawberry.field(description="The tender.")
    def tender(self, info: Info) -> TenderType:
        return _tender(info, self.tender_id)

    @strawberry.field(description="True when this bid won the tender.")
    def won(self, info: Info) -> bool:
        return info.context.loaders.award_by_tender.resolve(
            self.tender_id,
            lambda award: award is not None and award.enterprise_id == self.enterprise_id,
        )

    @classmethod
    def from_model(cls, row: m.TenderBid) -> TenderBidType:
        return cls(
            price=row.price,
            technical_score=row.technical_score,
            submitted_on=row.submitted_on,
            record=row,
            tender_id=row.tender_id,
            enterprise_id=row.enterprise_id,
        )


@strawberry.type(
    name="TenderCandidate", description="A ranked candidate (中标候选人, 1–3) of a tender."
)
class TenderCandidateType:
    rank: int = strawberry.field(description="Rank given by the evaluation committee (1 = first).")
    total_score: float = strawberry.field(description="Total evaluation score.")
    enterprise_id: strawberry.Private[int]

    @strawberry.field(description="The candidate enterprise.")
    def enterprise(self, info: Info) -> Enterprise:
        return _enterprise(info, self.enterprise_id)


@strawberry.type(
    name="TenderAward",
    description="The award (中标) of a tender: winner, notice, publicity, filing (备案) and "
    "contract dates.",
)
class TenderAwardType(Sourced):
    awarded_on: date = strawberry.field(description="Date of the award notice (中标通知书).")
    publicity_until: date | None = strawberry.field(description="End of the result publicity.")
    filed_on: date | None = strawberry.field(description="Date of filing (备案).")
    contract_signed_on: date | None = strawberry.field(
        description="Date the service contract was signed (due within 30 days of the award)."
    )
    tender_id: strawberry.Private[int]
    enterprise_id: strawberry.Private[int]

    @strawberry.field(description="The winning enterprise.")
    def enterprise(self, info: Info) -> Enterprise:
        return _enterprise(info, self.enterprise_id)

    @strawberry.field(description="The tender.")
    def tender(self, info: Info) -> TenderType:
        return _tender(info, self.tender_id)

    @classmethod
    def from_model(cls, row: m.TenderAward) -> TenderAwardType:
        return cls(
            awarded_on=row.awarded_on,
            publicity_until=row.publicity_until,
            filed_on=row.filed_on,
            contract_signed_on=row.contract_signed_on,
            record=row,
            tender_id=row.tender_id,
            enterprise_id=row.enterprise_id,
        )


@strawberry.type(
    name="Tender",
    description="A tender (招标) for the property service of a compound: preliminary service by "
    "the developer or re-selection by the owners' committee (R6).",
)
class TenderType(Node, Sourced):
    code: str = strawberry.field(description="Tender number on the tender platform.")
    title: str = strawberry.field(description="Title of the announcement.")
    selection: SelectionMethod = strawberry.field(description="Preliminary or re-selection.")
    method: TenderMethod = strawberry.field(description="Open or invited.")
    tenderer: str = strawberry.field(description="The developer or owners' committee tendering.")
    announced_on: date = strawberry.field(description="Date of the announcement.")
    bid_deadline: date = strawberry.field(description="Last day for bids.")
    status: TenderStatus = strawberry.field(description="Stage of the tender.")
    compound_id: strawberry.Private[int]

    @strawberry.field(description="The compound the tender is for.")
    def compound(self, info: Info) -> Compound:
        return info.context.loaders.compound.resolve(self.compound_id, builder(m.Compound))

    @strawberry.field(description="The bids, cheapest first.")
    def bids(self, info: Info) -> list[TenderBidType]:
        return info.context.loaders.bids_by_tender.resolve(
            self.db_id, lambda rows: [TenderBidType.from_model(row) for row in rows]
        )

    @strawberry.field(description="The ranked candidates, first rank first.")
    def candidates(self, info: Info) -> list[TenderCandidateType]:
        def build(rows: list[m.TenderCandidate]) -> list[TenderCandidateType]:
            return [
                TenderCandidateType(
                    rank=r.rank, total_score=r.total_score, enterprise_id=r.enterprise_id
                )
                for r in rows
            ]

        return info.context.loaders.candidates_by_tender.resolve(self.db_id, build)

    @strawberry.field(description="The award; null until the tender is awarded.")
    def award(self, info: Info) -> TenderAwardType | None:
        return info.context.loaders.award_by_tender.resolve(
            self.db_id, lambda row: TenderAwardType.from_model(row) if row else None
        )

    @classmethod
    def from_optional(cls, row: m.Tender | None) -> TenderType | None:
        return cls.from_model(row) if row is not None else None

    @classmethod
    def from_model(cls, row: m.Tender) -> TenderType:
        return cls(
            db_id=row.id,
            code=row.code,
            title=row.title,
            selection=row.selection,
            method=row.method,
            tenderer=row.tenderer,
            announced_on=row.announced_on,
            bid_deadline=row.bid_deadline,
            status=row.status,
            record=row,
            compound_id=row.compound_id,
        )


register(
    "TenderBid",
    enterprise=via(lambda loaders: loaders.enterprise, "enterprise_id", "Enterprise"),
    tender=via(lambda loaders: loaders.tender, "tender_id", "Tender"),
    won=via(lambda loaders: loaders.award_by_tender, "tender_id", None),
)
register(
    "TenderCandidate",
    enterprise=via(lambda loaders: loaders.enterprise, "enterprise_id", "Enterprise"),
)
register(
    "TenderAward",
    enterprise=via(lambda loaders: loaders.enterprise, "enterprise_id", "Enterprise"),
    tender=via(lambda loaders: loaders.tender, "tender_id", "Tender"),
)
register(
    "Tender",
    compound=via(lambda loaders: loaders.compound, "compound_id", "Compound"),
    bids=via(lambda loaders: loaders.bids_by_tender, "id", "TenderBid"),
    candidates=via(lambda loaders: loaders.candidates_by_tender, "id", "TenderCandidate"),
    award=via(lambda loaders: loaders.award_by_tender, "id", "TenderAward"),
)

node_type(
    "Tender",
    loader=lambda loaders: loaders.tender,
    convert=TenderType.from_model,
    permission=Permission.READ_TENDERS,
)
