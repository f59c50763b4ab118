"""GraphQL of compliance findings (督办事项): the ``findings`` list and the ``findingOpened``
subscription (graphql-transport-ws), both within the viewer's jurisdiction."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date, datetime
from typing import Annotated

import strawberry

from hub.domain.access import Permission, Principal, Role, Scope
from hub.domain.findings import FindingSeverity as Severity
from hub.graphql.compounds import CompoundType
from hub.graphql.context import Info
from hub.graphql.permissions import require
from hub.graphql.relay import AFTER, DEFAULT_PAGE_SIZE, FIRST, Connection, Node, paginate
from hub.services import findings
from hub.store.ledger_models import Finding

FindingSeverity = strawberry.enum(
    Severity, name="FindingSeverity", description="How serious a finding (督办事项) is."
)


@strawberry.type(
    name="Finding",
    description="A compliance finding (督办事项): a rule's condition holds (or held) for a "
    "subject; it closes by itself when the condition no longer holds.",
)
class FindingType(Node):
    rule: str = strawberry.field(description="Code of the rule, e.g. `committee.term_expired`.")
    title: str = strawberry.field(description="What the rule checks (Chinese term included).")
    subject_type: str = strawberry.field(
        description="Kind of subject: LedgerItem, OwnersCommittee, ConnectionTask, …"
    )
    subject_id: int = strawberry.field(description="Database id of the subject.")
    severity: FindingSeverity = strawberry.field(description="Seriousness.")  # type: ignore[valid-type]
    responsible_unit: str | None = strawberry.field(
        description="Code of the member unit responsible for acting on it."
    )
    detail: str | None = strawberry.field(description="Why it was opened.")
    opened_at: datetime = strawberry.field(description="When the condition was first found.")
    closed_at: datetime | None = strawberry.field(
        description="When the condition no longer held; null while open."
    )

    compound_id: strawberry.Private[int | None]

    @strawberry.field(description="The compound (住宅小区) the finding is about, if any.")
    async def compound(self, info: Info) -> CompoundType | None:
        if self.compound_id is None:
            return None
        row = await info.context.loaders.compound.load(self.compound_id)
        return CompoundType.from_model(row) if row is not None else None

    @strawberry.field(description="Still open.")
    def open(self) -> bool:
        return self.closed_at is None

    @classmethod
    def from_model(cls, row: Finding) -> FindingType:
        rule = findings.load_rules().get(row.rule)
        return cls(
            db_id=row.id,
            rule=row.rule,
            title=rule.definition.title if rule else row.rule,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            severity=row.severity,
            responsible_unit=row.responsible_unit,
            detail=row.detail,
            opened_at=row.opened_at,
            closed_at=row.closed_at,
            compound_id=row.compound_id,
        )


@strawberry.input(description="Conditions on findings; all given conditions must hold.")
class FindingFilterInput:
    rule: str | None = strawberry.field(default=None, description="Code of the rule.")
    open: bool | None = strawberry.field(default=None, description="Open (true) or closed.")
    town_code: str | None = strawberry.field(default=None, description="Code of the town.")
    severity: FindingSeverity | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Seriousness."
    )
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
        description="Compliance findings (督办事项) in your jurisdiction, newest first."
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
        description="Each finding (督办事项) opened from now on in your jurisdiction "
        "(graphql-transport-ws)."
    )
    async def finding_opened(self, info: Info) -> AsyncGenerator[FindingType, None]:
        require(info, Permission.READ_FINDINGS, what="findingOpened")
        viewer = info.context.viewer
        async for finding in findings.BROADCASTER.subscribe():
            if may_see(viewer, finding):
                yield FindingType.from_model(finding)
