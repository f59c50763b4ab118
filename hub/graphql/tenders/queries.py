"""The root field ``tenders``, and its filter and ordering."""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry

from hub.domain.access import Permission
from hub.graphql.context import Info
from hub.graphql.enums import SelectionMethod, TenderStatus
from hub.graphql.permissions import require
from hub.graphql.prefetch import prefetch_nodes
from hub.graphql.relay import AFTER, DEFAULT_PAGE_SIZE, FIRST, Connection, paginate
from hub.graphql.tenders.types import TenderType
from hub.services import tenders
from hub.services.tenders import TenderFilter


@strawberry.input(description="Conditions on tenders; all given conditions must hold.")
class TenderFilterInput:
    status: TenderStatus | None = strawberry.field(default=None, description="At this stage.")
    selection: SelectionMethod | None = strawberry.field(
        default=None, description="Preliminary or re-selection."
    )
    town_code: str | None = strawberry.field(
        default=None, description="For compounds in this town."
    )
    bidder_uscc: str | None = strawberry.field(
        default=None, description="With a bid from the enterprise with this USCC."
    )
    year: int | None = strawberry.field(default=None, description="Announced in this year.")

    def to_filter(self) -> TenderFilter:
        return TenderFilter(
            status=self.status,
            selection=self.selection,
            town_code=self.town_code,
            bidder_uscc=self.bidder_uscc,
            year=self.year,
        )


@strawberry.enum(description="Orderings of tender lists.")
class TenderOrder(enum.Enum):
    ANNOUNCED_DESC = strawberry.enum_value("ANNOUNCED_DESC", description="Newest first.")
    CODE = strawberry.enum_value("CODE", description="By tender number.")


@strawberry.type
class TenderQuery:
    @strawberry.field(
        name="tenders", description="Tenders (招投标) synced from the tender platform, paged."
    )
    async def tenders(
        self,
        info: Info,
        filter: Annotated[
            TenderFilterInput | None, strawberry.argument(description="Conditions on the tenders.")
        ] = None,
        order_by: Annotated[
            TenderOrder, strawberry.argument(description="Ordering of the list.")
        ] = TenderOrder.ANNOUNCED_DESC,
        first: Annotated[int, FIRST] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[TenderType]:
        require(info, Permission.READ_TENDERS, what="tenders")
        where = filter.to_filter() if filter else tenders.TenderFilter()
        viewer = info.context.viewer
        stmt = await info.context.db.run(
            lambda s: tenders.select_tenders(s, where=where, principal=viewer)
        )
        return await paginate(
            info.context.db,
            stmt,
            ordering=tenders.ORDERINGS[order_by.name],
            first=first,
            after=after,
            to_node=TenderType.from_model,
            prefetch=lambda rows: prefetch_nodes(info, "Tender", rows),
        )
