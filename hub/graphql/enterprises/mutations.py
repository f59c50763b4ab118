"""The mutations of enterprises' local data: ``enterpriseLocalCreate`` and
``enterpriseLocalUpdate``, 住建局's (write:enterprises; ``hub.services.enterprise_local``).

The answer says which source each field came from: the hub (``local``) until the Ordos
platform's copy is synced, whose fields then win (and the record is changed on the platform)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Permission
from hub.graphql.acting import change
from hub.graphql.changes import FieldChange, audit_detail, given
from hub.graphql.context import Info
from hub.graphql.enterprises.inputs import EnterpriseLocalCreateInput, EnterpriseLocalUpdateInput
from hub.graphql.enterprises.types import EnterpriseType
from hub.graphql.payloads import NotPermitted, ValidationFailed
from hub.graphql.relay import expect_global_id
from hub.services import enterprise_local
from hub.services.master_data import Changed, input_name
from hub.store import models as m


@strawberry.type(description="Where one field of a record came from.")
class FieldSource:
    field: str = strawberry.field(description="The field (`legalRepresentative` …).")
    source: str = strawberry.field(
        description="`local` (entered in the hub) or the platform it was synced from (`ordos`)."
    )
    source_label: str = strawberry.field(description="The source's Chinese name, for display.")


@strawberry.type(description="The enterprise's local data is created or changed.")
class EnterpriseLocalChangeSuccess:
    enterprise: EnterpriseType = strawberry.field(description="The enterprise as it is now.")
    changes: list[FieldChange] = strawberry.field(description="What changed.")
    field_sources: list[FieldSource] = strawberry.field(
        description="Which source each registration field came from: `local` until the Ordos "
        "platform's copy syncs, whose fields then replace these."
    )


EnterpriseLocalChangeResult = Annotated[
    EnterpriseLocalChangeSuccess | NotPermitted | ValidationFailed,
    strawberry.union(
        "EnterpriseLocalChangeResult",
        description="Result of `enterpriseLocalCreate` and `enterpriseLocalUpdate`.",
    ),
]


def _success(changed: Changed[m.Enterprise]) -> EnterpriseLocalChangeSuccess:
    sources = enterprise_local.field_sources(changed.record)
    return EnterpriseLocalChangeSuccess(
        enterprise=EnterpriseType.from_model(changed.record),
        changes=FieldChange.list_of(changed),
        field_sources=[
            FieldSource(
                field=input_name(key),
                source=source,
                source_label=enterprise_local.source_label(source),
            )
            for key, source in sources.items()
        ],
    )


async def _change(info: Info, action: str, work: Any) -> EnterpriseLocalChangeResult:
    return await change(
        info,
        action=action,
        permission=Permission.WRITE_ENTERPRISES,
        permission_message=f"{action} needs the {Permission.WRITE_ENTERPRISES} permission (住建局)",
        subject_type="Enterprise",
        work=work,
        subject_id=lambda changed: changed.record.id,
        detail_of=audit_detail,
        success=_success,
    )


@strawberry.type
class EnterpriseMutation:
    @strawberry.mutation(
        name="enterpriseLocalCreate",
        description="Register an enterprise that is not yet on the Ordos platform, so that "
        "contracts and assessments can name it; the platform's copy replaces it once it syncs "
        "(matched by USCC). 住建局 (write:enterprises).",
    )
    async def enterprise_local_create(
        self,
        info: Info,
        input: Annotated[
            EnterpriseLocalCreateInput, strawberry.argument(description="The enterprise.")
        ],
    ) -> EnterpriseLocalChangeResult:
        async def work(session: AsyncSession) -> Changed[m.Enterprise]:
            return await enterprise_local.create_enterprise(
                session, values=given(input), today=info.context.today
            )

        return await _change(info, "enterpriseLocalCreate", work)

    @strawberry.mutation(
        name="enterpriseLocalUpdate",
        description="Change a local enterprise's data (the fields given); an enterprise whose "
        "record the Ordos platform has synced is changed on the platform, not here. 住建局 "
        "(write:enterprises).",
    )
    async def enterprise_local_update(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The enterprise's ID.")],
        input: Annotated[
            EnterpriseLocalUpdateInput, strawberry.argument(description="The changes.")
        ],
    ) -> EnterpriseLocalChangeResult:
        async def work(session: AsyncSession) -> Changed[m.Enterprise]:
            return await enterprise_local.update_enterprise(
                session,
                enterprise_id=expect_global_id(id, EnterpriseType),
                values=given(input),
                today=info.context.today,
            )

        return await _change(info, "enterpriseLocalUpdate", work)
