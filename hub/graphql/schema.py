"""The hub's GraphQL schema: the root types assembled from the topics, and the schema factory.

Each topic package (``hub.graphql.<topic>``) defines its root fields in ``queries.py``,
``mutations.py`` or ``subscriptions.py``; this module only merges them (strawberry's
``merge_types``), in the order the fields appear in ``schema.graphql``, and defines no field.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import strawberry
from graphql.error import GraphQLError
from strawberry.extensions import ValidationCache
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from hub.graphql.assessments.mutations import AssessmentMutation
from hub.graphql.assessments.types import AssessmentType
from hub.graphql.audit.queries import AuditQuery
from hub.graphql.committees.members import CommitteeMemberMutation
from hub.graphql.committees.mutations import CommitteeMutation
from hub.graphql.committees.queries import CommitteeQuery
from hub.graphql.compounds.mutations import CompoundMutation
from hub.graphql.compounds.queries import CompoundQuery
from hub.graphql.compounds.types import ServiceContractType
from hub.graphql.conference.queries import ConferenceQuery
from hub.graphql.context import CloseDatabase
from hub.graphql.enterprises.mutations import EnterpriseMutation
from hub.graphql.enterprises.queries import EnterpriseQuery
from hub.graphql.errors import CodedParserCache, ErrorCodes, OperationChoice, is_unexpected
from hub.graphql.execution import HubExecutionContext
from hub.graphql.findings.queries import FindingsQuery
from hub.graphql.findings.subscriptions import FindingsSubscription
from hub.graphql.fund.mutations import FundMutation
from hub.graphql.fund.queries import FundQuery
from hub.graphql.input_limits import InputLimits
from hub.graphql.jurisdictions.mutations import CommunityMutation
from hub.graphql.jurisdictions.queries import JurisdictionQuery
from hub.graphql.ledger.mutations import LedgerMutation
from hub.graphql.ledger.queries import LedgerQuery
from hub.graphql.member_units.mutations import MemberUnitMutation
from hub.graphql.nodes import NodeQuery
from hub.graphql.owner_credit.mutations import OwnerCreditMutation
from hub.graphql.owner_credit.queries import OwnerCreditCheckQuery, OwnerCreditQuery
from hub.graphql.ranking.mutations import RankingMutation
from hub.graphql.ranking.queries import RankingQuery
from hub.graphql.repairs.mutations import RepairMutation
from hub.graphql.repairs.queries import RepairQuery
from hub.graphql.residents.mutations import ResidentMutation
from hub.graphql.statistics.queries import StatisticsQuery
from hub.graphql.sync.mutations import SyncMutation
from hub.graphql.sync.queries import SyncQuery
from hub.graphql.tenders.queries import TenderQuery
from hub.graphql.viewer.queries import ViewerQuery
from hub.observability.requests import OperationNotes

if TYPE_CHECKING:
    from hub.graphql.limits import Limits

logger = logging.getLogger("hub.graphql")


def _root(name: str, description: str, parts: tuple[type, ...]) -> type:
    """One root type from the topics' parts, their fields in the order of ``parts``
    (``merge_types`` takes no description: it is set on the merged definition)."""
    merged = merge_types(name, parts)
    merged.__strawberry_definition__.description = description  # type: ignore[attr-defined]
    return merged


Query = _root(
    "Query",
    "The read side of the hub: every query starts here.",
    (
        SyncQuery,
        AuditQuery,
        LedgerQuery,
        FindingsQuery,
        RankingQuery,
        RepairQuery,
        FundQuery,
        OwnerCreditQuery,
        ConferenceQuery,
        OwnerCreditCheckQuery,
        NodeQuery,
        ViewerQuery,
        JurisdictionQuery,
        CompoundQuery,
        EnterpriseQuery,
        CommitteeQuery,
        TenderQuery,
        StatisticsQuery,
    ),
)
Mutation = _root(
    "Mutation",
    "The write side of the hub.",
    (
        LedgerMutation,
        RankingMutation,
        AssessmentMutation,
        RepairMutation,
        CommitteeMutation,
        FundMutation,
        OwnerCreditMutation,
        SyncMutation,
        MemberUnitMutation,
        CommunityMutation,
        CompoundMutation,
        ResidentMutation,
        CommitteeMemberMutation,
        EnterpriseMutation,
    ),
)
Subscription = _root(
    "Subscription", "Live updates over graphql-transport-ws.", (FindingsSubscription,)
)


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
