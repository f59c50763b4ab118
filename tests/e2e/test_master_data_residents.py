"""Residents as master data over GraphQL: registered, changed and retired sealed and
blind-indexed, audited with personal data masked, and listed by ``Compound.residents`` — masked
unless a role with pii asks unmasked (one pii.read entry per resident), only in the caller's
jurisdiction, in a constant number of statements whatever the page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from hub.config import Settings
from hub.domain.access import Role
from hub.domain.crypto import blind_index
from hub.graphql.context import make_context
from hub.graphql.relay import decode_global_id, encode_global_id
from hub.graphql.schema import build_schema
from hub.services import identity, parameters
from hub.services.personal_data import open_resident
from hub.store.models import AuditEntry, Compound, Jurisdiction, Resident
from tests.conftest import DEMO_TODAY, GraphQLCall, StatementCounter
from tests.factories import resident_id_number

GqlAs = Callable[[str | None], Awaitable[GraphQLCall]]
Execute = Callable[..., Awaitable[tuple[dict[str, Any], str]]]
SCHEMA = build_schema()
COMMUNITY = "150627100001"
COMMUNITY_UNIT = f"community-{COMMUNITY}"
NAME, PHONE = "王晓梅", "13987654321"

PAYLOAD = """
    __typename
    ... on ValidationFailed { message field problems { field code message } }
    ... on NotPermitted { message }
"""
SUCCESS = """... on ResidentChangeSuccess {
      resident { id kind name idNumber phone building room floorArea retiredAt }
      changes { field before after }
    }"""
CREATE = f"""mutation($input: ResidentCreateInput!) {{
  residentCreate(input: $input) {{ {SUCCESS} {PAYLOAD} }}
}}"""
UPDATE = f"""mutation($id: ID!, $input: ResidentUpdateInput!) {{
  residentUpdate(id: $id, input: $input) {{ {SUCCESS} {PAYLOAD} }}
}}"""
RETIRE = f"""mutation($id: ID!, $reason: String!) {{
  residentRetire(id: $id, reason: $reason) {{ {SUCCESS} {PAYLOAD} }}
}}"""
LIST = """query($id: ID!, $first: Int!, $after: String, $filter: ResidentFilterInput,
               $unmasked: Boolean!) {
  node(id: $id) {
    ... on Compound {
      residents(first: $first, after: $after, filter: $filter) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { id kind building room name(unmasked: $unmasked) idNumber(unmasked: $unmasked)
                phone(unmasked: $unmasked) }
      }
    }
  }
}"""


@dataclass(frozen=True)
class Home:
    compound_id: int
    compound: str  # global ID
    code: str
    other: str  # global ID of a compound of another community


@pytest.fixture
async def home(session: AsyncSession) -> Home:
    """The first compound of the demo's first community, and one of another community."""
    rows = (
        await session.execute(
            sa.select(Compound.id, Compound.code, Jurisdiction.code)
            .join(Jurisdiction, Jurisdiction.id == Compound.community_id)
            .order_by(Compound.id)
        )
    ).all()
    mine = next(r for r in rows if r[2] == COMMUNITY)
    other = next(r for r in rows if r[2] != COMMUNITY)
    return Home(
        mine[0],
        encode_global_id("Compound", mine[0]),
        mine[1],
        encode_global_id("Compound", other[0]),
    )


def resident_input(home: Home, **fields: Any) -> dict[str, Any]:
    return {
        "compoundCode": home.code,
        "kind": "OWNER",
        "name": NAME,
        "idNumber": resident_id_number(),
        "phone": PHONE,
        "building": "9号楼",
        "room": "9-901",
        "floorArea": 88.5,
        **fields,
    }


def problems(result: dict[str, Any]) -> dict[str, str]:
    assert result["__typename"] == "ValidationFailed", result
    return {p["field"]: p["code"] for p in result["problems"]}


async def entries(session: AsyncSession, action: str) -> list[AuditEntry]:
    stmt = sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list((await session.scalars(stmt)).all())


def assert_nothing_personal(entry: AuditEntry, *values: str) -> None:
    """No value in the clear anywhere in the entry (its detail as stored)."""
    text = repr(entry.detail) + repr(entry.fields) + repr(entry.subject_id)
    for value in values:
        assert value not in text, f"{value!r} in the clear in the audit entry"


async def test_a_community_registers_a_resident_sealed_and_audited_masked(
    gql_as: GqlAs, session: AsyncSession, settings: Settings, home: Home
) -> None:
    """residentCreate stores name, ID number and phone sealed and the ID number blind-indexed;
    the answer and the audit entry show them masked, never in the clear."""
    gql = await gql_as(COMMUNITY_UNIT)
    given = resident_input(home)
    body = await gql(CREATE, input=given)
    result = body["data"]["residentCreate"]
    assert result["__typename"] == "ResidentChangeSuccess", result
    assert result["resident"]["name"] == "王**" and result["resident"]["phone"] == "139****4321"
    assert (
        result["resident"]["idNumber"].startswith("150627")
        and "*" in result["resident"]["idNumber"]
    )

    keyring = parameters.pii_keyring(settings)
    row = await session.scalar(
        sa.select(Resident).where(
            Resident.id_number_index == blind_index(keyring, given["idNumber"])
        )
    )
    assert row is not None and row.compound_id == home.compound_id
    assert NAME not in row.name_encrypted and given["idNumber"] not in row.id_number_encrypted
    assert open_resident(keyring, row).id_number == given["idNumber"]

    entry = (await entries(session, "residentCreate"))[-1]
    assert entry.outcome == "ok" and entry.subject_type == "Resident"
    assert_nothing_personal(entry, NAME, given["idNumber"], PHONE)
    assert entry.detail is not None
    changes = entry.detail["changes"]
    assert changes["name"] == {"before": None, "after": "王**"}
    assert changes["phone"]["after"] == "139****4321"
    assert (
        changes["building"]["after"] == "9号楼" and changes["compound_code"]["after"] == home.code
    )


async def test_resident_fields_are_checked_each_with_its_code(gql: GraphQLCall, home: Home) -> None:
    """A wrong check digit, a phone of 8 digits, an unknown compound and an empty room are
    refused together, each with its stable code and a Chinese reason that repeats no value."""
    number = resident_id_number()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    body = await gql(
        CREATE,
        input=resident_input(home, idNumber=wrong, phone="99887766", room=" ", compoundCode="nope"),
    )
    result = body["data"]["residentCreate"]
    assert problems(result) == {
        "idNumber": "ID_NUMBER_CHECK_DIGIT",
        "phone": "PHONE_FORMAT",
        "room": "REQUIRED",
        "compoundCode": "NOT_FOUND",
    }
    reasons = {p["field"]: p["message"] for p in result["problems"]}
    assert reasons["idNumber"] == "身份证号校验位错误"
    assert wrong not in result["message"] and "99887766" not in result["message"]


async def test_the_same_person_twice_in_the_same_home_is_refused(
    gql: GraphQLCall, home: Home
) -> None:
    """Same compound, same ID number (blind index) and same home: DUPLICATE; the same person in
    another room of the compound is another resident."""
    given = resident_input(home)
    first = await gql(CREATE, input=given)
    assert first["data"]["residentCreate"]["__typename"] == "ResidentChangeSuccess"
    again = await gql(CREATE, input={**given, "name": "王晓梅", "kind": "OCCUPANT"})
    assert problems(again["data"]["residentCreate"]) == {"idNumber": "DUPLICATE"}
    elsewhere = await gql(CREATE, input={**given, "room": "9-902"})
    assert elsewhere["data"]["residentCreate"]["__typename"] == "ResidentChangeSuccess"


async def test_a_residents_change_is_audited_with_masked_before_and_after(
    gql_as: GqlAs, session: AsyncSession, home: Home
) -> None:
    """residentUpdate of the phone and the name: the entry has both masked before and after,
    and only the fields that changed."""
    gql = await gql_as(COMMUNITY_UNIT)
    created = await gql(CREATE, input=resident_input(home))
    resident = created["data"]["residentCreate"]["resident"]["id"]
    body = await gql(UPDATE, id=resident, input={"phone": "0477-8581234", "name": "李建国"})
    result = body["data"]["residentUpdate"]
    assert result["__typename"] == "ResidentChangeSuccess", result
    assert result["resident"]["phone"] == "0477-***1234"
    entry = (await entries(session, "residentUpdate"))[-1]
    assert_nothing_personal(entry, NAME, PHONE, "李建国", "8581234")
    assert entry.detail is not None
    assert entry.detail["changes"] == {
        "name": {"before": "王**", "after": "李**"},
        "phone": {"before": "139****4321", "after": "0477-***1234"},
    }
    unchanged = await gql(UPDATE, id=resident, input={"building": "9号楼"})
    assert unchanged["data"]["residentUpdate"]["changes"] == []


async def test_residents_stay_in_the_jurisdiction(gql_as: GqlAs, home: Home) -> None:
    """Another community cannot register a resident in this compound, change one there, or list
    them; a department manages no resident."""
    ours = await gql_as(COMMUNITY_UNIT)
    created = await ours(CREATE, input=resident_input(home))
    resident = created["data"]["residentCreate"]["resident"]["id"]
    theirs = await gql_as("community-150627100002")
    body = await theirs(CREATE, input=resident_input(home))
    assert problems(body["data"]["residentCreate"]) == {"compoundCode": "NOT_FOUND"}
    body = await theirs(UPDATE, id=resident, input={"room": "1-1"})
    assert body["data"]["residentUpdate"]["field"] == "id"
    listed = await theirs(LIST, id=home.compound, first=5, unmasked=False)
    assert listed["errors"][0]["extensions"]["code"] == "NOT_FOUND"  # not theirs to see
    department = await gql_as("cgj")
    body = await department(CREATE, input=resident_input(home))
    assert body["data"]["residentCreate"]["__typename"] == "NotPermitted"


async def test_a_retired_resident_drops_out_of_the_compounds_list(
    gql: GraphQLCall, session: AsyncSession, home: Home
) -> None:
    """After residentRetire the resident is not listed nor counted; the row stays."""
    created = await gql(CREATE, input=resident_input(home, building="0号楼"))
    resident = created["data"]["residentCreate"]["resident"]["id"]
    before = await gql(LIST, id=home.compound, first=100, unmasked=False)
    listed = before["data"]["node"]["residents"]
    assert resident in [n["id"] for n in listed["nodes"]]
    body = await gql(RETIRE, id=resident, reason="已搬离")
    assert body["data"]["residentRetire"]["resident"]["retiredAt"] is not None
    after = await gql(LIST, id=home.compound, first=100, unmasked=False)
    remaining = after["data"]["node"]["residents"]
    assert resident not in [n["id"] for n in remaining["nodes"]]
    assert remaining["totalCount"] == listed["totalCount"] - 1
    row = await session.get(Resident, decode_global_id(resident)[1])
    assert row is not None and row.retired_reason == "已搬离"


async def test_the_residents_list_is_masked_and_pages_by_home(gql: GraphQLCall, home: Home) -> None:
    """住建局 sees a compound's residents masked, by building and room, in pages that follow
    each other; asking unmasked without the pii permission is FORBIDDEN."""
    first = await gql(LIST, id=home.compound, first=3, unmasked=False)
    page = first["data"]["node"]["residents"]
    assert page["totalCount"] > 3 and page["pageInfo"]["hasNextPage"]
    assert all("*" in n["name"] and "*" in n["idNumber"] for n in page["nodes"])
    homes = [(n["building"], n["room"]) for n in page["nodes"]]
    assert homes == sorted(homes)
    nxt = await gql(
        LIST, id=home.compound, first=3, after=page["pageInfo"]["endCursor"], unmasked=False
    )
    later = nxt["data"]["node"]["residents"]["nodes"]
    assert not {n["id"] for n in later} & {n["id"] for n in page["nodes"]}
    assert (later[0]["building"], later[0]["room"]) >= homes[-1]
    refused = await gql(LIST, id=home.compound, first=3, unmasked=True)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_residents_list_filters_by_kind_building_and_room(
    gql: GraphQLCall, home: Home
) -> None:
    """filter: kind, building and room (never personal data)."""
    created = await gql(CREATE, input=resident_input(home, kind="OCCUPANT", building="88号楼"))
    resident = created["data"]["residentCreate"]["resident"]["id"]
    found = await gql(
        LIST,
        id=home.compound,
        first=10,
        filter={"kind": "OCCUPANT", "building": "88号楼", "room": "9-901"},
        unmasked=False,
    )
    assert [n["id"] for n in found["data"]["node"]["residents"]["nodes"]] == [resident]
    owners = await gql(
        LIST,
        id=home.compound,
        first=10,
        filter={"kind": "OWNER", "building": "88号楼"},
        unmasked=False,
    )
    assert owners["data"]["node"]["residents"]["totalCount"] == 0


@pytest.fixture
def execute(connection: AsyncConnection, settings: Settings) -> Execute:
    """Run a document as a unit, in-process; returns the body and the request id.

    Its sessions join the test's transaction without savepoints of their own (as in
    ``test_personal_data``): with savepoints the request's read session, ended last, would roll
    back to a savepoint taken before the pii.read entries were written.
    """
    sessionmaker = async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="rollback_only"
    )

    async def run(query: str, unit_code: str, **variables: Any) -> tuple[dict[str, Any], str]:
        async with sessionmaker() as session:
            unit = await identity.get_unit_or_raise(session, code=unit_code)
            viewer = await identity.get_principal(
                session, unit=unit, role=Role(unit.role.value), client="test"
            )
        context = make_context(settings, sessionmaker, now=DEMO_TODAY, viewer=viewer)
        result = await SCHEMA.execute(query, variable_values=variables, context_value=context)
        assert not result.errors, result.errors
        return {"data": result.data}, context.request_id

    return run


async def test_a_community_reads_its_residents_unmasked_one_audit_entry_each(
    gql_as: GqlAs, execute: Execute, session: AsyncSession, home: Home
) -> None:
    """A community (pii) asking unmasked gets the clear values, and one pii.read entry per
    resident read, naming the fields read."""
    gql = await gql_as(COMMUNITY_UNIT)
    given = resident_input(home, building="00号楼")
    await gql(CREATE, input=given)
    body, request_id = await execute(LIST, COMMUNITY_UNIT, id=home.compound, first=4, unmasked=True)
    nodes = body["data"]["node"]["residents"]["nodes"]
    assert nodes[0]["idNumber"] == given["idNumber"] and nodes[0]["name"] == NAME
    reads = [e for e in await entries(session, "pii.read") if e.request_id == request_id]
    assert len(reads) == len(nodes) == 4
    assert {r.subject_type for r in reads} == {"Resident"}
    assert {r.actor_unit for r in reads} == {COMMUNITY_UNIT}
    assert {r.subject_id for r in reads} == {str(decode_global_id(n["id"])[1]) for n in nodes}
    assert all(set((r.fields or "").split(",")) == {"name", "id_number", "phone"} for r in reads)
    masked, _ = await execute(LIST, COMMUNITY_UNIT, id=home.compound, first=4, unmasked=False)
    assert all("*" in n["name"] for n in masked["data"]["node"]["residents"]["nodes"])


NESTED = """query($first: Int!) {
  compounds(first: $first) {
    nodes { code residents(first: 5) { totalCount nodes { building room name kind } } }
  }
}"""


async def test_nested_residents_cost_the_same_statements_for_any_page(
    gql: GraphQLCall, count_statements: Callable[[], StatementCounter]
) -> None:
    """compounds { residents(first: 5) } runs the same number of SELECTs for 1, 10 and 50
    compounds: one for the pages of all of them, one for their counts."""

    async def selects(first: int) -> int:
        counter = count_statements()
        body = await gql(NESTED, first=first)
        assert "errors" not in body, body["errors"]
        nodes = body["data"]["compounds"]["nodes"]
        assert len(nodes) == first and all(n["residents"]["nodes"] for n in nodes)
        return len([s for s in counter.statements if s.lstrip().upper().startswith("SELECT")])

    counts = [await selects(first) for first in (1, 10, 50)]
    assert counts[0] == counts[1] == counts[2], counts
