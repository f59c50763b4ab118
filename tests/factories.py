"""Test data factories: the records tests need again and again, valid by default.

A test names only the field it is about and takes the rest from here, so that a rule of the
hub changing one default (a term's length, a phone's shape) is mended in one place, and so that
what a test passes explicitly is what it tests.

Two kinds:
- GraphQL factories take the test's ``GraphQLCall`` (``tests.conftest``), run a mutation as
  that caller and return the created object; they assert that the mutation succeeded, with the
  payload in the message. For a refusal, a test sends the document here with the input built by
  the ``*_input`` / ``*_variables`` function beside it, overriding the refused field.
- Store factories take an ``AsyncSession`` and add one row the way a sync or an old import would
  leave it (no workflow, no audit entry); they flush, so the row has its id, and never commit.

Values are generated, never real: ID numbers carry their GB 11643 check digit and birth dates
after the demo residents' (born 1950–2000), so they never meet a demo resident; phones are mobile
numbers that ``hub.domain.pii.parse_phone`` accepts.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import ledger as rules
from hub.domain.crypto import Keyring
from hub.domain.enums import (
    ConnectionTaskKind,
    ConnectionTaskStatus,
    ResidentKind,
    SelectionMethod,
    UtilityKind,
)
from hub.domain.identifiers import resident_id_check_digit
from hub.graphql.relay import encode_global_id
from hub.services.personal_data import ResidentData, seal_row
from hub.store import models as m
from hub.store.models import LedgerItem
from tests.conftest import DEMO_TODAY, GraphQLCall


def _succeeded(body: dict[str, Any], mutation: str, success: str) -> dict[str, Any]:
    """The mutation's payload, asserted to be its success member."""
    payload = (body.get("data") or {}).get(mutation)
    assert payload is not None and payload.get("__typename") == success, body
    result: dict[str, Any] = payload
    return result


def _given(**fields: Any) -> dict[str, Any]:
    """The fields that have a value (an optional input left out is the schema's default)."""
    return {name: value for name, value in fields.items() if value is not None}


def global_id(compound: m.Compound) -> str:
    """The compound's global ID, as GraphQL inputs take it."""
    return encode_global_id("Compound", compound.id)


async def first_compound_id(call: GraphQLCall) -> str:
    """The global ID of the first compound the caller sees."""
    body = await call("{ compounds(first: 1) { nodes { id } } }")
    return str(body["data"]["compounds"]["nodes"][0]["id"])


async def first_compound(session: AsyncSession) -> m.Compound:
    """The demo data's first compound (by id)."""
    compound = await session.scalar(sa.select(m.Compound).order_by(m.Compound.id).limit(1))
    assert compound is not None, "the demo data has no compound"
    return compound


async def community_unit_of(session: AsyncSession, compound: m.Compound) -> str:
    """The unit code of the compound's community (``community-<code>``), which may write there."""
    code = await session.scalar(
        sa.select(m.Jurisdiction.code).where(m.Jurisdiction.id == compound.community_id)
    )
    assert code is not None
    return f"community-{code}"


# --- ledger items (台账, R3) -------------------------------------------------------------------

LEDGER_ITEM_CREATE = """mutation($compoundId: ID!, $title: String!, $channel: LedgerChannel!,
                 $category: LedgerCategory!, $severity: LedgerSeverity!, $description: String) {
  ledgerItemCreate(compoundId: $compoundId, title: $title, channel: $channel,
                   category: $category, severity: $severity, description: $description) {
    __typename
    ... on LedgerItemSuccess { item { id title level status assignedUnit deadline reportedBy } }
    ... on ValidationFailed { message field }
    ... on NotPermitted { message }
  }
}"""


def ledger_item_variables(
    *,
    compound_id: str,
    title: str = "消防通道被占用",
    channel: str = "COMPLAINT",
    category: str = "FIRE_SAFETY",
    severity: str = "HIGH",
    description: str | None = None,
) -> dict[str, Any]:
    """The variables of ``LEDGER_ITEM_CREATE``: a complaint about a blocked fire lane."""
    return _given(
        compoundId=compound_id,
        title=title,
        channel=channel,
        category=category,
        severity=severity,
        description=description,
    )


async def create_ledger_item(
    call: GraphQLCall,
    *,
    compound_id: str | None = None,
    title: str = "消防通道被占用",
    channel: str = "COMPLAINT",
    category: str = "FIRE_SAFETY",
    severity: str = "HIGH",
    description: str | None = None,
) -> dict[str, Any]:
    """An item reported by the caller (in the first compound it sees, unless given); the item:
    ``id title level status assignedUnit deadline reportedBy``."""
    variables = ledger_item_variables(
        compound_id=compound_id or await first_compound_id(call),
        title=title,
        channel=channel,
        category=category,
        severity=severity,
        description=description,
    )
    body = await call(LEDGER_ITEM_CREATE, **variables)
    item: dict[str, Any] = _succeeded(body, "ledgerItemCreate", "LedgerItemSuccess")["item"]
    return item


async def add_ledger_item(
    session: AsyncSession,
    *,
    compound: m.Compound,
    title: str = "消防设施损坏",
    channel: rules.Channel = rules.Channel.SWEEP,
    category: rules.Category = rules.Category.FIRE_SAFETY,
    severity: rules.Severity = rules.Severity.HIGH,
    reported_by: str = rules.DEFAULT_DEPARTMENT,
    reported_level: rules.Level = rules.Level.DEPARTMENT,
    reported_at: datetime = DEMO_TODAY,
    level: rules.Level = rules.Level.DEPARTMENT,
    assigned_unit: str | None = None,
    status: rules.Status = rules.Status.REPORTED,
    deadline: datetime | None = None,
) -> LedgerItem:
    """An item row alone (no history event): by default reported by 住建局 in a sweep, at the
    department level, assigned to the department of its category, due by its severity."""
    item = LedgerItem(
        title=title,
        channel=channel,
        category=category,
        severity=severity,
        compound_id=compound.id,
        community_id=compound.community_id,
        town_id=compound.town_id,
        reported_by=reported_by,
        reported_level=reported_level,
        reported_at=reported_at,
        level=level,
        assigned_unit=assigned_unit or rules.department_for(category),
        status=status,
        deadline=deadline or rules.deadline(severity, since=reported_at),
    )
    session.add(item)
    await session.flush()
    return item


# --- owners' committees (R9) -------------------------------------------------------------------

COMMITTEE_ELECTION_RECORD = """
mutation Elect($input: CommitteeElectionInput!) {
  committeeElectionRecord(input: $input) {
    __typename
    ... on CommitteeElectionRecordSuccess {
      committee { id foundedOn status awaitingReelection }
      term { termNo startsOn endsOn members { role name phone } }
    }
    ... on ValidationFailed { message field }
    ... on NotPermitted { message }
  }
}
"""

_GIVEN_FIRST = "一二三四五六七八九十百千"
_GIVEN_SECOND = "甲乙丙丁戊己庚辛壬癸子丑"


def committee_members(
    count: int = 5, *, surname: str = "王", phones: Sequence[str | None] | None = None
) -> list[dict[str, Any]]:
    """``count`` members for an election: a chair, a vice chair, the rest members; distinct
    two-character given names after ``surname``; distinct mobiles unless ``phones`` are given
    (one per member, None for none)."""
    if phones is not None and len(phones) != count:
        raise ValueError(f"{len(phones)} phones for {count} members")
    roles = ["CHAIR", "VICE_CHAIR"] + ["MEMBER"] * (count - 2)
    return [
        {
            "name": surname + _GIVEN_FIRST[n % 12] + _GIVEN_SECOND[n // 12 % 12],
            "phone": f"1380000{n:04d}" if phones is None else phones[n],
            "role": role,
        }
        for n, role in enumerate(roles)
    ]


def election_input(
    *,
    compound_id: str,
    members: list[dict[str, Any]] | None = None,
    assembly_held_on: str = "2026-10-20",
    starts_on: str = "2026-11-01",
    ends_on: str = "2031-10-31",
) -> dict[str, Any]:
    """A ``CommitteeElectionInput``: five members elected for the longest term (five years)."""
    return {
        "compoundId": compound_id,
        "assemblyHeldOn": assembly_held_on,
        "startsOn": starts_on,
        "endsOn": ends_on,
        "members": committee_members() if members is None else members,
    }


async def elect_committee(
    call: GraphQLCall,
    *,
    compound_id: str,
    members: list[dict[str, Any]] | None = None,
    assembly_held_on: str = "2026-10-20",
    starts_on: str = "2026-11-01",
    ends_on: str = "2031-10-31",
) -> dict[str, Any]:
    """A committee elected in the compound by the caller (founded, or a new term of the one
    there); the success payload: ``committee`` and ``term`` with its ``members``."""
    input_ = election_input(
        compound_id=compound_id,
        members=members,
        assembly_held_on=assembly_held_on,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    body = await call(COMMITTEE_ELECTION_RECORD, input=input_)
    return _succeeded(body, "committeeElectionRecord", "CommitteeElectionRecordSuccess")


# --- the special maintenance fund (R5) ---------------------------------------------------------

FUND_APPLICATION_CREATE = """
mutation Create($input: FundApplicationInput!) {
  fundApplicationCreate(input: $input) {
    __typename
    ... on FundApplicationCreateSuccess { application { id status amount compound { code } } }
    ... on ValidationFailed { message field }
    ... on NotPermitted { message }
  }
}
"""


def fund_application_input(
    *,
    compound_id: str,
    purpose: str = "3号楼屋面防水维修",
    amount: str = "120000.00",
    executor: str = "ENTERPRISE",
    executor_name: str | None = None,
    applied_on: str | None = "2026-11-01",
) -> dict[str, Any]:
    """A ``FundApplicationInput``: a roof repair carried out by the enterprise."""
    return _given(
        compoundId=compound_id,
        purpose=purpose,
        amount=amount,
        executor=executor,
        executorName=executor_name,
        appliedOn=applied_on,
    )


async def create_fund_application(
    call: GraphQLCall,
    *,
    compound_id: str,
    purpose: str = "3号楼屋面防水维修",
    amount: str = "120000.00",
    executor: str = "ENTERPRISE",
    executor_name: str | None = None,
    applied_on: str | None = "2026-11-01",
) -> dict[str, Any]:
    """An application made by the caller; the application: ``id status amount compound``."""
    input_ = fund_application_input(
        compound_id=compound_id,
        purpose=purpose,
        amount=amount,
        executor=executor,
        executor_name=executor_name,
        applied_on=applied_on,
    )
    body = await call(FUND_APPLICATION_CREATE, input=input_)
    payload = _succeeded(body, "fundApplicationCreate", "FundApplicationCreateSuccess")
    application: dict[str, Any] = payload["application"]
    return application


# --- post-warranty repairs (R4) ----------------------------------------------------------------

REPAIR_PROJECT_CREATE = """mutation($input: RepairProjectCreateInput!) {
  repairProjectCreate(input: $input) {
  __typename ... on RepairProjectCreateSuccess { project { id status awaiting
    enterprise { uscc } } }
  ... on ValidationFailed { message field } ... on NotPermitted { message } } }"""


def repair_project_input(
    *,
    compound_id: str,
    title: str = "屋面防水维修",
    completed_on: str = "2026-11-01",
    subsidy_yuan: float = 80_000,
    enterprise_id: str | None = None,
) -> dict[str, Any]:
    """A ``RepairProjectCreateInput``: a roof repair finished on 2026-11-01, by the enterprise
    serving the compound unless given."""
    return _given(
        compoundId=compound_id,
        title=title,
        completedOn=completed_on,
        subsidyYuan=subsidy_yuan,
        enterpriseId=enterprise_id,
    )


async def create_repair_project(
    call: GraphQLCall,
    *,
    compound_id: str,
    title: str = "屋面防水维修",
    completed_on: str = "2026-11-01",
    subsidy_yuan: float = 80_000,
    enterprise_id: str | None = None,
) -> dict[str, Any]:
    """A project created by the caller; the project: ``id status awaiting enterprise``."""
    input_ = repair_project_input(
        compound_id=compound_id,
        title=title,
        completed_on=completed_on,
        subsidy_yuan=subsidy_yuan,
        enterprise_id=enterprise_id,
    )
    body = await call(REPAIR_PROJECT_CREATE, input=input_)
    project: dict[str, Any] = _succeeded(body, "repairProjectCreate", "RepairProjectCreateSuccess")[
        "project"
    ]
    return project


# --- residents ---------------------------------------------------------------------------------

_SEQUENCE = itertools.count(101)


def resident_id_number(*, area: str = "150627", born: date = date(2003, 3, 3)) -> str:
    """A valid (GB 11643) resident ID number, different at each call: 伊金霍洛旗, born after
    every demo resident."""
    body = f"{area}{born:%Y%m%d}{next(_SEQUENCE) % 1000:03d}"
    return body + resident_id_check_digit(body)


class AddedResident(NamedTuple):
    """A resident row and its personal data in the clear (for the test to send back)."""

    row: m.Resident
    data: ResidentData


async def add_resident(
    session: AsyncSession,
    *,
    keyring: Keyring,
    compound_id: int,
    name: str = "李明远",
    id_number: str | None = None,
    phone: str | None = "13912345678",
    kind: ResidentKind = ResidentKind.OWNER,
    building: str = "1号楼",
    room: str = "1-101",
    floor_area: float = 90.0,
) -> AddedResident:
    """An owner of one home, sealed with ``keyring`` as the hub stores residents; a fresh ID
    number unless given (so no other home and no credit record is theirs)."""
    data = ResidentData(name=name, id_number=id_number or resident_id_number(), phone=phone)
    row = m.Resident(
        compound_id=compound_id,
        kind=kind,
        name_encrypted="",
        id_number_encrypted="",
        id_number_index="",
        building=building,
        room=room,
        floor_area=floor_area,
    )
    session.add(row)
    await session.flush()  # the sealed values are bound to the row's id
    plain = {"id": row.id, "name": data.name, "id_number": data.id_number, "phone": data.phone}
    for column, value in seal_row(keyring, "residents", plain).items():
        if column != "id":
            setattr(row, column, value)
    await session.flush()
    return AddedResident(row, data)


# --- contracts, awards, utility tasks -----------------------------------------------------------

A_MONTH_AFTER_TODAY = DEMO_TODAY.date() + timedelta(days=30)


async def add_service_contract(
    session: AsyncSession,
    *,
    enterprise_id: int,
    compound_id: int,
    starts_on: date = date(2026, 11, 1),
    ends_on: date | None = None,
    selection: SelectionMethod = SelectionMethod.PRELIMINARY,
) -> m.ServiceContract:
    """The enterprise serving the compound from ``starts_on``, open-ended unless given."""
    contract = m.ServiceContract(
        enterprise_id=enterprise_id,
        compound_id=compound_id,
        starts_on=starts_on,
        ends_on=ends_on,
        selection=selection,
    )
    session.add(contract)
    await session.flush()
    return contract


async def add_tender_award(
    session: AsyncSession,
    *,
    tender_id: int,
    enterprise_id: int,
    awarded_on: date = date(2026, 10, 1),
) -> m.TenderAward:
    """The award of the tender to the enterprise."""
    award = m.TenderAward(tender_id=tender_id, enterprise_id=enterprise_id, awarded_on=awarded_on)
    session.add(award)
    await session.flush()
    return award


async def add_connection_task(
    session: AsyncSession,
    *,
    compound: m.Compound,
    utility: m.MemberUnit,
    utility_kind: UtilityKind | None = None,
    kind: ConnectionTaskKind = ConnectionTaskKind.SERVICE_CONNECTION,
    status: ConnectionTaskStatus = ConnectionTaskStatus.IN_PROGRESS,
    households: int = 120,
    due_on: date | None = A_MONTH_AFTER_TODAY,
    source: str | None = None,
    source_id: str | None = None,
    synced_at: datetime | None = None,
) -> m.ConnectionTask:
    """A utility's task in the compound, in progress and due in a month, of the utility's own
    kind unless given; kept here unless a ``source`` is given."""
    task = m.ConnectionTask(
        compound_id=compound.id,
        utility_id=utility.id,
        utility_kind=utility_kind or utility.utility_kind,
        kind=kind,
        status=status,
        households=households,
        due_on=due_on,
        source=source,
        source_id=source_id,
        synced_at=synced_at,
    )
    session.add(task)
    await session.flush()
    return task
