"""The hub's GraphQL schema: the root fields of DESIGN.md (a contract) and the schema factory."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from graphql.error import GraphQLError
from strawberry.extensions import ValidationCache
from strawberry.types import ExecutionContext

from hub.domain.access import Permission, Scope
from hub.errors import BadUserInput, Forbidden, NotFound
from hub.graphql.assessments import AssessmentType
from hub.graphql.audit import AuditQuery
from hub.graphql.committees import (
    CommitteeAssessmentType,
    CommitteeFilterInput,
    CommitteeOrder,
    CommitteeTrainingType,
    OwnersCommitteeType,
)
from hub.graphql.compounds import (
    CompoundFilterInput,
    CompoundOrder,
    CompoundType,
    ServiceContractType,
)
from hub.graphql.conference import ConferenceQuery
from hub.graphql.context import CloseDatabase, Info
from hub.graphql.enterprises import EnterpriseFilterInput, EnterpriseOrder, EnterpriseType
from hub.graphql.errors import CodedParserCache, ErrorCodes, OperationChoice, is_unexpected
from hub.graphql.execution import HubExecutionContext
from hub.graphql.findings import FindingsQuery, FindingsSubscription, FindingType
from hub.graphql.fund import FundApplicationType, FundQuery
from hub.graphql.input_limits import InputLimits
from hub.graphql.jurisdictions import CommunityType, TownType
from hub.graphql.ledger import LedgerItemType, LedgerQuery
from hub.graphql.loaders import BatchLoader
from hub.graphql.mutations import Mutation
from hub.graphql.owner_credit import (
    OWNER_CREDIT_DESCRIPTION,
    OwnerCreditQuery,
    OwnerCreditType,
    resolve_owner_credit,
)
from hub.graphql.permissions import require
from hub.graphql.prefetch import prefetch_nodes, prefetch_object
from hub.graphql.ranking import RankingQuery
from hub.graphql.relay import (
    AFTER,
    DEFAULT_PAGE_SIZE,
    FIRST,
    Connection,
    Node,
    decode_global_id,
    expect_global_id,
    paginate,
)
from hub.graphql.repairs import RepairQuery
from hub.graphql.statistics import FiguresType, JurisdictionFiguresType, StatisticsType
from hub.graphql.sync import SyncQuery
from hub.graphql.tenders import TenderFilterInput, TenderOrder, TenderType
from hub.graphql.viewer import ViewerType
from hub.observability.requests import OperationNotes
from hub.services import committees, compounds, enterprises, jurisdictions, statistics, tenders
from hub.services.compounds import CompoundFilter
from hub.services.enterprises import EnterpriseFilter
from hub.services.scope import narrow
from hub.store import models as m

if TYPE_CHECKING:
    from hub.graphql.limits import Limits

logger = logging.getLogger("hub.graphql")


@dataclass(frozen=True, slots=True)
class NodeKind:
    """How ``node(id)`` fetches one type: its loader, its conversion and the permission."""

    loader: Callable[[Info], BatchLoader[int, Any]]
    convert: Callable[[Any], Node]
    permission: Permission | None


NODE_TYPES: dict[str, NodeKind] = {
    "Town": NodeKind(lambda info: info.context.loaders.jurisdiction, TownType.from_model, None),
    "Community": NodeKind(
        lambda info: info.context.loaders.jurisdiction, CommunityType.from_model, None
    ),
    "Compound": NodeKind(
        lambda info: info.context.loaders.compound,
        CompoundType.from_model,
        Permission.READ_COMPOUNDS,
    ),
    "Enterprise": NodeKind(
        lambda info: info.context.loaders.enterprise,
        EnterpriseType.from_model,
        Permission.READ_ENTERPRISES,
    ),
    "Tender": NodeKind(
        lambda info: info.context.loaders.tender, TenderType.from_model, Permission.READ_TENDERS
    ),
    "OwnersCommittee": NodeKind(
        lambda info: info.context.loaders.committee,
        OwnersCommitteeType.from_model,
        Permission.READ_COMMITTEES,
    ),
    "Assessment": NodeKind(
        lambda info: info.context.loaders.assessment,
        AssessmentType.from_model,
        Permission.READ_ENTERPRISE_DETAIL,
    ),
    "LedgerItem": NodeKind(
        lambda info: info.context.loaders.ledger_item,
        LedgerItemType.from_model,
        Permission.READ_LEDGER,
    ),
    "Finding": NodeKind(
        lambda info: info.context.loaders.finding, FindingType.from_model, Permission.READ_FINDINGS
    ),
    "FundApplication": NodeKind(
        lambda info: info.context.loaders.fund_application,
        FundApplicationType.from_model,
        Permission.READ_FUND,
    ),
    "CommitteeTraining": NodeKind(
        lambda info: info.context.loaders.committee_training,
        CommitteeTrainingType.from_model,
        Permission.READ_COMMITTEES,
    ),
    "CommitteeAssessment": NodeKind(
        lambda info: info.context.loaders.committee_assessment,
        CommitteeAssessmentType.from_model,
        Permission.READ_COMMITTEES,
    ),
}
"""The types ``node(id)`` serves. A record outside the viewer's scope is NOT_FOUND, as if it
did not exist (the loaders read within the scope)."""


@strawberry.type(description="The read side of the hub: every query starts here.")
class Query(
    SyncQuery,
    AuditQuery,
    LedgerQuery,
    FindingsQuery,
    RankingQuery,
    RepairQuery,
    FundQuery,
    OwnerCreditQuery,
    ConferenceQuery,
):
    @strawberry.field(description="Any object by its global ID (Relay).")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")],
    ) -> Node:
        type_name, db_id = decode_global_id(id)
        if type_name not in NODE_TYPES:
            raise BadUserInput(f"id: objects of type {type_name!r} cannot be fetched by ID")
        kind = NODE_TYPES[type_name]
        if kind.permission is not None:
            require(info, kind.permission, what=f"node of type {type_name}")
        row = await kind.loader(info).load(db_id)
        expected_level = {"Town": "TOWN", "Community": "COMMUNITY"}.get(type_name)
        if row is None or (expected_level and row.level != expected_level):
            raise NotFound(f"no {type_name} has this ID", id=id)
        return kind.convert(row)

    @strawberry.field(description="Who is asking, and what they may do.")
    async def viewer(self, info: Info) -> ViewerType:
        viewer = info.context.viewer
        loader = info.context.loaders.jurisdiction
        town = await loader.load(viewer.town_id) if viewer.town_id else None
        community = await loader.load(viewer.community_id) if viewer.community_id else None
        unit = (
            await info.context.loaders.member_unit.load(viewer.unit_id) if viewer.unit_id else None
        )
        return ViewerType.of(
            viewer,
            town_code=town.code if town else None,
            community_code=community.code if community else None,
            unit_name=unit.name if unit else None,
        )

    @strawberry.field(description="The towns of the banner and the 水岸新城 office, by code.")
    async def towns(self, info: Info) -> list[TownType]:
        rows = await info.context.db.run(jurisdictions.list_towns)
        await prefetch_object(info, "Town", rows)
        return [TownType.from_model(row) for row in rows]

    @strawberry.field(description="Compounds (住宅小区), filtered and paged.")
    async def compounds(
        self,
        info: Info,
        filter: Annotated[
            CompoundFilterInput | None,
            strawberry.argument(description="Conditions on the compounds."),
        ] = None,
        order_by: Annotated[
            CompoundOrder, strawberry.argument(description="Ordering of the list.")
        ] = CompoundOrder.NAME,
        first: Annotated[int, FIRST] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[CompoundType]:
        require(info, Permission.READ_COMPOUNDS, what="compounds")
        where = filter.to_filter() if filter else CompoundFilter()
        today = info.context.today
        stmt = await info.context.db.run(
            lambda s: compounds.select_compounds(s, where=where, on=today)
        )
        stmt = narrow(stmt, m.Compound, info.context.viewer)
        return await paginate(
            info.context.db,
            stmt,
            ordering=compounds.ORDERINGS[order_by.value],
            first=first,
            after=after,
            to_node=CompoundType.from_model,
            prefetch=lambda rows: prefetch_nodes(info, "Compound", rows),
        )

    @strawberry.field(description="One compound, by global ID or by code.")
    async def compound(
        self,
        info: Info,
        id: Annotated[strawberry.ID | None, strawberry.argument(description="Global ID.")] = None,
        code: Annotated[str | None, strawberry.argument(description="Compound code.")] = None,
    ) -> CompoundType:
        require(info, Permission.READ_COMPOUNDS, what="compound")
        if (id is None) == (code is None):
            raise BadUserInput("give exactly one of id and code")
        if id is not None:
            db_id = expect_global_id(id, CompoundType)
        else:
            assert code is not None
            found = await info.context.db.run(
                lambda s: compounds.get_by_code_or_raise(s, code=code)
            )
            db_id = found.id
        # Through the loader, which reads within the viewer's scope: out of scope is not found.
        row = await info.context.loaders.compound.load(db_id)
        if row is None:
            raise NotFound(
                "no compound has this ID" if id else f"no compound has the code {code!r}"
            )
        await prefetch_object(info, "Compound", [row])
        return CompoundType.from_model(row)

    @strawberry.field(description="Property service enterprises, filtered, ordered and paged.")
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
            ordering=enterprises.ORDERINGS[order_by.value],
            first=first,
            after=after,
            to_node=EnterpriseType.from_model,
            prefetch=lambda rows: prefetch_nodes(info, "Enterprise", rows),
        )

    @strawberry.field(
        description="The consolidated profile (企业画像) of one enterprise, by USCC or global ID."
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

    @strawberry.field(description="Owners' committees (业主委员会), filtered and paged.")
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
        stmt = await info.context.db.run(lambda s: committees.select_committees(s, where=where))
        stmt = narrow(stmt, m.OwnersCommittee, info.context.viewer)
        return await paginate(
            info.context.db,
            stmt,
            ordering=committees.ORDERINGS[order_by.value],
            first=first,
            after=after,
            to_node=OwnersCommitteeType.from_model,
            prefetch=lambda rows: prefetch_nodes(info, "OwnersCommittee", rows),
        )

    @strawberry.field(description="Tenders (招投标) synced from the tender platform, paged.")
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
        stmt = await info.context.db.run(lambda s: tenders.select_tenders(s, where=where))
        stmt = narrow(stmt, m.Tender, info.context.viewer)
        return await paginate(
            info.context.db,
            stmt,
            ordering=tenders.ORDERINGS[order_by.value],
            first=first,
            after=after,
            to_node=TenderType.from_model,
            prefetch=lambda rows: prefetch_nodes(info, "Tender", rows),
        )

    @strawberry.field(
        description="Coverage (覆盖率) and committee formation (组建率) for the banner, or for "
        "one town when townCode is given, per town and per community."
    )
    async def statistics(
        self,
        info: Info,
        town_code: Annotated[
            str | None, strawberry.argument(description="Limit to this town (its code).")
        ] = None,
    ) -> StatisticsType:
        require(info, Permission.READ_STATISTICS, what="statistics")
        viewer, today, now = info.context.viewer, info.context.today, info.context.now
        community_code = None
        if viewer.scope in (Scope.TOWN, Scope.COMMUNITY):
            # A town or community sees the figures of its own town only.
            own = await info.context.loaders.jurisdiction.load(viewer.town_id or 0)
            own_code = own.code if own is not None else None
            if town_code is not None and town_code != own_code:
                raise Forbidden("statistics: only the figures of your own town are open to you")
            town_code = own_code
            if viewer.scope is Scope.COMMUNITY:
                mine = await info.context.loaders.jurisdiction.load(viewer.community_id or 0)
                community_code = mine.code if mine is not None else None
        report = await info.context.db.run(
            lambda s: statistics.report(s, town_code=town_code, on=today, now=now)
        )
        communities = [
            r for r in report.communities if community_code is None or r.code == community_code
        ]

        def rows(items: list[statistics.Row]) -> list[JurisdictionFiguresType]:
            return [
                JurisdictionFiguresType(
                    code=r.code,
                    name=r.name,
                    parent_code=r.parent_code,
                    figures=FiguresType.of(r.figures),
                )
                for r in items
            ]

        return StatisticsType(
            scope_code=report.scope_code,
            scope_name=report.scope_name,
            total=FiguresType.of(report.total),
            towns=rows(report.towns),
            communities=rows(communities),
            town_id=report.town_id,
        )

    owner_credit: OwnerCreditType = strawberry.field(
        resolver=resolve_owner_credit, description=OWNER_CREDIT_DESCRIPTION
    )


@strawberry.type(description="Live updates over graphql-transport-ws.")
class Subscription(FindingsSubscription):
    pass


class HubSchema(strawberry.Schema):
    """Our schema: logs only unexpected errors (expected ones are the client's to read)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if is_unexpected(error):
                logger.error(
                    "unexpected error in %s",
                    ".".join(str(p) for p in error.path or ()),
                    exc_info=error.original_error,
                )


DOCUMENT_CACHE_SIZE = 512
"""Distinct GraphQL documents whose parse and validation results are kept."""


def build_schema(*, limits: Limits | None = None) -> HubSchema:
    """The schema with the extensions every deployment runs, and an app's abuse limits."""
    return HubSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[ServiceContractType, AssessmentType],
        extensions=[
            CloseDatabase,
            ErrorCodes,
            OperationNotes,  # the operation's name and type for metrics, logs and traces
            InputLimits,  # no NUL, no lone surrogate, no overlong text in any argument
            # Member-unit systems send the same few documents again and again: parse and
            # validate each once (bounded LRU caches keyed by the document's text).
            lambda: CodedParserCache(maxsize=DOCUMENT_CACHE_SIZE),
            lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
            OperationChoice,  # several operations need an operationName
            # Tokens, depth, aliases, introspection in production, cost and budgets.
            *(limits.schema_extensions() if limits is not None else ()),
        ],
        execution_context_class=HubExecutionContext,
    )
