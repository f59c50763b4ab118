"""The GraphQL type of an audit log entry (审计日志)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from hub.graphql.relay import Node
from hub.store.models import AuditEntry


@strawberry.type(
    name="AuditEntry",
    description="One audited act (审计日志): a mutation, or a read of unmasked personal data. "
    "Names who, what and when; never the personal data itself.",
)
class AuditEntryType(Node):
    occurred_at: datetime = strawberry.field(description="When it happened (UTC).")
    actor_role: str = strawberry.field(description="Role of the caller.")
    actor_unit: str | None = strawberry.field(description="Member unit of the caller.")
    actor_client: str | None = strawberry.field(
        description="The credential: `key:<prefix>` of an API key or `token:<subject>`."
    )
    action: str = strawberry.field(
        description="The mutation (e.g. `syncTrigger`) or `pii.read` for personal data."
    )
    operation: str | None = strawberry.field(description="The GraphQL operation name sent.")
    subject_type: str | None = strawberry.field(description="Type of the record concerned.")
    subject_id: str | None = strawberry.field(description="Id of the record concerned.")
    fields: list[str] = strawberry.field(description="Personal-data fields read unmasked.")
    outcome: str = strawberry.field(
        description="`ok`, or why not: `not_permitted`, `invalid`, `busy` …"
    )
    request_id: str | None = strawberry.field(description="Correlation id of the request.")

    @classmethod
    def from_model(cls, row: AuditEntry) -> AuditEntryType:
        return cls(
            db_id=row.id,
            occurred_at=row.occurred_at,
            actor_role=row.actor_role,
            actor_unit=row.actor_unit,
            actor_client=row.actor_client,
            action=row.action,
            operation=row.operation,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            fields=row.fields.split(",") if row.fields else [],
            outcome=row.outcome,
            request_id=row.request_id,
        )
