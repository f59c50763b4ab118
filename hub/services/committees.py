"""Owners' committees (R9): reading them, and recording elections, trainings and the
community's annual assessments. Callers (the GraphQL mutations) own the transaction.

The findings rule ``committees.unqualified_without_election`` is registered here (with
``hub.services.findings``, which imports this module through its ``RULE_MODULES``): a committee
whose latest assessment is UNQUALIFIED has an open finding until an owners' assembly elects a
new committee, and the finding then closes by itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from hub.domain.access import Principal
from hub.domain.committees import (
    MAX_MEMBERS,
    CommitteeAssessmentResult,
    Election,
    awaits_reelection,
    validate_election,
)
from hub.domain.crypto import Keyring
from hub.domain.enums import CommitteeMemberRole, CommitteeStatus, UnitRole
from hub.domain.findings import FindingSeverity, Hit, RuleDefinition
from hub.domain.pii import normalize_phone
from hub.domain.text import NAME_LENGTH, check_text
from hub.errors import Forbidden, InvalidValue
from hub.services.findings import Rule, register_rule
from hub.services.jurisdictions import get_place_conditions
from hub.services.paging import Ordering, SortKey
from hub.services.personal_data import seal_row
from hub.services.scope import get_in_scope_or_raise, narrow
from hub.services.validation import check_fits
from hub.store.models import (
    CommitteeAssessment,
    CommitteeMember,
    CommitteeTerm,
    CommitteeTraining,
    Compound,
    MemberUnit,
    OwnersCommittee,
)

ORDERINGS = {
    "FOUNDED_ON": Ordering(
        "FOUNDED_ON", (SortKey(OwnersCommittee.founded_on), SortKey(OwnersCommittee.id))
    ),
    "COMPOUND_CODE": Ordering(
        "COMPOUND_CODE", (SortKey(Compound.code), SortKey(OwnersCommittee.id))
    ),
}


@dataclass(frozen=True, slots=True)
class CommitteeFilter:
    """Conditions on committees; None means no condition."""

    town_code: str | None = None
    community_code: str | None = None
    status: CommitteeStatus | None = None


async def select_committees(
    session: AsyncSession, *, where: CommitteeFilter, principal: Principal
) -> sa.Select[OwnersCommittee]:
    """The SELECT of the committees matching the filter (joined to their compound), within the
    principal's jurisdiction."""
    conditions: list[ColumnElement[bool]] = []
    conditions += await get_place_conditions(
        session, town_code=where.town_code, community_code=where.community_code
    )
    if where.status is not None:
        conditions.append(OwnersCommittee.status == where.status)
    stmt = (
        sa.select(OwnersCommittee)
        .join(Compound, Compound.id == OwnersCommittee.compound_id)
        .where(*conditions)
    )
    return narrow(stmt, OwnersCommittee, principal)


# Writing: elections, trainings and the annual assessment (R9) --------------------------------


@dataclass(frozen=True, slots=True)
class NewMember:
    """A member elected by an owners' assembly. Name and phone in the clear: never log them."""

    name: str
    phone: str | None
    role: CommitteeMemberRole

    def __repr__(self) -> str:
        return f"NewMember(role={self.role})"


async def create_term(
    session: AsyncSession,
    *,
    keyring: Keyring,
    principal: Principal,
    compound_id: int,
    election: Election,
    members: Sequence[NewMember],
) -> CommitteeTerm:
    """Record a committee elected by an owners' assembly: the compound's first committee (its
    founding) or the next term of the existing one. Members' names and phones are sealed."""
    for n, member in enumerate(members):  # first: a name too long for its sealed column
        check_text(f"members[{n}].name", member.name, max_length=NAME_LENGTH)
    validate_election(election)
    phones = []
    for n, member in enumerate(members):
        if not member.name.strip():
            raise InvalidValue(f"members[{n}].name", "give the member's name")
        # Stored in canonical form, so that every stored phone has a kind the masks know.
        phones.append(normalize_phone(member.phone, field=f"members[{n}].phone"))
    compound = await get_in_scope_or_raise(
        session, model=Compound, record_id=compound_id, principal=principal, field="compoundId"
    )
    committee = await session.scalar(
        sa.select(OwnersCommittee).where(OwnersCommittee.compound_id == compound.id)
    )
    if committee is None:
        committee = OwnersCommittee(compound_id=compound.id, founded_on=election.starts_on)
        session.add(committee)
        await session.flush()
        term_no = 1
    else:
        last = await session.scalar(
            sa.select(CommitteeTerm)
            .where(CommitteeTerm.committee_id == committee.id)
            .order_by(CommitteeTerm.term_no.desc())
            .limit(1)
        )
        if last is not None and election.starts_on <= last.starts_on:
            raise InvalidValue("startsOn", "a new term starts after the previous term started")
        if last is not None and election.assembly_held_on < last.assembly_held_on:
            raise InvalidValue(
                "assemblyHeldOn", "the electing assembly comes after the previous one"
            )
        term_no = (last.term_no if last else 0) + 1
    committee.status = CommitteeStatus.ACTIVE
    term = CommitteeTerm(
        committee_id=committee.id,
        term_no=term_no,
        assembly_held_on=election.assembly_held_on,
        starts_on=election.starts_on,
        ends_on=election.ends_on,
    )
    session.add(term)
    await session.flush()
    rows = [
        CommitteeMember(
            term_id=term.id, name_encrypted="", role=member.role, joined_on=election.starts_on
        )
        for member in members
    ]
    session.add_all(rows)
    await session.flush()  # the ids bind the sealed values to their rows
    for row, member, phone in zip(rows, members, phones, strict=True):
        sealed = seal_row(
            keyring,
            "committee_members",
            {"id": row.id, "name": member.name.strip(), "phone": phone},
        )
        row.name_encrypted = sealed["name_encrypted"]
        row.phone_encrypted = sealed["phone_encrypted"]
    await session.flush()
    return term


async def create_training(
    session: AsyncSession,
    *,
    principal: Principal,
    committee_id: int,
    held_on: date,
    topic: str,
    hours: Decimal,
    attendees: int,
    today: date,
) -> CommitteeTraining:
    """Record a training of a committee's members (R9)."""
    check_fits("topic", topic, CommitteeTraining.topic)
    committee = await _committee(session, principal=principal, committee_id=committee_id)
    if not topic.strip():
        raise InvalidValue("topic", "say what the training was about")
    if held_on > today:
        raise InvalidValue("heldOn", "a training is recorded once it has taken place")
    if not Decimal("0") < hours <= Decimal("24"):
        raise InvalidValue("hours", "a training lasts more than 0 and at most 24 hours")
    if not 1 <= attendees <= MAX_MEMBERS:
        raise InvalidValue("attendees", f"between 1 and {MAX_MEMBERS} members attend")
    training = CommitteeTraining(
        committee_id=committee.id,
        held_on=held_on,
        topic=topic.strip(),
        hours=hours,
        attendees=attendees,
        recorded_by_id=acting_unit(principal),
    )
    session.add(training)
    await session.flush()
    return training


async def create_assessment(
    session: AsyncSession,
    *,
    principal: Principal,
    committee_id: int,
    year: int,
    result: CommitteeAssessmentResult,
    assessed_on: date,
    reward: str | None,
    reward_amount: Decimal | None,
    note: str | None,
    today: date,
) -> CommitteeAssessment:
    """Record the community's assessment of a committee for a year (R9): one per year; a reward
    only for an EXCELLENT committee. An UNQUALIFIED result opens the re-election finding."""
    check_fits("reward", reward, CommitteeAssessment.reward)
    check_fits("note", note, CommitteeAssessment.note)
    committee = await _committee(session, principal=principal, committee_id=committee_id)
    if not committee.founded_on.year <= year <= today.year:
        raise InvalidValue("year", f"assess a year from {committee.founded_on.year} to now")
    if assessed_on > today or assessed_on.year < year:
        raise InvalidValue("assessedOn", "the assessment is made during or after its year")
    if (reward or reward_amount is not None) and result is not CommitteeAssessmentResult.EXCELLENT:
        raise InvalidValue("reward", "only an EXCELLENT committee is rewarded")
    if reward_amount is not None and reward_amount < 0:
        raise InvalidValue("rewardAmount", "must not be negative")
    existing = await session.scalar(
        sa.select(CommitteeAssessment.id).where(
            CommitteeAssessment.committee_id == committee.id, CommitteeAssessment.year == year
        )
    )
    if existing is not None:
        raise InvalidValue("year", f"the committee has already been assessed for {year}")
    assessment = CommitteeAssessment(
        committee_id=committee.id,
        year=year,
        result=result,
        assessed_on=assessed_on,
        reward=reward,
        reward_amount=reward_amount,
        note=note,
        assessed_by_id=acting_unit(principal),
    )
    session.add(assessment)
    await session.flush()
    return assessment


@dataclass(frozen=True, slots=True)
class AwaitingReelection:
    """A committee whose latest assessment was UNQUALIFIED and that has no new election since."""

    committee_id: int
    compound_id: int
    year: int
    assessed_on: date


async def list_awaiting_reelection(session: AsyncSession) -> list[AwaitingReelection]:
    """Every committee whose latest annual assessment was UNQUALIFIED and where no owners'
    assembly has elected a committee since (the condition of the re-election finding, R9)."""
    latest = (
        sa.select(
            CommitteeAssessment.committee_id,
            sa.func.max(CommitteeAssessment.year).label("year"),
        )
        .group_by(CommitteeAssessment.committee_id)
        .subquery()
    )
    last_assembly = (
        sa.select(
            CommitteeTerm.committee_id,
            sa.func.max(CommitteeTerm.assembly_held_on).label("held_on"),
        )
        .group_by(CommitteeTerm.committee_id)
        .subquery()
    )
    stmt = (
        sa.select(CommitteeAssessment, OwnersCommittee.compound_id, last_assembly.c.held_on)
        .join(
            latest,
            sa.and_(
                latest.c.committee_id == CommitteeAssessment.committee_id,
                latest.c.year == CommitteeAssessment.year,
            ),
        )
        .join(OwnersCommittee, OwnersCommittee.id == CommitteeAssessment.committee_id)
        .outerjoin(last_assembly, last_assembly.c.committee_id == CommitteeAssessment.committee_id)
        .where(CommitteeAssessment.result == CommitteeAssessmentResult.UNQUALIFIED)
        .order_by(CommitteeAssessment.committee_id)
    )
    return [
        AwaitingReelection(a.committee_id, compound_id, a.year, a.assessed_on)
        for a, compound_id, held_on in (await session.execute(stmt)).all()
        if awaits_reelection(result=a.result, assessed_on=a.assessed_on, last_assembly_on=held_on)
    ]


async def _committee(
    session: AsyncSession, *, principal: Principal, committee_id: int
) -> OwnersCommittee:
    return await get_in_scope_or_raise(
        session,
        model=OwnersCommittee,
        record_id=committee_id,
        principal=principal,
        field="committeeId",
    )


def acting_unit(principal: Principal) -> int:
    """The member unit acting: writes are always made by a unit, never anonymously."""
    if principal.unit_id is None:
        raise Forbidden("only a member unit records this")
    return principal.unit_id


async def _reelection_hits(session: AsyncSession, now: datetime) -> list[Hit]:
    """The re-election finding's subjects: each committee awaiting re-election, with the
    community's unit responsible (R9: the community guides the owners' assembly)."""
    waiting = await list_awaiting_reelection(session)
    if not waiting:
        return []
    compounds = {w.compound_id for w in waiting}
    rows = await session.execute(
        sa.select(Compound.id, MemberUnit.code)
        .join(MemberUnit, MemberUnit.jurisdiction_id == Compound.community_id)
        .where(Compound.id.in_(compounds), MemberUnit.role == UnitRole.COMMUNITY)
    )
    units = {compound_id: code for compound_id, code in rows}
    return [
        Hit(
            subject_id=w.committee_id,
            compound_id=w.compound_id,
            responsible_unit=units.get(w.compound_id),
            detail=f"assessed UNQUALIFIED for {w.year} on {w.assessed_on:%Y-%m-%d}, "
            "no new election since",
        )
        for w in waiting
    ]


register_rule(
    Rule(
        RuleDefinition(
            code="committees.unqualified_without_election",
            title="Owners' committee assessed UNQUALIFIED without a new election",
            plan_rule="R9",
            severity=FindingSeverity.MEDIUM,
            subject_type="OwnersCommittee",
        ),
        _reelection_hits,
    )
)
