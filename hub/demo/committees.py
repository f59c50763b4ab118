"""Demo owners' committees (R9): terms of at most five years and their members.

About two thirds of the compounds have a committee, fewer among the newest compounds, which have
not held an owners' assembly yet. About one in ten committees let its last term expire. Members are
drawn from the compound's owners, so re-elections bring back some of the same people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from hub.demo.common import Context, Row, add_years, random_date
from hub.demo.geography import Geography
from hub.demo.identities import mobile, person_name
from hub.demo.residents import Residents
from hub.domain.enums import CommitteeMemberRole, CommitteeStatus

EXPIRED_SHARE = 0.11  # asked for; a few fall back to active where no expired term fits
LEFT_REASONS = ("房屋出售", "连续缺席", "个人原因辞职", "迁出本小区", "被业主大会罢免")
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
        left_on, left_reason = None, None
        last_day = min(ends_on, ctx.today) - _DAY
        if rng.random() < 0.06 and last_day > starts_on + timedelta(days=60):
            left_on = random_date(rng, starts_on + timedelta(days=60), last_day)
            left_reason = rng.choice(LEFT_REASONS)
        ctx.add(
            out.members,
            term_id=term_id,
            name=name,
            phone=phone,
            role=role,
            joined_on=starts_on,
            left_on=left_on,
            left_reason=left_reason,
        )
