"""GraphQL types of compliance findings (督办事项)."""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias

import strawberry

from hub.domain.access import Permission
from hub.domain.findings import FindingSeverity as Severity
from hub.graphql.compounds.types import CompoundType
from hub.graphql.context import Info
from hub.graphql.nodes import node_type
from hub.graphql.relay import Node
from hub.services import findings
from hub.store.models import Finding

FindingSeverity: TypeAlias = Severity
strawberry.enum(
    FindingSeverity, name="FindingSeverity", description="How serious a finding (督办事项) is."
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
    severity: FindingSeverity = strawberry.field(description="Seriousness.")
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


node_type(
    "Finding",
    loader=lambda loaders: loaders.finding,
    convert=FindingType.from_model,
    permission=Permission.READ_FINDINGS,
)
