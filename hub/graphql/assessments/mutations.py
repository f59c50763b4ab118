"""The mutation ``assessmentRecord``: records a daily inspection (日常巡查) or a semi-annual
assessment (半年考核), checked against its form (R8)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import ranking as rules
from hub.domain.access import Permission
from hub.domain.enums import AssessmentKind as Kind
from hub.graphql.acting import change
from hub.graphql.assessments.types import AssessmentType
from hub.graphql.context import Info
from hub.graphql.enums import AssessmentKind
from hub.graphql.nodes import database_id
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.services import ranking as service
from hub.store import models as m


@strawberry.input(description="One line of an assessment form.")
class AssessmentItemInput:
    item_code: str = strawberry.field(description="Code of the form's item, e.g. S01 or D03.")
    points: float = strawberry.field(
        description="Points awarded (semi-annual, up to the item's maximum) or deducted (daily)."
    )
    note: str | None = strawberry.field(default=None, description="Remark of the assessor.")


@strawberry.input(description="A daily inspection (日常巡查) or semi-annual assessment (半年考核).")
class AssessmentRecordInput:
    kind: AssessmentKind = strawberry.field(description="Daily inspection or semi-annual.")
    enterprise_id: strawberry.ID = strawberry.field(description="The enterprise's global ID.")
    assessed_on: date = strawberry.field(description="Day of the assessment.")
    items: list[AssessmentItemInput] = strawberry.field(
        description="The form's lines: every item of the 100-point form (semi-annual), or the "
        "items found wanting (daily; none for a clean inspection)."
    )
    compound_id: strawberry.ID | None = strawberry.field(
        default=None, description="The compound inspected (daily inspections only)."
    )
    half: int | None = strawberry.field(
        default=None, description="1 or 2 (semi-annual assessments only)."
    )


@strawberry.type(description="The assessment is recorded.")
class AssessmentRecordSuccess:
    assessment: AssessmentType = strawberry.field(description="The recorded assessment.")


AssessmentRecordResult = Annotated[
    AssessmentRecordSuccess | NotPermitted | ValidationFailed,
    strawberry.union("AssessmentRecordResult", description="Result of `assessmentRecord`."),
]


@strawberry.type
class AssessmentMutation:
    @strawberry.mutation(
        name="assessmentRecord",
        description="Record a daily inspection (the competent department, or a town or community "
        "for a compound in its jurisdiction) or a semi-annual assessment (the competent "
        "department), checked against its form (R8).",
    )
    async def assessment_record(
        self,
        info: Info,
        input: Annotated[
            AssessmentRecordInput, strawberry.argument(description="The assessment and its form.")
        ],
    ) -> AssessmentRecordResult:
        context = info.context
        viewer = context.viewer
        kind = Kind(input.kind)
        # Any assessment with write:enterprises; a daily inspection also with write:local (a
        # town or community, for a compound in its jurisdiction).
        permission = Permission.WRITE_ENTERPRISES
        if kind is Kind.DAILY_INSPECTION and not viewer.may(permission):
            permission = Permission.WRITE_LOCAL
        today = context.today

        async def work(session: AsyncSession) -> m.Assessment:
            return await service.create_assessment(
                session,
                principal=viewer,
                kind=kind,
                enterprise_id=database_id(input.enterprise_id, "Enterprise", "enterpriseId"),
                compound_id=(
                    database_id(input.compound_id, "Compound", "compoundId")
                    if input.compound_id
                    else None
                ),
                assessed_on=input.assessed_on,
                half=input.half,
                items=[rules.ItemInput(i.item_code, i.points, i.note) for i in input.items],
                today=today,
            )

        return await change(
            info,
            action="assessmentRecord",
            permission=permission,
            subject_type="Assessment",
            work=work,
            subject_id=lambda assessment: assessment.id,
            success=lambda assessment: AssessmentRecordSuccess(
                assessment=AssessmentType.from_model(assessment)
            ),
            permission_message=(
                f"assessmentRecord of a {kind.value} needs the {Permission.WRITE_ENTERPRISES} "
                f"permission (a daily inspection: or {Permission.WRITE_LOCAL} in scope)"
            ),
        )
