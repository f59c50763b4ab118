"""Owner credit workflows over GraphQL (R11): a community records an entry; an objection
suspends it (the public self-check's grade changes) until decided; a restoration ends it early.
The resident's ID number never appears in an answer or an error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.config import Settings
from hub.services.parameters import pii_keyring
from hub.store.models import Compound, Jurisdiction, OwnerCreditRecord, Resident
from tests.factories import add_resident, community_unit_of, first_compound, global_id

GQL = Callable[..., Awaitable[dict[str, Any]]]

RESULT = """
    __typename
    ... on OwnerCreditRecordChanged {
      record { id status inEffect endedOn }
      objection { id upheld }
    }
    ... on ValidationFailed { message field }
    ... on NotPermitted { message }
"""


def _mutation(field: str, input_type: str) -> str:
    return f"mutation M($input: {input_type}!) {{ {field}(input: $input) {{ {RESULT} }} }}"


CREATE = _mutation("ownerCreditRecordCreate", "OwnerCreditRecordInput")
OBJECT = _mutation("ownerCreditObjectionFile", "OwnerCreditObjectionInput")
DECIDE = _mutation("ownerCreditObjectionDecide", "OwnerCreditObjectionDecisionInput")
RESTORE = _mutation("ownerCreditRestore", "OwnerCreditRestoreInput")
CHECK = """
query Check($idNumber: String!, $name: String!) {
  ownerCredit(idNumber: $idNumber, name: $name) { grade badRecords }
}
"""


@dataclass(frozen=True)
class Person:
    unit: str
    compound: str
    id_number: str
    name: str

    def __repr__(self) -> str:
        return f"Person(unit={self.unit!r})"


@pytest.fixture
async def person(session: AsyncSession, settings: Settings) -> Person:
    """A new resident (no credit record), and the unit of their community."""
    compound = await first_compound(session)
    # One home and a fresh ID number: the self-check's grade is about this record alone.
    resident = await add_resident(session, keyring=pii_keyring(settings), compound_id=compound.id)
    await session.commit()
    return Person(
        unit=await community_unit_of(session, compound),
        compound=global_id(compound),
        id_number=resident.data.id_number,
        name=resident.data.name,
    )


async def record(gql: GQL, person: Person, **extra: Any) -> dict[str, Any]:
    body = await gql(
        CREATE,
        input={
            "compoundId": person.compound,
            "idNumber": person.id_number,
            "name": person.name,
            "category": "FIRE_LANE_BLOCKING",
            "basis": "伊金霍洛旗消防救援大队行政处罚决定书（2026）第12号",
            "recordedOn": "2026-10-01",
            "validUntil": "2027-09-30",
            **extra,
        },
    )
    assert person.id_number not in str(body)
    return dict(body["data"]["ownerCreditRecordCreate"])


async def grade(public_gql: GQL, person: Person) -> str:
    body = await public_gql(CHECK, idNumber=person.id_number, name=person.name)
    return str(body["data"]["ownerCredit"]["grade"])


async def test_an_objection_suspends_a_record_until_decided(
    gql_as: Callable[[str], Awaitable[GQL]], public_gql: GQL, person: Person
) -> None:
    """WARNING while the record counts, NORMAL while the objection is pending, WARNING again
    when it is rejected; a second objection upheld revokes it for good."""
    gql = await gql_as(person.unit)
    before = await grade(public_gql, person)
    created = await record(gql, person)
    assert created["__typename"] == "OwnerCreditRecordChanged", created
    record_id = created["record"]["id"]
    assert await grade(public_gql, person) == "WARNING" != before

    filed = (await gql(OBJECT, input={"recordId": record_id, "reason": "车辆当日已移走"}))["data"][
        "ownerCreditObjectionFile"
    ]
    assert filed["record"]["status"] == "OBJECTION_PENDING"
    assert filed["record"]["inEffect"] is False
    assert await grade(public_gql, person) == before

    decision = {"objectionId": filed["objection"]["id"], "upheld": False, "note": "证据不足"}
    rejected = (await gql(DECIDE, input=decision))["data"]["ownerCreditObjectionDecide"]
    assert rejected["record"]["status"] == "ACTIVE"
    assert await grade(public_gql, person) == "WARNING"
    again = (await gql(DECIDE, input=decision))["data"]["ownerCreditObjectionDecide"]
    assert again["__typename"] == "ValidationFailed"

    filed = (await gql(OBJECT, input={"recordId": record_id, "reason": "处罚决定已撤销"}))["data"][
        "ownerCreditObjectionFile"
    ]
    upheld = (
        await gql(
            DECIDE,
            input={"objectionId": filed["objection"]["id"], "upheld": True, "note": "复议撤销"},
        )
    )["data"]["ownerCreditObjectionDecide"]
    assert upheld["record"]["status"] == "REVOKED"
    assert await grade(public_gql, person) == before


async def test_restoration_ends_a_record_early(
    gql_as: Callable[[str], Awaitable[GQL]], public_gql: GQL, person: Person
) -> None:
    """信用修复 on a day ends the record from that day on; a second restoration is refused."""
    gql = await gql_as(person.unit)
    created = await record(gql, person)
    record_id = created["record"]["id"]
    restored = (await gql(RESTORE, input={"recordId": record_id, "restoredOn": "2026-11-20"}))[
        "data"
    ]["ownerCreditRestore"]
    assert restored["record"]["status"] == "RESTORED"
    assert restored["record"]["endedOn"] == "2026-11-20"
    assert restored["record"]["inEffect"] is False
    assert await grade(public_gql, person) != "WARNING"
    again = (await gql(RESTORE, input={"recordId": record_id}))["data"]["ownerCreditRestore"]
    assert again["__typename"] == "ValidationFailed" and again["field"] == "recordId"


async def test_records_need_the_resident_and_the_jurisdiction(
    gql_as: Callable[[str], Awaitable[GQL]], gql: GQL, person: Person
) -> None:
    """A wrong name is refused without echoing the ID number; another town's unit does not
    find the compound; 住建局 may not write owner credit."""
    community = await gql_as(person.unit)
    wrong = await record(community, person, name=person.name + "某")
    assert wrong["__typename"] == "ValidationFailed" and wrong["field"] == "idNumber"
    other = await gql_as("town-150627101")
    assert (await record(other, person))["__typename"] == "ValidationFailed"
    assert (await record(gql, person))["__typename"] == "NotPermitted"
    future = await record(community, person, recordedOn="2027-01-01")
    assert future["field"] == "recordedOn"


LIST = """
query L($compound: ID) {
  ownerCreditRecords(first: 50, filter: {compoundId: $compound}) {
    totalCount
    nodes { id residentName compoundCode status basis objections { reason upheld } }
  }
}
"""


async def test_the_keeping_unit_lists_its_records_masked(
    gql_as: Callable[[str], Awaitable[GQL]], gql: GQL, person: Person
) -> None:
    """The community lists its records with the resident's name masked and no ID number;
    another town sees none of them; 住建局 may not read them."""
    community = await gql_as(person.unit)
    created = await record(community, person)
    body = await community(LIST, compound=person.compound)
    assert person.id_number not in str(body) and person.name not in str(body)
    nodes = body["data"]["ownerCreditRecords"]["nodes"]
    mine = next(n for n in nodes if n["id"] == created["record"]["id"])
    assert mine["residentName"].startswith(person.name[0]) and "*" in mine["residentName"]
    other = await gql_as("town-150627101")
    body = await other(LIST, compound=person.compound)
    assert body["data"]["ownerCreditRecords"]["totalCount"] == 0
    body = await gql(LIST, compound=person.compound)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_demo_objections_belong_to_pending_records(
    gql_as: Callable[[str], Awaitable[GQL]], session: AsyncSession
) -> None:
    """Each demo record waiting for an objection's decision has its undecided objection."""
    row = (
        await session.execute(
            sa.select(Jurisdiction.code)
            .join(Compound, Compound.community_id == Jurisdiction.id)
            .join(Resident, Resident.compound_id == Compound.id)
            .join(OwnerCreditRecord, OwnerCreditRecord.resident_id == Resident.id)
            .where(OwnerCreditRecord.status == "OBJECTION_PENDING")
            .limit(1)
        )
    ).one()
    gql = await gql_as(f"community-{row.code}")
    query = """{ ownerCreditRecords(first: 100, filter: {status: OBJECTION_PENDING}) {
      nodes { objections { upheld } } } }"""
    nodes = (await gql(query))["data"]["ownerCreditRecords"]["nodes"]
    assert nodes
    assert all(n["objections"] and n["objections"][-1]["upheld"] is None for n in nodes)
