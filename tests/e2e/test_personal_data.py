"""Personal data over GraphQL: masked by default, unmasked only for roles with the pii
permission (and audited), the public owner-credit self-check, and no personal data in answers,
errors or logs for anyone else.

Roles are given by building the request context with a viewer and executing the schema (the
same execution path as /graphql, minus the credential check of the HTTP layer).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from hub.config import Settings
from hub.demo import DemoDataset, build_dataset
from hub.domain.access import Principal, Role
from hub.domain.identifiers import resident_id_check_digit
from hub.graphql.context import make_context
from hub.graphql.schema import build_schema
from hub.services.audit import PII_READ
from hub.store.models import (
    AuditEntry,
    CommitteeMember,
    CommitteeTerm,
    Compound,
    Jurisdiction,
    OwnersCommittee,
)
from tests.conftest import DEMO_TODAY

SCHEMA = build_schema()
Execute = Callable[..., Awaitable[tuple[dict[str, Any], str]]]

MEMBERS = """
query Members($community: String!, $unmasked: Boolean!) {
  committees(first: 3, filter: {communityCode: $community}) {
    nodes {
      currentTerm {
        members { role name(unmasked: $unmasked) phone(unmasked: $unmasked) }
      }
    }
  }
}
"""

OWNER_CREDIT = """
query Check($idNumber: String!, $name: String!) {
  ownerCredit(idNumber: $idNumber, name: $name) {
    name grade goodRecords badRecords asOf
    compounds { code name }
    records { category status recordedOn validUntil inEffect }
  }
}
"""


@pytest.fixture(scope="module")
def demo() -> DemoDataset:
    """The plain demo data, as loaded (sealed) into the test database."""
    return build_dataset(today=DEMO_TODAY.date())


@pytest.fixture
async def community(session: AsyncSession) -> Principal:
    """A community unit of the demo data whose community has committees, as a principal."""
    row = (
        await session.execute(
            sa.select(Jurisdiction.id, Jurisdiction.code, Jurisdiction.parent_id)
            .join(Compound, Compound.community_id == Jurisdiction.id)
            .join(OwnersCommittee, OwnersCommittee.compound_id == Compound.id)
            .order_by(Jurisdiction.code)
            .limit(1)
        )
    ).one()
    return Principal(
        role=Role.COMMUNITY,
        unit_code=f"community-{row.code}",
        town_id=row.parent_id,
        community_id=row.id,
        client="test",
    )


def principal(role: Role, like: Principal) -> Principal:
    """A principal of ``role`` in the same place as ``like``."""
    return Principal(
        role=role,
        unit_code=None if role is Role.PUBLIC else f"{role.value}-unit",
        town_id=like.town_id if role is Role.TOWN else None,
        community_id=None,
        client=None if role is Role.PUBLIC else "test",
    )


@pytest.fixture
def execute(connection: AsyncConnection, settings: Settings) -> Execute:
    """Run a document as a viewer; returns the result as JSON-like data and the request id.

    Sessions join the test's transaction without savepoints of their own: with savepoints the
    request's read session, ended last, would roll back to a savepoint taken before the audit
    entries were written (in a deployment they are separate connections and transactions).
    """
    sessionmaker = async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="rollback_only"
    )

    async def run(
        query: str, viewer: Principal, *, operation: str | None = None, **variables: Any
    ) -> tuple[dict[str, Any], str]:
        context = make_context(settings, sessionmaker, now=DEMO_TODAY, viewer=viewer)
        result = await SCHEMA.execute(
            query, variable_values=variables, context_value=context, operation_name=operation
        )
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [
                {"message": e.message, "extensions": e.extensions, "path": e.path}
                for e in result.errors
            ]
        return body, context.request_id

    return run


def community_code(viewer: Principal) -> str:
    assert viewer.unit_code is not None
    return viewer.unit_code.removeprefix("community-")


def members_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = body["data"]["committees"]["nodes"]
    return [m for n in nodes if n["currentTerm"] for m in n["currentTerm"]["members"]]


async def audit_entries(session: AsyncSession, request_id: str) -> list[AuditEntry]:
    rows = await session.scalars(sa.select(AuditEntry).where(AuditEntry.request_id == request_id))
    return list(rows.all())


async def test_members_are_masked_by_default_and_nothing_is_audited(
    execute: Execute, community: Principal, session: AsyncSession, demo: DemoDataset
) -> None:
    """Without `unmasked` even a pii role gets 张* and 138****5678, and no audit entry."""
    body, request_id = await execute(
        MEMBERS, community, community=community_code(community), unmasked=False
    )
    assert "errors" not in body
    members = members_of(body)
    assert members
    plain_names = {m["name"] for m in demo.committee_members}
    for member in members:
        assert member["name"].endswith("*") and member["name"] not in plain_names
        assert "****" in member["phone"]
    assert await audit_entries(session, request_id) == []


async def test_unmasked_members_for_a_pii_role_are_written_to_the_audit_log(
    execute: Execute, community: Principal, session: AsyncSession, demo: DemoDataset
) -> None:
    """A community asking `unmasked: true` gets the names and phones in the clear, and one
    audit entry per member read: who, which record, which fields, the operation name."""
    body, request_id = await execute(
        MEMBERS,
        community,
        operation="Members",
        community=community_code(community),
        unmasked=True,
    )
    assert "errors" not in body
    members = members_of(body)
    plain = {(m["name"], m["phone"]) for m in demo.committee_members}
    assert members and all((m["name"], m["phone"]) in plain for m in members)

    entries = await audit_entries(session, request_id)
    assert len(entries) == len(members)
    for entry in entries:
        assert entry.action == PII_READ
        assert entry.actor_role == "community" and entry.actor_unit == community.unit_code
        assert entry.subject_type == "CommitteeMember" and entry.subject_id
        assert entry.fields == "name,phone"
        assert entry.operation == "Members"
    assert len({e.subject_id for e in entries}) == len(entries)


@pytest.mark.parametrize(
    "role",
    [
        Role.COMPETENT_DEPARTMENT,
        Role.INSPECTION_OFFICE,
        Role.DEPARTMENT,
        Role.PARTY_PUBLICITY,
        Role.UTILITY,
        Role.PUBLIC,
    ],
)
async def test_unmasked_is_forbidden_without_the_pii_permission(
    role: Role,
    execute: Execute,
    community: Principal,
    session: AsyncSession,
    demo: DemoDataset,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Roles without pii asking for unmasked data get an error (FORBIDDEN, or the root field's
    own refusal) and no personal data, in the answer or the logs; nothing is audited."""
    caplog.set_level(logging.DEBUG)
    body, request_id = await execute(
        MEMBERS,
        principal(role, community),
        community=community_code(community),
        unmasked=True,
    )
    assert body.get("errors")
    codes = {e["extensions"]["code"] for e in body["errors"]}
    assert codes <= {"FORBIDDEN", "UNAUTHENTICATED"}
    if role in (Role.COMPETENT_DEPARTMENT, Role.INSPECTION_OFFICE):
        # Both may read committees: the refusal is the personal field's own.
        assert codes == {"FORBIDDEN"}
        assert any("pii" in e["message"] for e in body["errors"])
    assert_no_personal_data(repr(body) + caplog.text, demo)
    assert await audit_entries(session, request_id) == []


def credit_holder(demo: DemoDataset) -> dict[str, Any]:
    """A demo resident with at least one owner credit record."""
    with_records = {r["resident_id"] for r in demo.owner_credit_records}
    return next(r for r in demo.residents if r["id"] in with_records)


async def test_owner_credit_matches_on_id_number_and_exact_name(
    execute: Execute, community: Principal, demo: DemoDataset, caplog: pytest.LogCaptureFixture
) -> None:
    """The public gets the masked name, compound, grade and record categories with dates;
    never the ID number or the phone."""
    caplog.set_level(logging.DEBUG)
    resident = credit_holder(demo)
    body, _ = await execute(
        OWNER_CREDIT,
        principal(Role.PUBLIC, community),
        idNumber=resident["id_number"],
        name=resident["name"],
    )
    assert "errors" not in body, body
    answer = body["data"]["ownerCredit"]
    assert answer["name"] == resident["name"][0] + "*" * (len(resident["name"]) - 1)
    compound = next(c for c in demo.compounds if c["id"] == resident["compound_id"])
    assert answer["compounds"] == [{"code": compound["code"], "name": compound["name"]}]
    records = [r for r in demo.owner_credit_records if r["resident_id"] == resident["id"]]
    assert sorted(r["category"] for r in answer["records"]) == sorted(
        r["category"].value for r in records
    )
    assert {r["recordedOn"] for r in answer["records"]} == {
        r["recorded_on"].isoformat() for r in records
    }
    assert answer["grade"] in {"GOOD", "NORMAL", "WARNING", "POOR"}
    assert answer["asOf"] == DEMO_TODAY.date().isoformat()
    assert_no_personal_data(repr(body) + caplog.text, demo)


async def test_owner_credit_mismatch_does_not_tell_whether_the_id_number_exists(
    execute: Execute, community: Principal, demo: DemoDataset, caplog: pytest.LogCaptureFixture
) -> None:
    """A wrong name for a known ID number and any name for an unknown one get the same
    NOT_FOUND answer, which repeats neither the number nor the name."""
    caplog.set_level(logging.DEBUG)
    resident = credit_holder(demo)
    public = principal(Role.PUBLIC, community)
    known = {r["id_number"] for r in demo.residents}
    body = "150627197001010"
    unknown = next(
        number
        for n in range(100, 999)
        if (number := body[:14] + f"{n:03d}" + resident_id_check_digit(body[:14] + f"{n:03d}"))
        not in known
    )
    wrong_name, _ = await execute(
        OWNER_CREDIT, public, idNumber=resident["id_number"], name=resident["name"] + "某"
    )
    unknown_id, _ = await execute(OWNER_CREDIT, public, idNumber=unknown, name=resident["name"])
    surname_only, _ = await execute(
        OWNER_CREDIT, public, idNumber=resident["id_number"], name=resident["name"][0]
    )
    for answer in (wrong_name, unknown_id, surname_only):
        assert answer["data"] is None
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["NOT_FOUND"]
        assert unknown not in repr(answer)
    assert wrong_name["errors"][0]["message"] == unknown_id["errors"][0]["message"]
    extensions = [
        {k: v for k, v in a["errors"][0]["extensions"].items() if k != "requestId"}
        for a in (wrong_name, unknown_id)
    ]
    assert extensions[0] == extensions[1]
    assert_no_personal_data(repr([wrong_name, unknown_id, surname_only]) + caplog.text, demo)


@pytest.mark.parametrize("bad", ["15062719800101123", "150627198013011234", "150627198001011235"])
async def test_owner_credit_refuses_a_malformed_id_number_without_echoing_it(
    bad: str, execute: Execute, community: Principal
) -> None:
    """Wrong length, impossible birth date or check digit: BAD_USER_INPUT naming the argument."""
    body, _ = await execute(
        OWNER_CREDIT, principal(Role.PUBLIC, community), idNumber=bad, name="张三"
    )
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "idNumber"
    assert bad not in repr(body) and bad[:10] not in repr(body)


async def test_owner_credit_over_http_for_the_public(
    client: httpx.AsyncClient, demo: DemoDataset
) -> None:
    """Without a credential, /graphql answers the self-check (it is a normal root field)."""
    resident = credit_holder(demo)
    response = await client.post(
        "/graphql",
        json={
            "query": OWNER_CREDIT,
            "variables": {"idNumber": resident["id_number"], "name": resident["name"]},
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["ownerCredit"]["compounds"]
    assert resident["id_number"] not in response.text


async def test_nothing_personal_reaches_non_pii_roles_or_the_logs(
    execute: Execute, community: Principal, demo: DemoDataset, caplog: pytest.LogCaptureFixture
) -> None:
    """For every role without pii, the committee pages (masked) and errors hold no raw ID
    number, phone or full name of the demo data, and neither do the captured logs."""
    caplog.set_level(logging.DEBUG)
    texts = []
    for role in (Role.COMPETENT_DEPARTMENT, Role.INSPECTION_OFFICE, Role.DEPARTMENT, Role.PUBLIC):
        viewer = principal(role, community)
        for unmasked in (False, True):
            body, _ = await execute(
                MEMBERS, viewer, community=community_code(community), unmasked=unmasked
            )
            texts.append(repr(body))
        body, _ = await execute(
            """{ committees(first: 100) { nodes { terms { members { name phone role } } } } }""",
            viewer,
        )
        texts.append(repr(body))
    assert_no_personal_data("\n".join(texts) + caplog.text, demo)


def assert_no_personal_data(text: str, demo: DemoDataset) -> None:
    """No ID number, phone or full name (of two characters or more) of the demo data in
    ``text``."""
    people = [*demo.residents, *demo.committee_members]
    for number in {r["id_number"] for r in demo.residents}:
        assert number not in text
    for phone in {p["phone"] for p in people if p["phone"]}:
        assert phone not in text
    for name in {p["name"] for p in people if len(p["name"]) >= 2}:
        assert name not in text, "a full name appears"


async def test_a_swapped_ciphertext_is_an_internal_error_naming_record_and_key_only(
    execute: Execute,
    community: Principal,
    connection: AsyncConnection,
    demo: DemoDataset,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A member's sealed name copied onto another member does not open there: the client gets
    INTERNAL without details, the log names the record and the key id, and no one's name."""
    caplog.set_level(logging.DEBUG)
    members = CommitteeMember.__table__
    first, second = (
        await connection.execute(
            sa.select(members.c.id, members.c.name_encrypted)
            .join(CommitteeTerm, CommitteeTerm.id == members.c.term_id)
            .join(OwnersCommittee, OwnersCommittee.id == CommitteeTerm.committee_id)
            .join(Compound, Compound.id == OwnersCommittee.compound_id)
            .where(Compound.community_id == community.community_id)
            .order_by(members.c.id)
            .limit(2)
        )
    ).all()
    await connection.execute(
        members.update()
        .where(members.c.id == second.id)
        .values(name_encrypted=first.name_encrypted)
    )
    body, _ = await execute(
        """query($community: String!) {
          committees(first: 100, filter: {communityCode: $community}) {
            nodes { terms { members { name } } }
          }
        }""",
        community,
        community=community_code(community),
    )
    codes = {e["extensions"]["code"] for e in body["errors"]}
    assert codes == {"INTERNAL"}
    assert all(e["message"] == "Internal error" for e in body["errors"])
    assert f"committee_members.name of record {second.id}" in caplog.text
    assert "key id 'demo'" in caplog.text
    assert_no_personal_data(repr(body) + caplog.text, demo)
