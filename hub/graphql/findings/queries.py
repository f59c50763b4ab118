"""The root field ``findings``: compliance findings (督办事项) in the viewer's jurisdiction."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from hub.domain.access import Permission
from hub.graphql.context import Info
from hub.graphql.findings.types import FindingSeverity, FindingType
from hub.graphql.permissions import require
from hub.graphql.relay import AFTER, DEFAULT_PAGE_SIZE, FIRST, Connection, paginate
from hub.services import findings


@strawberry.input(description="Conditions on findings; all given conditions must hold.")
class FindingFilterInput:
    rule: str | None = strawberry.field(default=None, description="Code of the rule.")
    open: bool | None = strawberry.field(default=None, description="Open (true) or closed.")
    town_code: str | None = strawberry.field(default=None, description="Code of the town.")
    severity: FindingSeverity | None = strawberry.field(default=None, description="Seriousness.")
    enterprise_uscc: str | None = strawberry.field(
        default=None,
        description="About this enterprise (USCC): its tender awards and service contracts, "
        "and the compounds it serves today (the profile's findings, 企业画像).",
    )

    def to_filter(self, *, today: date) -> findings.FindingFilter:
        return findings.FindingFilter(
            rule=self.rule,
            open=self.open,
            town_code=self.town_code,
            severity=self.severity,
            enterprise_uscc=self.enterprise_uscc,
            today=today,
        )


@strawberry.type
class FindingsQuery:
    @strawberry.field(
        name="findings",
        description="Compliance findings (督办事项) in your jurisdiction, newest first.",
    )
    async def findings(
        self,
        info: Info,
        filter: Annotated[
            FindingFilterInput | None, strawberry.argument(description="Conditions.")
        ] = None,
        first: Annotated[int, FIRST] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[FindingType]:
        require(info, Permission.READ_FINDINGS, what="findings")
        where = filter.to_filter(today=info.context.today) if filter else findings.FindingFilter()
        return await paginate(
            info.context.db,
            findings.select_findings(where, principal=info.context.viewer),
            ordering=findings.ORDERINGS["OPENED_DESC"],
            first=first,
            after=after,
            to_node=FindingType.from_model,
        )
