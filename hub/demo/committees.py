"""Demo owners' committees (R9): terms of at most five years and their members; and, loaded after
the data set (``load_committee_workflows_demo``), their trainings and assessments, maintenance
fund applications (R5) and owner credit objections and restorations (R11).

About two thirds of the compounds have a committee, fewer among the newest compounds, which have
not held an owners' assembly yet. About one in ten committees let its last term expire. Members are
drawn from the compound's owners, so re-elections bring back some of the same people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.demo.common import Context, Row, add_years, random_date
from hub.demo.geography import Geography
from hub.demo.identities import mobile, person_name
from hub.demo.residents import Residents
from hub.domain.committees import CommitteeAssessmentResult
from hub.domain.enums import CommitteeMemberRole, CommitteeStatus, OwnerCreditStatus, UnitRole
from hub.domain.fund import FundApplicationStatus, FundExecutor, VoteRule, VoteTally, decide
from hub.domain.membership import LeaveReason, leave_reason_text
from hub.store.models import (
    CommitteeAssessment,
    CommitteeTraining,
    Compound,
    FundApplication,
    FundDisbursement,
    MemberUnit,
    OwnerCreditObjection,
    OwnerCreditRecord,
    OwnersCommittee,
)

EXPIRED_SHARE = 0.11  # asked for; a few fall back to active where no expired term fits
LEFT_REASONS = (
    (LeaveReason.SALE_OF_HOME, None),
    (LeaveReason.REPEATED_ABSENCE, None),
    (LeaveReason.RESIGNATION, None),
    (LeaveReason.OTHER, "迁出本小区"),
    (LeaveReason.OTHER, "被业主大会罢免"),
)
"""Why demo members left during a term: the kinds of hub.domain.membership, OTHER with a text."""
_DAY = timedelta(days=1)


@dataclass(slots=True)
class Committees:
    """The rows of the three tables, and each compound's committee for the contract builder."""

    committees: list[Row] = field(default_factory=list)
    terms: list[Row] = field(default_factory=list)
    members: list[Row] = field(default_factory=list)
    of_compound: dict[int, Row] = field(default_factory=dict)  # compound id → committee row


def build_committees(ctx: Context, geo: Geography, residents: Residents) -> Committees:
    """Committees for about two thirds of the compounds, with 1–3 terms each."""
    rng = ctx.rng("committees")
    out = Committees()
    for compound in geo.compounds:
        built_year = compound["built_year"]
        chance = 0.66 if built_year <= 2020 else 0.25 if built_year <= 2023 else 0.0
        if rng.random() >= chance:
            continue
        # An assembly can be held once enough homes are handed over: a year after delivery here.
        earliest = add_years(geo.delivered_on[compound["id"]], 1)
        terms = _plan_terms(ctx, rng, earliest, expired=rng.random() < EXPIRED_SHARE)
        if not terms:
            continue
        expired = terms[-1][1] < ctx.today
        committee_id = ctx.add(
            out.committees,
            compound_id=compound["id"],
            founded_on=terms[0][0],
            status=CommitteeStatus.TERM_EXPIRED if expired else CommitteeStatus.ACTIVE,
        )
        out.of_compound[compound["id"]] = out.committees[-1]
        owners = residents.owners_of.get(compound["id"], [])
        for term_no, (starts_on, ends_on) in enumerate(terms, start=1):
            term_id = ctx.add(
                out.terms,
                committee_id=committee_id,
                term_no=term_no,
                assembly_held_on=starts_on - timedelta(days=rng.randint(3, 20)),
                starts_on=starts_on,
                ends_on=ends_on,
            )
            _members(ctx, rng, out, term_id, starts_on, ends_on, owners)
    return out


def _plan_terms(
    ctx: Context, rng: random.Random, earliest: date, *, expired: bool
) -> list[tuple[date, date]]:
    """(starts_on, ends_on) of 1–3 consecutive terms, oldest first; empty if none fits."""
    years = rng.choice((3, 5, 5, 5))
    if expired:
        last_end = ctx.today - timedelta(days=rng.randint(30, 400))
        last_start = add_years(last_end + _DAY, -years)
    else:
        first = max(earliest, add_years(ctx.today, -years) + timedelta(days=30))
        last_start = random_date(rng, first, ctx.today - timedelta(days=30))
    if last_start < earliest or last_start > ctx.today - timedelta(days=30):
        return [] if not expired else _plan_terms(ctx, rng, earliest, expired=False)
    # A term lasts at most five years: it ends the day before the same date ``years`` later.
    terms = [(last_start, add_years(last_start, years) - _DAY)]
    for _ in range(rng.choice((0, 1, 1, 2)) if expired else rng.choice((0, 0, 1, 2))):
        start = add_years(terms[0][0], -rng.choice((3, 5, 5)))
        if start < earliest:
            break
        terms.insert(0, (start, terms[0][0] - _DAY))
    return terms


def _members(
    ctx: Context,
    rng: random.Random,
    out: Committees,
    term_id: int,
    starts_on: date,
    ends_on: date,
    owners: list[Row],
) -> None:
    size = rng.choice((5, 5, 7, 7, 7, 9, 9, 11))  # odd, 5–11
    people = [(o["name"], o["phone"]) for o in rng.sample(owners, min(size, len(owners)))]
    people += [(person_name(rng), mobile(rng)) for _ in range(size - len(people))]
    vice_chairs = rng.choice((1, 2))
    for n, (name, phone) in enumerate(people):
        if n == 0:
            role = CommitteeMemberRole.CHAIR
        elif n <= vice_chairs:
            role = CommitteeMemberRole.VICE_CHAIR
        else:
            role = CommitteeMemberRole.MEMBER
        left_on, left_kind, left_reason = None, None, None
        last_day = min(ends_on, ctx.today) - _DAY
        if rng.random() < 0.06 and last_day > starts_on + timedelta(days=60):
            left_on = random_date(rng, starts_on + timedelta(days=60), last_day)
            left_kind, other = rng.choice(LEFT_REASONS)
            left_reason = leave_reason_text(left_kind, other)
        ctx.add(
            out.members,
            term_id=term_id,
            name=name,
            phone=phone,
            role=role,
            joined_on=starts_on,
            left_on=left_on,
            left_reason_kind=left_kind,
            left_reason=left_reason,
        )


# The workflows (training, assessments, fund votes), loaded after the data set ----------------

TRAINING_TOPICS = (
    "《民法典》物权编与业主共有权",
    "业主大会议事规则与表决程序",
    "住宅专项维修资金使用流程",
    "物业服务合同履约监督",
    "红色物业与社区协商议事",
    "消防通道与高空抛物治理",
)
FUND_PURPOSES = (
    ("屋面防水层翻修", 80_000, 260_000),
    ("电梯主要部件更换", 150_000, 420_000),
    ("外墙保温层脱落修复", 60_000, 300_000),
    ("二次供水设施改造", 90_000, 240_000),
    ("小区消防管网维修", 40_000, 160_000),
    ("单元门禁及楼道照明更新", 20_000, 80_000),
)
OBJECTION_REASONS = ("所涉欠费已于判决前结清", "车辆系他人停放", "非本人所为，已提交监控截图")
_CENT = Decimal("0.01")


async def load_committee_workflows_demo(
    session: AsyncSession, *, today: date, seed: int
) -> dict[str, int]:
    """Trainings and last year's assessments of the committees, fund applications in all three
    states (with disbursements), and owner credit objections and restorations, drawn from the
    committees, compounds and credit records already loaded; deterministic from ``seed``.

    Returns rows added per table (for the load summary).
    """
    rng = random.Random(f"{seed}/committee-workflows")
    rows = await session.execute(
        sa.select(MemberUnit.jurisdiction_id, MemberUnit.id).where(
            MemberUnit.role == UnitRole.COMMUNITY, MemberUnit.jurisdiction_id.is_not(None)
        )
    )
    units: dict[int, int] = {community: unit for community, unit in rows if community is not None}
    counts = {
        "committee_trainings": 0,
        "committee_assessments": 0,
        "fund_applications": 0,
        "fund_disbursements": 0,
        "owner_credit_objections": 0,
    }
    committees = (
        await session.execute(
            sa.select(OwnersCommittee, Compound.community_id)
            .join(Compound, Compound.id == OwnersCommittee.compound_id)
            .order_by(OwnersCommittee.id)
        )
    ).all()
    last_year = today.year - 1
    for committee, community_id in committees:
        unit = units.get(community_id)
        if unit is None:
            continue
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            session.add(
                CommitteeTraining(
                    committee_id=committee.id,
                    held_on=random_date(
                        rng, max(committee.founded_on, add_years(today, -2)), today
                    ),
                    topic=rng.choice(TRAINING_TOPICS),
                    hours=Decimal(rng.choice(("1.5", "2", "3", "4"))),
                    attendees=rng.randint(4, 7),
                    recorded_by_id=unit,
                )
            )
            counts["committee_trainings"] += 1
        if committee.founded_on.year <= last_year:
            result = rng.choices(list(CommitteeAssessmentResult), weights=(2, 7, 1))[0]
            excellent = result is CommitteeAssessmentResult.EXCELLENT
            session.add(
                CommitteeAssessment(
                    committee_id=committee.id,
                    year=last_year,
                    result=result,
                    assessed_on=date(today.year, 1, rng.randint(8, 28)),
                    reward="优秀业主委员会表彰" if excellent else None,
                    reward_amount=Decimal(rng.choice((2000, 3000, 5000))) if excellent else None,
                    assessed_by_id=unit,
                )
            )
            counts["committee_assessments"] += 1
    await _fund_demo(session, rng, units, today, counts)
    await _objection_demo(session, rng, today, counts)
    await session.flush()
    return counts


async def _fund_demo(
    session: AsyncSession,
    rng: random.Random,
    units: dict[int, int],
    today: date,
    counts: dict[str, int],
) -> None:
    """About one older compound in eight applies to the fund; votes decided by art. 278."""
    compounds = (
        await session.scalars(
            sa.select(Compound)
            .where(Compound.built_year <= today.year - 8, Compound.households > 0)
            .order_by(Compound.id)
        )
    ).all()
    rule = VoteRule()
    for compound in compounds:
        unit = units.get(compound.community_id)
        if unit is None or rng.random() >= 0.125:
            continue
        purpose, low, high = rng.choice(FUND_PURPOSES)
        applied_on = random_date(rng, add_years(today, -1), today - timedelta(days=10))
        application = FundApplication(
            compound_id=compound.id,
            purpose=purpose,
            amount=Decimal(rng.randrange(low, high, 500)),
            executor=rng.choice(list(FundExecutor)),
            applied_on=applied_on,
            status=FundApplicationStatus.VOTING,
            created_by_id=unit,
            disbursed=Decimal("0"),
        )
        session.add(application)
        counts["fund_applications"] += 1
        if rng.random() < 0.2:
            continue  # still voting
        tally = _tally(rng, compound)
        application.voted_on = random_date(rng, applied_on, today)
        application.total_area, application.total_owners = tally.total_area, tally.total_owners
        application.participating_area = tally.participating_area
        application.participating_owners = tally.participating_owners
        application.approving_area = tally.approving_area
        application.approving_owners = tally.approving_owners
        approved = decide(tally, rule).approved
        application.status = (
            FundApplicationStatus.APPROVED if approved else FundApplicationStatus.REJECTED
        )
        if not approved or rng.random() < 0.3:
            continue
        await session.flush()
        share = Decimal(rng.choice(("0.3", "0.6", "1")))
        paid = (application.amount * share).quantize(_CENT)
        session.add(
            FundDisbursement(
                application_id=application.id,
                amount=paid,
                paid_on=random_date(rng, application.voted_on, today),
                note="按工程进度拨付",
                recorded_by_id=unit,
            )
        )
        application.disbursed = paid
        counts["fund_disbursements"] += 1


def _tally(rng: random.Random, compound: Compound) -> VoteTally:
    """Vote aggregates around the thresholds: most pass, some fall short."""
    total_area = Decimal(str(compound.floor_area or compound.households * 100)).quantize(_CENT)
    owners = compound.households
    turnout = Decimal(str(rng.uniform(0.6, 0.9)))
    approval = Decimal(str(rng.uniform(0.45, 0.9)))
    part_area = (total_area * turnout).quantize(_CENT)
    part_owners = int(owners * turnout)
    return VoteTally(
        total_area=total_area,
        total_owners=owners,
        participating_area=part_area,
        participating_owners=part_owners,
        approving_area=(part_area * approval).quantize(_CENT),
        approving_owners=int(part_owners * approval),
    )


async def _objection_demo(
    session: AsyncSession, rng: random.Random, today: date, counts: dict[str, int]
) -> None:
    """The loaded records waiting for an objection's decision get their objection; restored
    ones get their restoration day."""
    records = (
        await session.scalars(
            sa.select(OwnerCreditRecord)
            .where(
                OwnerCreditRecord.status.in_(
                    (OwnerCreditStatus.OBJECTION_PENDING, OwnerCreditStatus.RESTORED)
                )
            )
            .order_by(OwnerCreditRecord.id)
        )
    ).all()
    for record in records:
        last = min(record.valid_until or today, today)
        if record.status is OwnerCreditStatus.RESTORED:
            record.ended_on = random_date(rng, record.recorded_on, last)
            continue
        if record.recorded_by_id is None:
            continue
        session.add(
            OwnerCreditObjection(
                record_id=record.id,
                filed_on=random_date(rng, record.recorded_on, last),
                reason=rng.choice(OBJECTION_REASONS),
                filed_by_id=record.recorded_by_id,
            )
        )
        counts["owner_credit_objections"] += 1
