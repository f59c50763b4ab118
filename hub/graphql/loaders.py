"""DataLoaders, created per request: one query per relation per request, whatever the list size.

Every relation the schema exposes is loaded here, keyed by the parent's id; the batch functions
live in ``hub.services.records`` and return results in key order.

``BatchLoader`` is a small DataLoader of our own rather than strawberry's: strawberry closes a
batch on the next event-loop tick, so keys asked for a moment later (a sibling resolver still
waiting for its own data) start a second batch, and the number of statements would depend on
scheduling. Ours keeps a batch open until the request's database is free and the resolvers have
settled (``RequestDatabase.run(settle=True)``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast, overload

from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import PUBLIC, Principal
from hub.observability.requests import dataloader_batch
from hub.services import records, residents
from hub.services.compounds import current_contracts_stmt
from hub.services.paging import group_by_key
from hub.services.scope import narrow, visible
from hub.services.sync import list_confirmed_at
from hub.store import models as m
from hub.store.base import Base
from hub.store.models import (
    Finding,
    LedgerEvent,
    LedgerItem,
    RepairAcceptance,
    Sanction,
)

if TYPE_CHECKING:
    from hub.graphql.context import RequestDatabase

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R")
W = TypeVar("W")

BatchFunction = Callable[[AsyncSession, Sequence[Any]], Awaitable[Sequence[Any]]]


class BatchLoader(Generic[K, V]):
    """Loads values by key, many keys per query, each key at most once per request."""

    def __init__(self, db: RequestDatabase, batch: BatchFunction) -> None:
        self._db = db
        self._batch = batch
        self._futures: dict[K, asyncio.Future[V]] = {}
        self._pending: list[K] = []
        self._dispatch: asyncio.Task[None] | None = None
        self._built: dict[tuple[K, Callable[[V], Any]], Any] = {}

    def load(self, key: K) -> asyncio.Future[V]:
        """The value for the key (a future resolved when its batch has run)."""
        future = self._futures.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._futures[key] = future
            self._pending.append(key)
            self._db.activity += 1
            if self._dispatch is None:
                self._dispatch = asyncio.ensure_future(self._run_batch())
        return future

    # A loader by id answers None for a row the viewer may not see. The relation of a foreign key
    # that is not null reaches a row in the viewer's scope whenever its parent is (the scope
    # table is drawn so), and its ``build`` (a type's ``from_model``) takes the row as present:
    # the first overload of ``resolve`` and ``resolve_shared`` types that case.
    @overload
    def resolve(self: BatchLoader[K, W | None], key: K, build: Callable[[W], R]) -> R: ...
    @overload
    def resolve(self, key: K, build: Callable[[V], R]) -> R: ...
    def resolve(self, key: K, build: Callable[[Any], R]) -> R:
        """``build(value)`` for the key: at once when the value is loaded already (for instance by
        ``hub.graphql.prefetch``), else an awaitable of it.

        For resolvers written as plain functions: graphql-core awaits what a resolver returns
        when it is awaitable, so a field whose data was prefetched costs no coroutine, no task
        and no event-loop round. The annotation says ``R`` because that is what the client gets.
        """
        return then(self.load(key), build)

    @overload
    def resolve_shared(self: BatchLoader[K, W | None], key: K, build: Callable[[W], R]) -> R: ...
    @overload
    def resolve_shared(self, key: K, build: Callable[[V], R]) -> R: ...
    def resolve_shared(self, key: K, build: Callable[[Any], R]) -> R:
        """``resolve`` for a ``build`` that depends on the value alone, such as a type's
        ``from_model``: once the value is loaded, the key's object is built once per request and
        shared by every parent that reaches it (the 600 bids of a page name 140 tenders).
        ``build`` must keep its identity between calls (a function or a classmethod, not a
        lambda made per call)."""
        future = self.load(key)
        if not future.done():
            return then(future, build)
        try:
            return cast(R, self._built[key, build])
        except KeyError:
            built = self._built[key, build] = build(future.result())
            return built

    def clear(self) -> None:
        """Forget every loaded value (the request is over: let its rows be freed at once)."""
        self._futures.clear()
        self._pending.clear()
        self._built.clear()

    async def load_many(self, keys: Iterable[K]) -> list[V]:
        """The values for the keys, in order."""
        return list(await asyncio.gather(*(self.load(key) for key in keys)))

    async def _run_batch(self) -> None:
        keys: list[K] = []

        async def fetch(session: AsyncSession) -> Sequence[V]:
            nonlocal keys
            # Close the batch only now: keys that arrived while we waited are in it.
            keys, self._pending, self._dispatch = self._pending, [], None
            dataloader_batch(len(keys))
            return await self._batch(session, keys)

        try:
            values = await self._db.run(fetch, settle=True)
        except Exception as exc:
            for key in keys or self._pending:
                self._settle(key, exception=exc)
            return
        for key, value in zip(keys, values, strict=True):
            self._settle(key, value=value)

    def _settle(self, key: K, *, value: Any = None, exception: Exception | None = None) -> None:
        # A waiter cancelled (a sibling field failed and graphql-core cancelled the rest) takes
        # its future with it, and a finished request has cleared them: nothing to settle then.
        future = self._futures.get(key)
        if future is None or future.done():
            return
        if exception is not None:
            future.set_exception(exception)
        else:
            future.set_result(value)


def then(pending: asyncio.Future[V], build: Callable[[V], R]) -> R:
    """``build`` of the future's value: now if it is done, else when it is (an awaitable).

    See ``BatchLoader.resolve``: the result is typed ``R`` although it may be an awaitable of
    ``R``, which is what a GraphQL resolver may return.
    """
    if pending.done():
        return build(pending.result())

    async def later() -> R:
        return build(await pending)

    return cast(R, later())


class Loaders:
    """The DataLoaders of one request."""

    def clear(self) -> None:
        """Empty every loader, so that a finished request holds no rows."""
        for value in vars(self).values():
            if isinstance(value, BatchLoader):
                value.clear()

    def __init__(self, db: RequestDatabase, *, today: date, viewer: Principal = PUBLIC) -> None:
        self.today = today
        """The request's business date (what "current" means for contracts)."""

        # Every loader reads only what the viewer's scope lets it see (hub.services.scope).
        def loader(batch: BatchFunction) -> BatchLoader[Any, Any]:
            return BatchLoader(db, batch)

        def scoped(model: type[Base]) -> Callable[[], Any]:
            # The scope condition is built by the loader's first batch: a jurisdiction's
            # conditions are subqueries, costly to build for the forty loaders a request
            # mostly leaves unused.
            built: list[Any] = []

            def where() -> Any:
                if not built:
                    built.append(visible(model, viewer))
                return built[0]

            return where

        def by_id(model: type[Base]) -> BatchLoader[int, Any]:
            where = scoped(model)
            return loader(
                lambda s, ids: records.list_by_ids(s, model=model, ids=ids, where=where())
            )

        def children(column: Any, *order_by: Any) -> BatchLoader[int, list[Any]]:
            where = scoped(column.class_)
            return loader(
                lambda s, ids: records.list_children(
                    s, column=column, parent_ids=ids, order_by=order_by, where=where()
                )
            )

        def unique(column: Any) -> BatchLoader[Any, Any]:
            where = scoped(column.class_)
            return loader(
                lambda s, keys: records.list_by_unique(s, column=column, keys=keys, where=where())
            )

        async def current_contracts(
            session: AsyncSession, ids: Sequence[int]
        ) -> list[list[m.ServiceContract]]:
            stmt = narrow(current_contracts_stmt(set(ids), today), m.ServiceContract, viewer)
            rows = (await session.scalars(stmt)).all()
            return group_by_key(rows, "compound_id", ids)

        self.jurisdiction: BatchLoader[int, m.Jurisdiction | None] = by_id(m.Jurisdiction)
        self.sub_jurisdictions = children(m.Jurisdiction.parent_id, m.Jurisdiction.code)
        self.compound: BatchLoader[int, m.Compound | None] = by_id(m.Compound)
        self.compounds_by_community = children(m.Compound.community_id, m.Compound.code)
        self.enterprise: BatchLoader[int, m.Enterprise | None] = by_id(m.Enterprise)
        self.contracts_by_compound = children(
            m.ServiceContract.compound_id, m.ServiceContract.starts_on
        )
        self.current_contracts_by_compound: BatchLoader[int, list[m.ServiceContract]] = loader(
            current_contracts
        )
        self.contracts_by_enterprise = children(
            m.ServiceContract.enterprise_id, m.ServiceContract.starts_on
        )
        self.committee: BatchLoader[int, m.OwnersCommittee | None] = by_id(m.OwnersCommittee)
        self.committee_by_compound = unique(m.OwnersCommittee.compound_id)
        self.terms_by_committee = children(m.CommitteeTerm.committee_id, m.CommitteeTerm.term_no)
        self.members_by_term = children(m.CommitteeMember.term_id)
        self.committee_member: BatchLoader[int, m.CommitteeMember | None] = by_id(m.CommitteeMember)
        self.tender: BatchLoader[int, m.Tender | None] = by_id(m.Tender)
        self.tenders_by_compound = children(m.Tender.compound_id, m.Tender.announced_on)
        self.bids_by_tender = children(m.TenderBid.tender_id, m.TenderBid.price)
        self.bids_by_enterprise = children(m.TenderBid.enterprise_id, m.TenderBid.submitted_on)
        self.candidates_by_tender = children(m.TenderCandidate.tender_id, m.TenderCandidate.rank)
        self.award_by_tender = unique(m.TenderAward.tender_id)
        self.awards_by_enterprise = children(m.TenderAward.enterprise_id, m.TenderAward.awarded_on)
        self.credit_records_by_enterprise = children(
            m.EnterpriseCreditRecord.enterprise_id, m.EnterpriseCreditRecord.recorded_on.desc()
        )
        self.credit_grades_by_enterprise = children(
            m.EnterpriseCreditGrade.enterprise_id, m.EnterpriseCreditGrade.evaluated_on
        )
        self.assessment: BatchLoader[int, m.Assessment | None] = by_id(m.Assessment)
        self.assessments_by_enterprise = children(
            m.Assessment.enterprise_id, m.Assessment.assessed_on
        )
        self.assessment_items = children(m.AssessmentItem.assessment_id)
        self.member_unit: BatchLoader[int, m.MemberUnit | None] = by_id(m.MemberUnit)
        self.connection_tasks_by_compound = children(
            m.ConnectionTask.compound_id, m.ConnectionTask.due_on
        )
        self.outages_by_compound = children(m.Outage.compound_id, m.Outage.starts_at.desc())
        self.source_confirmed: BatchLoader[str, datetime | None] = loader(
            lambda s, sources: list_confirmed_at(s, sources=sources)
        )
        self.trainings_by_committee = children(
            m.CommitteeTraining.committee_id, m.CommitteeTraining.held_on
        )
        self.committee_assessments = children(
            m.CommitteeAssessment.committee_id, m.CommitteeAssessment.year
        )
        self.disbursements_by_application = children(
            m.FundDisbursement.application_id, m.FundDisbursement.paid_on
        )
        self.fund_application: BatchLoader[int, m.FundApplication | None] = by_id(m.FundApplication)
        self.committee_training: BatchLoader[int, m.CommitteeTraining | None] = by_id(
            m.CommitteeTraining
        )
        self.committee_assessment: BatchLoader[int, m.CommitteeAssessment | None] = by_id(
            m.CommitteeAssessment
        )
        self.resident: BatchLoader[int, m.Resident | None] = by_id(m.Resident)
        self.resident_pages: BatchLoader[residents.PageKey, residents.ResidentPage] = loader(
            lambda s, keys: residents.list_pages_by_key(s, keys=keys, principal=viewer)
        )
        self.resident_counts: BatchLoader[residents.CountKey, int] = loader(
            lambda s, keys: residents.count_by_key(s, keys=keys, principal=viewer)
        )
        self.objections_by_record = children(
            m.OwnerCreditObjection.record_id, m.OwnerCreditObjection.filed_on
        )
        self.ledger_events_by_item = children(LedgerEvent.item_id, LedgerEvent.id)
        self.ledger_item: BatchLoader[int, LedgerItem | None] = by_id(LedgerItem)
        self.finding: BatchLoader[int, Finding | None] = by_id(Finding)
        self.sanctions_by_enterprise = children(Sanction.enterprise_id, Sanction.starts_on)
        self.repair_acceptances = children(RepairAcceptance.project_id, RepairAcceptance.id)
