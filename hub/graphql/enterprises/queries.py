"""The root fields ``enterprises`` and ``enterprise`` (the consolidated profile, 企业画像), and
the filter and ordering of the list."""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry

from hub.domain.access import Permission
from hub.errors import BadUserInput, NotFound
from hub.graphql.context import Info
from hub.graphql.enterprises.types import EnterpriseType
from hub.graphql.enums import EnterpriseStatus
from hub.graphql.permissions import require
from hub.graphql.prefetch import prefetch_nodes, prefetch_object
from hub.graphql.relay import (
    AFTER,
    DEFAULT_PAGE_SIZE,
    FIRST,
    Connection,
    expect_global_id,
    paginate,
)
from hub.services import enterprises
from hub.services.enterprises import EnterpriseFilter


@strawberry.input(description="Conditions on enterprises; all given conditions must hold.")
class EnterpriseFilterInput:
    name_contains: str | None = strawberry.field(
        default=None, description="Name contains this text."
    )
    uscc: str | None = strawberry.field(default=None, description="Exactly this USCC.")
    status: EnterpriseStatus | None = strawberry.field(
        default=None, description="With this registration status."
    )
    credit_grades: list[str] | None = strawberry.field(
        default=None, description="With one of these current credit grades."
    )
    serves_town_code: str | None = strawberry.field(
        default=None, description="Serving at least one compound in this town today."
    )

    def to_filter(self) -> EnterpriseFilter:
        return EnterpriseFilter(
            name_contains=self.name_contains,
            uscc=self.uscc,
            status=self.status,
            credit_grades=tuple(self.credit_grades) if self.credit_grades is not None else None,
            serves_town_code=self.serves_town_code,
        )


@strawberry.enum(description="Orderings of enterprise lists.")
class EnterpriseOrder(enum.Enum):
    NAME = strawberry.enum_value("NAME", description="By name.")
    USCC = strawberry.enum_value("USCC", description="By USCC.")
    CREDIT_SCORE_DESC = strawberry.enum_value(
        "CREDIT_SCORE_DESC", description="Highest credit score first; unscored last."
    )


@strawberry.type
class EnterpriseQuery:
    @strawberry.field(
        name="enterprises",
        description="Property service enterprises, filtered, ordered and paged.",
    )
    async def enterprises(
        self,
        info: Info,
        filter: Annotated[
            EnterpriseFilterInput | None,
            strawberry.argument(description="Conditions on the enterprises."),
        ] = None,
        order_by: Annotated[
            EnterpriseOrder, strawberry.argument(description="Ordering of the list.")
        ] = EnterpriseOrder.NAME,
        first: Annotated[int, FIRST] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[EnterpriseType]:
        require(info, Permission.READ_ENTERPRISES, what="enterprises")
        where = filter.to_filter() if filter else EnterpriseFilter()
        today = info.context.today
        stmt = await info.context.db.run(
            lambda s: enterprises.select_enterprises(s, where=where, on=today)
        )
        return await paginate(
            info.context.db,
            stmt,
            ordering=enterprises.ORDERINGS[order_by.name],
            first=first,
            after=after,
            to_node=EnterpriseType.from_model,
            prefetch=lambda rows: prefetch_nodes(info, "Enterprise", rows),
        )

    @strawberry.field(
        name="enterprise",
        description="The consolidated profile (企业画像) of one enterprise, by USCC or global ID.",
    )
    async def enterprise(
        self,
        info: Info,
        uscc: Annotated[
            str | None, strawberry.argument(description="USCC (统一社会信用代码).")
        ] = None,
        id: Annotated[strawberry.ID | None, strawberry.argument(description="Global ID.")] = None,
    ) -> EnterpriseType:
        require(info, Permission.READ_ENTERPRISES, what="enterprise")
        if (id is None) == (uscc is None):
            raise BadUserInput("give exactly one of uscc and id")
        if id is not None:
            row = await info.context.loaders.enterprise.load(expect_global_id(id, EnterpriseType))
            if row is None:
                raise NotFound("no enterprise has this ID", id=id)
        else:
            assert uscc is not None
            row = await info.context.db.run(
                lambda s: enterprises.get_by_uscc_or_raise(s, uscc=uscc)
            )
        await prefetch_object(info, "Enterprise", [row])
        return EnterpriseType.from_model(row)
