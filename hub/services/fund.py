"""The special maintenance fund (住宅专项维修资金, R5): applications per compound, the owners'
vote and disbursements. The decision itself is ``hub.domain.fund.decide``; this module reads and
writes the rows, within the caller's jurisdiction. Callers own the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from hub.config import Settings
from hub.domain.access import Principal
from hub.domain.fund import (
    FundApplicationStatus,
    FundExecutor,
    VoteDecision,
    VoteRule,
    VoteTally,
    check_disbursement,
    decide,
    parse_fraction,
)
from hub.errors import InvalidValue
from hub.services.committees import acting_unit
from hub.services.jurisdictions import get_place_conditions
from hub.services.paging import Ordering, SortKey
from hub.services.scope import get_in_scope_or_raise, narrow
from hub.services.validation import check_fits
from hub.store.models import Compound, FundApplication, FundDisbursement

ORDERINGS = {
    "APPLIED_ON": Ordering(
        "APPLIED_ON", (SortKey(FundApplication.applied_on), SortKey(FundApplication.id))
    ),
}


def vote_rule(settings: Settings) -> VoteRule:
    """The thresholds configured for fund votes (R5: Civil Code art. 278 by default)."""
    return VoteRule(
        participation=parse_fraction(
            settings.fund_vote_participation, field="fund_vote_participation"
        ),
        approval=parse_fraction(settings.fund_vote_approval, field="fund_vote_approval"),
        approval_inclusive=settings.fund_vote_approval_inclusive,
    )


@dataclass(frozen=True, slots=True)
class FundFilter:
    """Conditions on applications; None means no condition."""

    town_code: str | None = None
    community_code: str | None = None
    compound_id: int | None = None
    status: FundApplicationStatus | None = None


async def select_applications(
    session: AsyncSession, *, where: FundFilter, principal: Principal
) -> sa.Select[FundApplication]:
    """The SELECT of the applications matching the filter, within the principal's scope."""
    conditions: list[ColumnElement[bool]] = list(
        await get_place_conditions(
            session, town_code=where.town_code, community_code=where.community_code
        )
    )
    if where.compound_id is not None:
        conditions.append(FundApplication.compound_id == where.compound_id)
    if where.status is not None:
        conditions.append(FundApplication.status == where.status)
    stmt = (
        sa.select(FundApplication)
        .join(Compound, Compound.id == FundApplication.compound_id)
        .where(*conditions)
    )
    return narrow(stmt, FundApplication, principal)


async def create_application(
    session: AsyncSession,
    *,
    principal: Principal,
    compound_id: int,
    purpose: str,
    amount: Decimal,
    executor: FundExecutor,
    executor_name: str | None,
    applied_on: date,
    today: date,
) -> FundApplication:
    """Open an application to use the fund for a compound; it waits for the owners' vote."""
    check_fits("purpose", purpose, FundApplication.purpose)
    check_fits("executorName", executor_name, FundApplication.executor_name)
    compound = await get_in_scope_or_raise(
        session, model=Compound, record_id=compound_id, principal=principal, field="compoundId"
    )
    if not purpose.strip():
        raise InvalidValue("purpose", "say what the money is for (the repair or the renewal)")
    if amount <= 0:
        raise InvalidValue("amount", "an application asks for a positive amount")
    if applied_on > today:
        raise InvalidValue("appliedOn", "an application cannot be dated in the future")
    application = FundApplication(
        compound_id=compound.id,
        purpose=purpose.strip(),
        amount=amount,
        executor=executor,
        executor_name=(executor_name or "").strip() or None,
        applied_on=applied_on,
        status=FundApplicationStatus.VOTING,
        created_by_id=acting_unit(principal),
        disbursed=Decimal("0"),
    )
    session.add(application)
    await session.flush()
    return application


async def record_vote(
    session: AsyncSession,
    *,
    principal: Principal,
    application_id: int,
    tally: VoteTally,
    voted_on: date,
    rule: VoteRule,
    today: date,
) -> tuple[FundApplication, VoteDecision]:
    """Record the owners' vote on an application and decide it (approved or rejected)."""
    application = await _locked_application(
        session, principal=principal, application_id=application_id
    )
    if application.status is not FundApplicationStatus.VOTING:
        raise InvalidValue("applicationId", f"the vote was already recorded: {application.status}")
    if not application.applied_on <= voted_on <= today:
        raise InvalidValue(
            "votedOn", "the vote is held after the application, and not later than today"
        )
    decision = decide(tally, rule)
    application.voted_on = voted_on
    application.total_area = tally.total_area
    application.total_owners = tally.total_owners
    application.participating_area = tally.participating_area
    application.participating_owners = tally.participating_owners
    application.approving_area = tally.approving_area
    application.approving_owners = tally.approving_owners
    application.status = (
        FundApplicationStatus.APPROVED if decision.approved else FundApplicationStatus.REJECTED
    )
    await session.flush()
    return application, decision


async def create_disbursement(
    session: AsyncSession,
    *,
    principal: Principal,
    application_id: int,
    amount: Decimal,
    paid_on: date,
    note: str | None,
    today: date,
) -> tuple[FundApplication, FundDisbursement]:
    """Record money paid for an approved application; never more than the approved amount."""
    check_fits("note", note, FundDisbursement.note)
    application = await _locked_application(
        session, principal=principal, application_id=application_id
    )
    if application.status is not FundApplicationStatus.APPROVED:
        raise InvalidValue(
            "applicationId",
            f"only an approved application is paid, this one is {application.status}",
        )
    if (application.voted_on is not None and paid_on < application.voted_on) or paid_on > today:
        raise InvalidValue("paidOn", "a payment comes after the vote, and not later than today")
    check_disbursement(approved=application.amount, disbursed=application.disbursed, amount=amount)
    disbursement = FundDisbursement(
        application_id=application.id,
        amount=amount,
        paid_on=paid_on,
        note=(note or "").strip() or None,
        recorded_by_id=acting_unit(principal),
    )
    application.disbursed = application.disbursed + amount
    session.add(disbursement)
    await session.flush()
    return application, disbursement


async def _locked_application(
    session: AsyncSession, *, principal: Principal, application_id: int
) -> FundApplication:
    """The application, held until the transaction ends: two changes of it at the same time
    (two disbursements) cannot both pass its checks."""
    return await get_in_scope_or_raise(
        session,
        model=FundApplication,
        record_id=application_id,
        principal=principal,
        field="applicationId",
        lock=True,
    )
