"""The root field ``committees``, and its filter and ordering."""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry

from hub.domain.access import Permission
from hub.graphql.committees.types import OwnersCommitteeType
from hub.graphql.context import Info
from hub.graphql.enums import CommitteeStatus
from hub.graphql.permissions import require
from hub.graphql.prefetch import prefetch_nodes
from hub.graphql.relay import (
    AFTER,
    DEFAULT_PAGE_SIZE,
    FIRST,
    Connection,
    paginate,
)
from hub.services import committees
from hub.services.committees import CommitteeFilter


@strawberry.input(description="Conditions on owners' committees; all given conditions must hold.")
class CommitteeFilterInput:
    town_code: str | None = strawberry.field(default=None, description="In this town.")
    community_code: str | None = strawberry.field(default=None, description="In this community.")
    status: CommitteeStatus | None = strawberry.field(default=None, description="In this state.")

    def to_filter(self) -> CommitteeFilter:
        return CommitteeFilter(
            town_code=self.town_code, community_code=self.community_code, status=self.status
        )


@strawberry.enum(description="Orderings of committee lists.")
class CommitteeOrder(enum.Enum):
    COMPOUND_CODE = strawberry.enum_value("COMPOUND_CODE", description="By compound code.")
    FOUNDED_ON = strawberry.enum_value("FOUNDED_ON", description="Oldest committee first.")


@strawberry.type
class CommitteeQuery:
    @strawberry.field(
        name="committees", description="Owners' committees (业主委员会), filtered and paged."
    )
    async def committees(
        self,
        info: Info,
        filter: Annotated[
            CommitteeFilterInput | None,
            strawberry.argument(description="Conditions on the committees."),
        ] = None,
        order_by: Annotated[
            CommitteeOrder, strawberry.argument(description="Ordering of the list.")
        ] = CommitteeOrder.COMPOUND_CODE,
        first: Annotated[int, FIRST] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[OwnersCommitteeType]:
        require(info, Permission.READ_COMMITTEES, what="committees")
        where = filter.to_filter() if filter else committees.CommitteeFilter()
        viewer = info.context.viewer
        stmt = await info.context.db.run(
            lambda s: committees.select_committees(s, where=where, principal=viewer)
        )
        return await paginate(
            info.context.db,
            stmt,
            ordering=committees.ORDERINGS[order_by.name],
            first=first,
            after=after,
            to_node=OwnersCommitteeType.from_model,
            prefetch=lambda rows: prefetch_nodes(info, "OwnersCommittee", rows),
        )
