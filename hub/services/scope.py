"""Jurisdiction where the data is read: the rows a principal's scope lets it see, as SQL.

``visible(model, principal)`` is a WHERE condition on the model's table, or None when the scope
does not narrow that table. Every read path of the GraphQL API applies it — root lists, the
DataLoaders behind nested fields and ``node(id)`` — so that a record outside the scope is never
returned, counted in ``totalCount`` or hinted at by an error: it does not exist for that caller.

- Town and community scope: compounds of the unit's town or community, and everything that
  hangs off a compound (contracts, tenders and their bids, candidates and awards, committees,
  their terms and members, daily inspections and their items, utility tasks and outages,
  residents, repair projects and their acceptances, committees' trainings and assessments, fund
  applications and disbursements, owner credit records and their objections). Enterprises, their
  credit and their semi-annual assessments are banner-wide.
- Unit scope (a utility): its own connection tasks and outages (source ``utility:<unit>``).
- Ledger items and findings: by their town and community; a department (城管局, 消防大队) sees
  only the items routed to it and the findings it is responsible for.
- Banner scope: everything.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from hub.domain.access import Principal, Role, Scope
from hub.domain.sources import utility_source
from hub.errors import NotFound
from hub.store import models as m
from hub.store.base import Base
from hub.store.models import Finding, LedgerEvent, LedgerItem, RepairAcceptance, RepairProject

M = TypeVar("M", bound=Base)


def compound_ids(principal: Principal) -> sa.Select[int] | None:
    """The ids of the compounds in the principal's town or community; None: no narrowing."""
    if principal.scope is Scope.COMMUNITY:
        return sa.select(m.Compound.id).where(m.Compound.community_id == principal.community_id)
    if principal.scope is Scope.TOWN:
        return sa.select(m.Compound.id).where(m.Compound.town_id == principal.town_id)
    return None


def visible(model: type[Any], principal: Principal) -> ColumnElement[bool] | None:
    """The condition for the model's rows the principal may see, or None (all of them)."""
    if model in (LedgerItem, LedgerEvent, Finding):
        return _ledger_visible(model, principal)
    if principal.scope is Scope.UNIT:
        if model in (m.ConnectionTask, m.Outage):
            return model.source == utility_source(principal.unit_code or "")  # type: ignore[no-any-return]
        return None
    compounds = compound_ids(principal)
    if compounds is None:
        return None
    if model is m.Compound:
        if principal.scope is Scope.COMMUNITY:
            return m.Compound.community_id == principal.community_id
        return m.Compound.town_id == principal.town_id
    if model is m.Assessment:  # semi-annual assessments have no compound: banner-wide
        return sa.or_(m.Assessment.compound_id.is_(None), m.Assessment.compound_id.in_(compounds))
    if model in _BY_COMPOUND:
        return model.compound_id.in_(compounds)  # type: ignore[no-any-return]
    if model in (m.TenderBid, m.TenderCandidate, m.TenderAward):
        tenders = sa.select(m.Tender.id).where(m.Tender.compound_id.in_(compounds))
        return model.tender_id.in_(tenders)  # type: ignore[no-any-return]
    if model is m.CommitteeTerm:
        return m.CommitteeTerm.committee_id.in_(_committees(compounds))
    if model is m.CommitteeMember:
        terms = sa.select(m.CommitteeTerm.id).where(
            m.CommitteeTerm.committee_id.in_(_committees(compounds))
        )
        return m.CommitteeMember.term_id.in_(terms)
    if model is m.AssessmentItem:
        assessments = sa.select(m.Assessment.id).where(visible(m.Assessment, principal))  # type: ignore[arg-type]
        return m.AssessmentItem.assessment_id.in_(assessments)
    if model is RepairAcceptance:
        projects = sa.select(RepairProject.id).where(RepairProject.compound_id.in_(compounds))
        return RepairAcceptance.project_id.in_(projects)
    if model is m.OwnerCreditRecord:
        residents = sa.select(m.Resident.id).where(m.Resident.compound_id.in_(compounds))
        return m.OwnerCreditRecord.resident_id.in_(residents)
    if model in (m.CommitteeTraining, m.CommitteeAssessment):
        return model.committee_id.in_(_committees(compounds))  # type: ignore[no-any-return]
    if model is m.FundDisbursement:
        applications = sa.select(m.FundApplication.id).where(
            m.FundApplication.compound_id.in_(compounds)
        )
        return m.FundDisbursement.application_id.in_(applications)
    if model is m.OwnerCreditObjection:
        records = sa.select(m.OwnerCreditRecord.id).where(visible(m.OwnerCreditRecord, principal))  # type: ignore[arg-type]
        return m.OwnerCreditObjection.record_id.in_(records)
    return None


def narrow(stmt: sa.Select[Any], model: type[Any], principal: Principal) -> sa.Select[Any]:
    """``stmt`` with the principal's condition on ``model`` added (if any)."""
    condition = visible(model, principal)
    return stmt if condition is None else stmt.where(condition)


async def get_in_scope_or_raise(
    session: AsyncSession,
    *,
    model: type[M],
    record_id: int,
    principal: Principal,
    field: str,
    lock: bool = False,
) -> M:
    """The record of ``model`` with this id, if it lies in the principal's jurisdiction.

    Otherwise ``NotFound`` naming the input ``field``, with the same message whether the record
    does not exist or lies outside the jurisdiction: a change never hints at what the caller may
    not see. ``lock`` holds the row until the transaction ends (``FOR UPDATE`` on PostgreSQL), for
    a change that reads the row before it writes it (two at once must not both pass a check).
    """
    stmt = narrow(sa.select(model).where(model.id == record_id), model, principal)
    if lock:
        stmt = stmt.with_for_update()
    record: M | None = await session.scalar(stmt)
    if record is None:
        noun = _WORD.sub(" ", model.__name__).lower()
        raise NotFound(f"{field}: no {noun} with this ID in your jurisdiction", field=field)
    return record


_WORD = re.compile(r"(?<!^)(?=[A-Z])")
"""Where a model's class name splits into words (``RepairProject`` → "repair project")."""


def _ledger_visible(model: type[Any], principal: Principal) -> ColumnElement[bool] | None:
    """Ledger items and findings: a department sees only what is routed to it (R3); a town or
    community what lies in its jurisdiction (their ``town_id`` / ``community_id``)."""
    if model is LedgerEvent:
        items = sa.select(LedgerItem.id)
        condition = _ledger_visible(LedgerItem, principal)
        return None if condition is None else LedgerEvent.item_id.in_(items.where(condition))
    if principal.role is Role.DEPARTMENT:
        unit = LedgerItem.assigned_unit if model is LedgerItem else Finding.responsible_unit
        return unit == principal.unit_code
    if principal.scope is Scope.COMMUNITY:
        return model.community_id == principal.community_id  # type: ignore[no-any-return]
    if principal.scope is Scope.TOWN:
        return model.town_id == principal.town_id  # type: ignore[no-any-return]
    if principal.scope is Scope.UNIT:
        return sa.false()
    return None


def _committees(compounds: sa.Select[int]) -> sa.Select[int]:
    return sa.select(m.OwnersCommittee.id).where(m.OwnersCommittee.compound_id.in_(compounds))


_BY_COMPOUND: tuple[type[Any], ...] = (
    m.ServiceContract,
    m.Tender,
    m.OwnersCommittee,
    m.ConnectionTask,
    m.Outage,
    m.Resident,
    m.FundApplication,
    RepairProject,
)
