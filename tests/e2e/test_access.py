"""Member-unit access: credentials, the role table and jurisdiction.

The authorization matrix is generated from the schema and ``hub.domain.access.ROLE_TABLE``:
every role (as a real demo unit with a real API key) calls every root field, every mutation and
every subscription; each is allowed exactly when the role's grant meets the need that
``tests/e2e/access_spec.py`` gives it (the specification, kept apart from the code's own
checks), and a scoped role sees only its jurisdiction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from graphql import GraphQLObjectType
from sqlalchemy.ext.asyncio import AsyncSession

from hub.config import Settings
from hub.domain.access import ROLE_TABLE, Role
from hub.graphql.relay import encode_global_id
from hub.graphql.schema import build_schema
from hub.services import identity
from hub.services.findings import BROADCASTER
from hub.store import models as m
from hub.store.base import utcnow
from hub.store.models import ApiClient, AuditEntry
from tests.conftest import DEMO_TODAY, GraphQLCall
from tests.doors import Serve
from tests.doors import serve as serve  # the fixture
from tests.e2e.access_spec import MUTATIONS, OWN_PARTY, ROOT_FIELDS, SUBSCRIPTIONS, may
from tests.ws_client import connect

GqlAs = Callable[[str | None], Awaitable[GraphQLCall]]

UNIT_OF_ROLE = {
    Role.COMPETENT_DEPARTMENT: "zjj",
    Role.INSPECTION_OFFICE: "dcs",
    Role.PARTY_PUBLICITY: "zzb",
    Role.DEPARTMENT: "cgj",
    Role.TOWN: "town-150627100",
    Role.COMMUNITY: "community-150627100001",
    Role.UTILITY: "utility-water",
    Role.PUBLIC: None,
}
TOWN_CODE, COMMUNITY_CODE = "150627100", "150627100001"
SCHEMA = build_schema()._schema


def _codes(body: dict[str, Any]) -> set[str]:
    return {e["extensions"]["code"] for e in body.get("errors", [])}


def _root_fields(root: GraphQLObjectType | None) -> set[str]:
    assert root is not None
    return set(root.fields)


def test_the_matrix_covers_every_root_field_mutation_and_subscription() -> None:
    """A new root field, mutation or subscription without an entry in access_spec fails here."""
    for kind, table, root in (
        ("Query", ROOT_FIELDS, SCHEMA.query_type),
        ("Mutation", MUTATIONS, SCHEMA.mutation_type),
        ("Subscription", SUBSCRIPTIONS, SCHEMA.subscription_type),
    ):
        listed = {key for key in table if "." not in key}
        fields = _root_fields(root)
        assert not fields - listed, (
            f"add to tests/e2e/access_spec.py (the {kind} table) the permission of: "
            f"{sorted(fields - listed)}"
        )
        assert not listed - fields, f"not {kind} fields of the schema: {sorted(listed - fields)}"
    for key, (call, _) in MUTATIONS.items():
        assert call.startswith(key.split(".")[0] + "("), key


@pytest.mark.parametrize("role", list(Role))
async def test_authorization_matrix_of_root_fields(gql_as: GqlAs, role: Role) -> None:
    """Every role × every root field: allowed or refused exactly as the specification says.

    An allowed field may answer NOT_FOUND (a single record that does not exist or lies outside
    the role's jurisdiction), nothing else; a refused one answers the permission's refusal."""
    call = await gql_as(UNIT_OF_ROLE[role])
    towns = await call("{ towns { id } }")
    variables = {"town": towns["data"]["towns"][0]["id"]}
    for name, (query, permission) in ROOT_FIELDS.items():
        body = await call(query, **{k: v for k, v in variables.items() if f"${k}" in query})
        codes = _codes(body)
        if may(role, permission):
            assert codes <= {"NOT_FOUND"}, (role, name, body)
            assert codes or body.get("data") is not None, (role, name, body)
        else:
            assert permission is not None
            refusal = "UNAUTHENTICATED" if role is Role.PUBLIC else "FORBIDDEN"
            assert codes == {refusal}, (role, name, body)
            assert permission.value in body["errors"][0]["extensions"]["permission"]


@pytest.mark.parametrize("role", list(Role))
async def test_authorization_matrix_of_mutations(gql_as: GqlAs, role: Role) -> None:
    """Every role × every mutation: NotPermitted exactly to the roles the specification refuses
    (before any look-up of the bogus IDs); anything else, a NOT_FOUND error included, to the
    others."""
    call = await gql_as(UNIT_OF_ROLE[role])
    for key, (mutation, need) in MUTATIONS.items():
        name = key.split(".")[0]
        variables = {"party": OWN_PARTY.get(role, "COMMUNITY")} if "$party" in mutation else {}
        declared = "($party: RepairParty!)" if variables else ""
        selection = "__typename ... on NotPermitted { message }"
        body = await call(f"mutation{declared} {{ {mutation} {{ {selection} }} }}", **variables)
        codes = _codes(body)
        assert not codes & {"FORBIDDEN", "UNAUTHENTICATED", "BAD_USER_INPUT", "INTERNAL"}, (
            role,
            key,
            body,
        )
        if may(role, need):
            answer = (body.get("data") or {}).get(name)
            assert codes == {"NOT_FOUND"} or answer is not None, (role, key, body)
            assert answer is None or answer["__typename"] != "NotPermitted", (role, key, body)
        else:
            assert not codes, (role, key, body)
            assert body["data"][name]["__typename"] == "NotPermitted", (role, key, body)


@pytest.mark.parametrize("role", list(Role))
async def test_authorization_matrix_of_subscriptions(
    serve: Serve, settings: Settings, api_key: Callable[[str], Awaitable[str]], role: Role
) -> None:
    """Every role × every subscription over the WebSocket door: a permitted role's subscription
    goes live (it joins the findings' broadcaster, the one source of subscription events) with
    no error; a refused one answers the permission's refusal and never joins."""
    unit = UNIT_OF_ROLE[role]
    headers = [("Authorization", f"Bearer {await api_key(unit)}")] if unit else []
    async with serve(settings) as url, connect(url, headers=headers) as ws:
        await ws.send_json({"type": "connection_init"})
        assert (await ws.receive_json())["type"] == "connection_ack"
        for index, (name, (query, permission)) in enumerate(SUBSCRIPTIONS.items()):
            id, before = str(index), BROADCASTER.subscribers
            await ws.send_json({"id": id, "type": "subscribe", "payload": {"query": query}})
            if may(role, permission):
                for _ in range(1000):  # the server runs in this event loop
                    if BROADCASTER.subscribers > before:
                        break
                    await asyncio.sleep(0.01)
                assert BROADCASTER.subscribers == before + 1, (role, name)
                await ws.send_json({"type": "ping"})
                assert (await ws.receive_json())["type"] == "pong", (role, name)  # no error
                await ws.send_json({"id": id, "type": "complete"})
                continue
            assert permission is not None
            first = await ws.receive_json()
            assert first["id"] == id and first["type"] in {"next", "error"}, (role, name, first)
            errors = first["payload"]["errors"] if first["type"] == "next" else first["payload"]
            refusal = "UNAUTHENTICATED" if role is Role.PUBLIC else "FORBIDDEN"
            assert {e["extensions"]["code"] for e in errors} == {refusal}, (role, name, first)
            assert permission.value in errors[0]["extensions"]["permission"]
            assert BROADCASTER.subscribers == before, (role, name)


async def test_mutations_are_written_to_the_audit_log(gql_as: GqlAs, session: AsyncSession) -> None:
    """Each mutation call, refused or not, leaves an entry naming the unit and the outcome."""
    town = await gql_as(UNIT_OF_ROLE[Role.TOWN])
    await town('mutation Try { syncTrigger(source: "ordos") { __typename } }')
    entry = await session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert entry is not None
    assert (entry.action, entry.outcome, entry.actor_unit, entry.operation) == (
        "syncTrigger",
        "not_permitted",
        "town-150627100",
        "Try",
    )
    inspection = await gql_as(UNIT_OF_ROLE[Role.INSPECTION_OFFICE])
    body = await inspection(
        '{ auditLog(first: 5, filter: {action: "syncTrigger"}) '
        "{ totalCount nodes { actorUnit actorRole outcome requestId } } }"
    )
    nodes = body["data"]["auditLog"]["nodes"]
    assert nodes[0]["actorUnit"] == "town-150627100" and nodes[0]["requestId"]


async def test_a_town_sees_only_its_own_compounds_everywhere(
    gql_as: GqlAs, gql: GraphQLCall
) -> None:
    """Lists, totalCount, nested fields, node(id) and compound(code) stay inside the town."""
    town = await gql_as(UNIT_OF_ROLE[Role.TOWN])
    mine = await town("{ compounds(first: 100) { totalCount nodes { code town { code } } } }")
    page = mine["data"]["compounds"]
    assert page["nodes"] and {n["town"]["code"] for n in page["nodes"]} == {TOWN_CODE}

    everything = await gql("{ compounds(first: 1) { totalCount } }")
    banner_total = everything["data"]["compounds"]["totalCount"]
    in_town = await gql(
        f'{{ compounds(first: 1, filter: {{townCode: "{TOWN_CODE}"}}) {{ totalCount }} }}'
    )
    assert page["totalCount"] == in_town["data"]["compounds"]["totalCount"] < banner_total

    # A compound of another town, found by the competent department.
    other = await gql(
        '{ compounds(first: 1, filter: {townCode: "150627101"}) { nodes { id code } } }'
    )
    other_node = other["data"]["compounds"]["nodes"][0]
    missing = {"id": encode_global_id("Compound", 999_999), "code": "150627999999999"}
    for query, key in (
        ("query($v: ID!) { node(id: $v) { id } }", "id"),
        ("query($v: String) { compound(code: $v) { id } }", "code"),
    ):
        # Out of scope answers exactly as a compound that does not exist.
        hidden = await town(query, v=other_node[key])
        absent = await town(query, v=missing[key])
        assert _codes(hidden) == _codes(absent) == {"NOT_FOUND"}, hidden
        message = hidden["errors"][0]["message"].replace(other_node[key], missing[key])
        assert message == absent["errors"][0]["message"]

    # Nested: an enterprise's contracts and bids only where they touch the town.
    nested = await town(
        "{ enterprises(first: 100) { nodes { contracts { compound { town { code } } } "
        "bids { tender { compound { town { code } } } } } } }"
    )
    towns_seen = {
        c["compound"]["town"]["code"]
        for e in nested["data"]["enterprises"]["nodes"]
        for c in e["contracts"]
    } | {
        b["tender"]["compound"]["town"]["code"]
        for e in nested["data"]["enterprises"]["nodes"]
        for b in e["bids"]
    }
    assert towns_seen == {TOWN_CODE}


async def test_a_community_sees_its_own_community_and_its_statistics(gql_as: GqlAs) -> None:
    community = await gql_as(UNIT_OF_ROLE[Role.COMMUNITY])
    body = await community(
        "{ compounds(first: 100) { nodes { community { code } } } "
        "committees(first: 100) { nodes { compound { community { code } } } } "
        "statistics { scopeCode communities { code } } }"
    )
    data = body["data"]
    assert {n["community"]["code"] for n in data["compounds"]["nodes"]} == {COMMUNITY_CODE}
    assert {n["compound"]["community"]["code"] for n in data["committees"]["nodes"]} <= {
        COMMUNITY_CODE
    }
    assert data["statistics"]["scopeCode"] == TOWN_CODE
    assert [c["code"] for c in data["statistics"]["communities"]] == [COMMUNITY_CODE]
    other_town = await community('{ statistics(townCode: "150627101") { scopeCode } }')
    assert _codes(other_town) == {"FORBIDDEN"}


async def test_viewer_tells_unit_role_jurisdiction_and_permissions(gql_as: GqlAs) -> None:
    community = await gql_as(UNIT_OF_ROLE[Role.COMMUNITY])
    body = await community(
        "{ viewer { authenticated role unitCode scope townCode communityCode permissions } }"
    )
    viewer = body["data"]["viewer"]
    assert viewer == {
        "authenticated": True,
        "role": "community",
        "unitCode": "community-150627100001",
        "scope": "community",
        "townCode": TOWN_CODE,
        "communityCode": COMMUNITY_CODE,
        "permissions": sorted(p.value for p in ROLE_TABLE[Role.COMMUNITY].permissions),
    }


async def test_a_bad_credential_is_refused_not_downgraded(
    client: httpx.AsyncClient, api_key: Callable[[str], Awaitable[str]], session: AsyncSession
) -> None:
    """Malformed, unknown and revoked keys, and a non-Bearer scheme: 401, never the public."""
    key = await api_key("zjj")
    cases = {
        "Bearer hub_nope": "malformed",
        f"Bearer {key[:-2]}xx": "not valid",
        "Basic dXNlcjpwYXNz": "Authorization: Bearer",
    }
    for header, needle in cases.items():
        response = await client.post(
            "/graphql", json={"query": "{ towns { code } }"}, headers={"Authorization": header}
        )
        assert response.status_code == 401, header
        assert response.headers["www-authenticate"].startswith("Bearer")
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "UNAUTHENTICATED" and needle in error["message"]
        assert error["extensions"]["requestId"] == response.headers["x-request-id"]
        assert key not in response.text
    await identity.revoke_client(session, prefix=key.split("_", 2)[1], now=DEMO_TODAY)
    await session.commit()
    revoked = await client.post(
        "/graphql",
        json={"query": "{ towns { code } }"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert revoked.status_code == 401 and "revoked" in revoked.text


async def test_keys_are_stored_hashed_and_last_use_is_kept(
    api_key: Callable[[str], Awaitable[str]], gql_as: GqlAs, session: AsyncSession
) -> None:
    key = await api_key("cgj")
    stored = await session.scalar(
        sa.select(ApiClient).where(ApiClient.key_prefix == key.split("_", 2)[1])
    )
    assert stored is not None and stored.last_used_at is None
    assert key not in (stored.key_hash, stored.key_prefix) and len(stored.key_hash) == 64
    client_call = await gql_as("cgj")
    await client_call("{ viewer { role } }")
    used = await session.scalar(
        sa.select(ApiClient.last_used_at)
        .where(ApiClient.unit_id == stored.unit_id)
        .order_by(ApiClient.id.desc())
    )
    assert used is not None


async def test_a_role_must_be_the_units_own(session: AsyncSession) -> None:
    with pytest.raises(Exception, match="has the role town, not community"):
        await identity.create_client(session, unit_code="town-150627100", role=Role.COMMUNITY)


async def test_staff_tokens_are_checked_against_the_jwks(
    client: httpx.AsyncClient, settings: Any, tmp_path: Any
) -> None:
    """A token signed with the development key signs in; expired, foreign-audience and
    unknown-unit tokens do not."""
    key = identity.dev_signing_key(tmp_path / "dev.pem")
    now = utcnow()  # token expiry is checked against the real clock
    good = identity.issue_token(
        key, unit_code="town-150627100", issuer="hub-dev", audience="property-hub", now=now
    )
    # The app's authenticator reads this settings object when it first needs the JWKS.
    settings.dev_signing_key_file = tmp_path / "dev.pem"
    response = await client.post(
        "/graphql",
        json={"query": "{ viewer { role unitCode scope } }"},
        headers={"Authorization": f"Bearer {good}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["viewer"] == {
        "role": "town",
        "unitCode": "town-150627100",
        "scope": "town",
    }
    bad = {
        "expired": identity.issue_token(
            key,
            unit_code="town-150627100",
            issuer="hub-dev",
            audience="property-hub",
            now=now - timedelta(days=2),
        ),
        "another audience": identity.issue_token(
            key, unit_code="zjj", issuer="hub-dev", audience="elsewhere", now=now
        ),
        "another issuer": identity.issue_token(
            key, unit_code="zjj", issuer="someone", audience="property-hub", now=now
        ),
        "unit is unknown": identity.issue_token(
            key, unit_code="nobody", issuer="hub-dev", audience="property-hub", now=now
        ),
    }
    for needle, token in bad.items():
        answer = await client.post(
            "/graphql",
            json={"query": "{ towns { code } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 401, needle
        assert needle.split()[-1] in answer.json()["errors"][0]["message"], (needle, answer.text)


async def test_scope_filters_are_applied_by_the_loaders(session: AsyncSession) -> None:
    """The scope module narrows every table hanging off a compound (a direct check)."""
    from hub.domain.access import Principal
    from hub.services.scope import visible

    town = await session.scalar(sa.select(m.Jurisdiction).where(m.Jurisdiction.code == TOWN_CODE))
    assert town is not None
    principal = Principal(role=Role.TOWN, unit_code="town-150627100", town_id=town.id)
    for model in (
        m.Compound,
        m.ServiceContract,
        m.Tender,
        m.TenderBid,
        m.OwnersCommittee,
        m.CommitteeMember,
        m.Resident,
        m.Assessment,
    ):
        condition = visible(model, principal)
        assert condition is not None, model
        seen = await session.scalar(sa.select(sa.func.count()).select_from(model).where(condition))
        total = await session.scalar(sa.select(sa.func.count()).select_from(model))
        assert seen is not None and total is not None and seen < total, model


async def test_demo_keys_work_in_development_and_are_refused_in_production(
    session: AsyncSession, engine: Any, sessionmaker: Any
) -> None:
    """`hub demo-data` creates one well-known key per role; production refuses them."""
    from hub.app import create_app

    keys = await identity.create_demo_clients(session)
    await session.commit()
    assert set(keys) == set(Role) - {Role.PUBLIC}
    assert keys == await identity.list_demo_clients(session)
    _, town_key = keys[Role.TOWN]
    for env, status in (("development", 200), ("production", 401)):
        settings = Settings(
            env=env,
            database_url="postgresql+asyncpg://x@y/z",
            pii_keys={"k1": "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE="},
            pii_active_key="k1",
            pii_index_key="OTg3NjU0MzIxMDk4NzY1NDMyMTA5ODc2NTQzMjEwOTg=",
        )
        app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
        ) as client:
            response = await client.post(
                "/graphql",
                json={"query": "{ viewer { role } }"},
                headers={"Authorization": f"Bearer {town_key}"},
            )
        assert response.status_code == status, (env, response.text)
