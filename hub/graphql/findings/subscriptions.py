"""The subscription ``findingOpened`` (graphql-transport-ws): each finding opened from now on,
within the viewer's jurisdiction."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from hub.domain.access import Permission, Principal, Role, Scope
from hub.graphql.context import Info
from hub.graphql.findings.types import FindingType
from hub.graphql.permissions import require
from hub.services import findings
from hub.store.models import Finding


def may_see(principal: Principal, finding: Finding) -> bool:
    """The in-memory twin of ``hub.services.scope`` for findings (the subscription's filter)."""
    if principal.role is Role.DEPARTMENT:
        return finding.responsible_unit == principal.unit_code
    if principal.scope is Scope.COMMUNITY:
        return finding.community_id == principal.community_id
    if principal.scope is Scope.TOWN:
        return finding.town_id == principal.town_id
    return principal.scope is Scope.BANNER


@strawberry.type
class FindingsSubscription:
    @strawberry.subscription(
        name="findingOpened",
        description="Each finding (督办事项) opened from now on in your jurisdiction "
        "(graphql-transport-ws).",
    )
    async def finding_opened(self, info: Info) -> AsyncGenerator[FindingType, None]:
        require(info, Permission.READ_FINDINGS, what="findingOpened")
        viewer = info.context.viewer
        async for finding in findings.BROADCASTER.subscribe():
            if may_see(viewer, finding):
                yield FindingType.from_model(finding)
