"""Member-unit access (issue #4): credentials, the role table and jurisdiction.

The authorization matrix is generated from ``hub.domain.access.ROLE_TABLE``: every role (as a
real demo unit with a real API key) calls every root field; the field is allowed exactly when the
role's grant holds the permission this file says the field needs (the specification below, kept
apart from the code's own checks), and a scoped role sees only its jurisdiction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import ROLE_TABLE, Permission, Role
from hub.graphql.relay import encode_global_id
from hub.services import identity
from hub.store import models as m
from hub.store.base import utcnow
from hub.store.models import ApiClient, AuditEntry
from tests.conftest import DEMO_TODAY, GraphQLCall

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

# Root field → (a query using it, the permission it needs; None = open to everyone).
ROOT_FIELDS: dict[str, tuple[str, Permission | None]] = {
    "towns": ("{ towns { code } }", None),
    "viewer": ("{ viewer { role } }", None),
    "enterprises": (
        "{ enterprises(first: 2) { nodes { uscc credit { grade } } } }",
        Permission.READ_ENTERPRISES,
    ),
    "enterprise.detail": (
        "{ enterprises(first: 2) { nodes { contracts { startsOn } } } }",
        Permission.READ_ENTERPRISE_DETAIL,
    ),
    "compounds": (
        "{ compounds(first: 2) { totalCount nodes { code } } }",
        Permission.READ_COMPOUNDS,
    ),
    "committees": ("{ committees(first: 2) { totalCount } }", Permission.READ_COMMITTEES),
    "tenders": ("{ tenders(first: 2) { totalCount } }", Permission.READ_TENDERS),
    "statistics": ("{ statistics { scopeCode } }", Permission.READ_STATISTICS),
    "syncSources": ("{ syncSources { name } }", Permission.READ_SYNC),
    "syncRuns": ("{ syncRuns(first: 1) { totalCount } }", Permission.READ_SYNC),
    "quarantine": ("{ quarantine(first: 1) { totalCount } }", Permission.READ_SYNC),
    "reconciliation": ("{ reconciliation(first: 1) { totalCount } }", Permission.READ_SYNC),
    "auditLog": ("{ auditLog(first: 1) { totalCount } }", Permission.READ_AUDIT),
    "conferenceReport": ("{ conferenceReport(year: 2025) { year } }", Permission.READ_STATISTICS),
}
MUTATIONS: dict[str, tuple[str, Permission]] = {
    "syncTrigger": (
        'mutation { syncTrigger(source: "nowhere") { __typename } }',
        Permission.OPERATE_SYNC,
    ),
    "reconciliationResolve": (
        'mutation { reconciliationResolve(id: "UmVjb25jaWxpYXRpb25JdGVtOjk5OTk5", '
        "createCompound: true) { __typename } }",
        Permission.OPERATE_SYNC,
    ),
}


def _codes(body: dict[str, Any]) -> set[str]:
    return {e["extensions"]["code"] for e in body.get("errors", [])}


@pytest.mark.parametrize("role", list(Role))
async def test_authorization_matrix_of_root_fields(gql_as: GqlAs, role: Role) -> None:
    """Every role × every root field: allowed or refused exactly as the role table says."""
    call = await gql_as(UNIT_OF_ROLE[role])
    grant = ROLE_TABLE[role]
    for name, (query, permission) in ROOT_FIELDS.items():
        body = await call(query)
        codes = _codes(body)
        if permission is None or grant.may(permission):
            assert not codes & {"FORBIDDEN", "UNAUTHENTICATED"}, (role, name, body)
            assert body.get("data") is not None, (role, name, body)
        else:
            refusal = "UNAUTHENTICATED" if role is Role.PUBLIC else "FORBIDDEN"
            assert codes == {refusal}, (role, name, body)
            assert permission.value in body["errors"][0]["extensions"]["permission"]


@pytest.mark.parametrize("role", list(Role))
async def test_authorization_matrix_of_mutations(gql_as: GqlAs, role: Role) -> None:
    """Mutations answer NotPermitted to roles without the permission, and are audited."""
    call = await gql_as(UNIT_OF_ROLE[role])
    for name, (query, permission) in MUTATIONS.items():
        body = await call(query)
        assert "errors" not in body, body
        typename = body["data"][name]["__typename"]
        if ROLE_TABLE[role].may(permission):
            assert typename != "NotPermitted", (role, name)
        else:
            assert typename == "NotPermitted", (role, name)


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
    from hub.config import Settings

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
