"""Master data over GraphQL: member units, communities and compounds are created, updated and
retired by the units that manage them (MASTER_DATA), within their jurisdiction, every field
checked by hub.domain.master_data, every change audited with its before and after."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.graphql.relay import encode_global_id
from hub.store.models import AuditEntry, Compound, Jurisdiction, MemberUnit
from tests.conftest import GraphQLCall

GqlAs = Callable[[str | None], Awaitable[GraphQLCall]]
TOWN, COMMUNITY = "150627100", "150627100001"
TOWN_UNIT, COMMUNITY_UNIT = f"town-{TOWN}", f"community-{COMMUNITY}"
OTHER_TOWN_UNIT = "town-150627101"

PAYLOAD = """
    __typename
    ... on ValidationFailed { message field problems { field code message } }
    ... on NotPermitted { message }
"""
UNIT_CREATE = f"""mutation($input: MemberUnitCreateInput!) {{
  memberUnitCreate(input: $input) {{
    ... on MemberUnitChangeSuccess {{
      memberUnit {{ id code name role jurisdictionCode utilityKind retiredAt }}
      changes {{ field before after }}
    }}
    {PAYLOAD}
  }}
}}"""
UNIT_UPDATE = f"""mutation($id: ID!, $input: MemberUnitUpdateInput!) {{
  memberUnitUpdate(id: $id, input: $input) {{
    ... on MemberUnitChangeSuccess {{
      memberUnit {{ name jurisdictionCode }} changes {{ field before after }}
    }}
    {PAYLOAD}
  }}
}}"""
UNIT_RETIRE = f"""mutation($id: ID!, $reason: String!) {{
  memberUnitRetire(id: $id, reason: $reason) {{
    ... on MemberUnitChangeSuccess {{ memberUnit {{ retiredAt retiredReason }} }}
    {PAYLOAD}
  }}
}}"""
COMMUNITY_CREATE = f"""mutation($input: CommunityCreateInput!) {{
  communityCreate(input: $input) {{
    ... on CommunityChangeSuccess {{
      community {{ id code name town {{ code }} }} changes {{ field after }}
    }}
    {PAYLOAD}
  }}
}}"""
COMMUNITY_UPDATE = f"""mutation($id: ID!, $input: CommunityUpdateInput!) {{
  communityUpdate(id: $id, input: $input) {{
    ... on CommunityChangeSuccess {{ community {{ name }} changes {{ field before after }} }}
    {PAYLOAD}
  }}
}}"""
COMMUNITY_RETIRE = f"""mutation($id: ID!, $reason: String!) {{
  communityRetire(id: $id, reason: $reason) {{
    ... on CommunityChangeSuccess {{ community {{ retiredAt }} }}
    {PAYLOAD}
  }}
}}"""
COMPOUND_FIELDS = "id code name address households floorArea builtYear warrantyEnd retiredAt"
COMPOUND_CREATE = f"""mutation($input: CompoundCreateInput!) {{
  compoundCreate(input: $input) {{
    ... on CompoundChangeSuccess {{
      compound {{ {COMPOUND_FIELDS} community {{ code }} town {{ code }} }}
      changes {{ field before after }}
    }}
    {PAYLOAD}
  }}
}}"""
COMPOUND_UPDATE = f"""mutation($id: ID!, $input: CompoundUpdateInput!) {{
  compoundUpdate(id: $id, input: $input) {{
    ... on CompoundChangeSuccess {{
      compound {{ {COMPOUND_FIELDS} community {{ code }} town {{ code }} }}
      changes {{ field before after }}
    }}
    {PAYLOAD}
  }}
}}"""
COMPOUND_RETIRE = f"""mutation($id: ID!, $reason: String!) {{
  compoundRetire(id: $id, reason: $reason) {{
    ... on CompoundChangeSuccess {{ compound {{ retiredAt retiredReason }} }}
    {PAYLOAD}
  }}
}}"""


def compound_input(**fields: Any) -> dict[str, Any]:
    """A valid new compound of the demo's first community; ``fields`` override."""
    return {
        "code": "150627100001901",
        "name": "锦华苑",
        "communityCode": COMMUNITY,
        "address": "阿勒腾席热镇锦华路1号",
        "households": 320,
        "floorArea": 30500.5,
        "builtYear": 2015,
        "warrantyEnd": "2017-10-01",
        **fields,
    }


async def last_entry(session: AsyncSession, action: str) -> AuditEntry:
    """The latest audit entry of the action."""
    entry = await session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())
    )
    assert entry is not None, f"no audit entry for {action}"
    return entry


async def unit_id(session: AsyncSession, code: str) -> str:
    found = await session.scalar(sa.select(MemberUnit.id).where(MemberUnit.code == code))
    assert found is not None
    return encode_global_id("MemberUnit", found)


async def place_id(session: AsyncSession, code: str) -> int:
    found = await session.scalar(sa.select(Jurisdiction.id).where(Jurisdiction.code == code))
    assert found is not None
    return found


def problems(result: dict[str, Any]) -> dict[str, str]:
    """field → code of a ValidationFailed payload."""
    assert result["__typename"] == "ValidationFailed", result
    return {p["field"]: p["code"] for p in result["problems"]}


# --- member units ---------------------------------------------------------------------------


async def test_the_competent_department_creates_a_member_unit_and_the_entry_keeps_it(
    gql: GraphQLCall, session: AsyncSession
) -> None:
    """memberUnitCreate by 住建局: the unit sits in its town; the audit entry names every field
    with its value after (nothing before)."""
    body = await gql(
        UNIT_CREATE,
        input={
            "code": "town-test-1",
            "name": "测试镇人民政府",
            "role": "TOWN",
            "jurisdictionCode": TOWN,
        },
    )
    result = body["data"]["memberUnitCreate"]
    assert result["__typename"] == "MemberUnitChangeSuccess", result
    assert result["memberUnit"]["jurisdictionCode"] == TOWN
    assert result["memberUnit"]["role"] == "TOWN"
    entry = await last_entry(session, "memberUnitCreate")
    assert entry.outcome == "ok" and entry.subject_type == "MemberUnit"
    assert entry.detail is not None and entry.detail["created"] is True
    assert entry.detail["changes"]["code"] == {"before": None, "after": "town-test-1"}
    assert entry.detail["changes"]["jurisdiction_code"]["after"] == TOWN


async def test_member_units_are_the_competent_departments_alone(gql_as: GqlAs) -> None:
    """A town has write:master-data but does not manage member units: NotPermitted, audited."""
    town = await gql_as(TOWN_UNIT)
    body = await town(UNIT_CREATE, input={"code": "x1", "name": "某单位", "role": "DEPARTMENT"})
    result = body["data"]["memberUnitCreate"]
    assert result["__typename"] == "NotPermitted"
    assert "member-unit" in result["message"]


async def test_a_member_unit_with_bad_fields_lists_every_problem(gql: GraphQLCall) -> None:
    """A code with a space, a town unit without its town and a utility kind on a department
    are three problems, each with its stable code; nothing is created."""
    body = await gql(
        UNIT_CREATE,
        input={"code": "bad code", "name": "某镇", "role": "TOWN", "utilityKind": "WATER"},
    )
    found = problems(body["data"]["memberUnitCreate"])
    assert found == {
        "code": "CODE_FORMAT",
        "jurisdictionCode": "REQUIRED",
        "utilityKind": "INCONSISTENT",
    }
    body = await gql(UNIT_CREATE, input={"code": "zjj", "name": "再来一个", "role": "DEPARTMENT"})
    assert problems(body["data"]["memberUnitCreate"]) == {"code": "DUPLICATE"}


async def test_a_member_unit_is_renamed_with_its_before_and_after(
    gql: GraphQLCall, session: AsyncSession
) -> None:
    """memberUnitUpdate changes only what is given and audits the name's before and after."""
    body = await gql(
        UNIT_UPDATE, id=await unit_id(session, "cgj"), input={"name": "城市管理综合执法局"}
    )
    result = body["data"]["memberUnitUpdate"]
    assert result["__typename"] == "MemberUnitChangeSuccess", result
    assert [c["field"] for c in result["changes"]] == ["name"]
    entry = await last_entry(session, "memberUnitUpdate")
    assert entry.detail is not None
    assert entry.detail["changes"]["name"]["after"] == "城市管理综合执法局"
    assert entry.detail["changes"]["name"]["before"] != "城市管理综合执法局"


async def test_a_retired_member_units_keys_stop_working(
    gql: GraphQLCall,
    session: AsyncSession,
    client: httpx.AsyncClient,
    api_key: Callable[[str], Awaitable[str]],
) -> None:
    """Once 城管局 is retired its API key answers 401 UNAUTHENTICATED; it keeps its row (and
    can no longer be changed)."""
    key = await api_key("cgj")
    headers = {"Authorization": f"Bearer {key}"}
    before = await client.post("/graphql", json={"query": "{ viewer { role } }"}, headers=headers)
    assert before.status_code == 200
    cgj = await unit_id(session, "cgj")
    body = await gql(UNIT_RETIRE, id=cgj, reason="机构改革，职能并入综合执法局")
    result = body["data"]["memberUnitRetire"]
    assert result["__typename"] == "MemberUnitChangeSuccess", result
    assert result["memberUnit"]["retiredAt"] is not None
    after = await client.post("/graphql", json={"query": "{ viewer { role } }"}, headers=headers)
    assert after.status_code == 401
    assert after.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    again = await gql(UNIT_UPDATE, id=cgj, input={"name": "又改名"})
    assert problems(again["data"]["memberUnitUpdate"]) == {"id": "RETIRED"}
    entry = await last_entry(session, "memberUnitRetire")
    assert entry.detail is not None
    assert entry.detail["changes"]["retired_reason"]["after"] == "[text]"  # not the text


async def test_a_unit_does_not_retire_itself(gql: GraphQLCall, session: AsyncSession) -> None:
    """住建局 retiring its own unit would lock out the credential it uses: refused."""
    body = await gql(UNIT_RETIRE, id=await unit_id(session, "zjj"), reason="测试")
    assert problems(body["data"]["memberUnitRetire"]) == {"id": "OWN_UNIT"}
    body = await gql(UNIT_RETIRE, id=await unit_id(session, "cgj"), reason="  ")
    assert problems(body["data"]["memberUnitRetire"]) == {"reason": "REQUIRED"}


# --- communities ----------------------------------------------------------------------------


async def test_a_town_creates_renames_and_retires_a_community_of_its_own(
    gql_as: GqlAs, session: AsyncSession
) -> None:
    """A town adds a community to itself, renames it and retires it (it has no compound): the
    retired community drops out of the town's list of communities."""
    town = await gql_as(TOWN_UNIT)
    code = f"{TOWN}901"
    body = await town(COMMUNITY_CREATE, input={"code": code, "name": "新建社区", "townCode": TOWN})
    result = body["data"]["communityCreate"]
    assert result["__typename"] == "CommunityChangeSuccess", result
    assert result["community"]["town"]["code"] == TOWN
    community = result["community"]["id"]
    body = await town(COMMUNITY_UPDATE, id=community, input={"name": "锦绣社区"})
    changes = body["data"]["communityUpdate"]["changes"]
    assert changes == [{"field": "name", "before": "新建社区", "after": "锦绣社区"}]

    listed = "{ towns { code communities { code } } }"
    names = await town(listed)
    mine = next(t for t in names["data"]["towns"] if t["code"] == TOWN)
    assert code in [c["code"] for c in mine["communities"]]
    body = await town(COMMUNITY_RETIRE, id=community, reason="并入园林社区")
    assert body["data"]["communityRetire"]["__typename"] == "CommunityChangeSuccess"
    names = await town(listed)
    mine = next(t for t in names["data"]["towns"] if t["code"] == TOWN)
    assert code not in [c["code"] for c in mine["communities"]]
    entry = await last_entry(session, "communityRetire")
    assert entry.actor_unit == TOWN_UNIT and entry.outcome == "ok"


async def test_communities_stay_in_the_towns_jurisdiction(
    gql_as: GqlAs, session: AsyncSession
) -> None:
    """Another town cannot add a community to this town, nor rename one of its communities; a
    community's unit manages no community at all."""
    other = await gql_as(OTHER_TOWN_UNIT)
    body = await other(
        COMMUNITY_CREATE, input={"code": f"{TOWN}902", "name": "越权社区", "townCode": TOWN}
    )
    assert problems(body["data"]["communityCreate"]) == {"townCode": "NOT_FOUND"}
    mine = encode_global_id("Community", await place_id(session, COMMUNITY))
    body = await other(COMMUNITY_UPDATE, id=mine, input={"name": "改名"})
    assert problems(body["data"]["communityUpdate"]) == {"id": "INVALID"}
    assert "in your jurisdiction" in body["data"]["communityUpdate"]["message"]
    community = await gql_as(COMMUNITY_UNIT)
    body = await community(COMMUNITY_UPDATE, id=mine, input={"name": "改名"})
    assert body["data"]["communityUpdate"]["__typename"] == "NotPermitted"


async def test_a_community_with_live_compounds_is_not_retired(
    gql: GraphQLCall, session: AsyncSession
) -> None:
    """Its compounds would be listed under a place that is not: retire or move them first."""
    mine = encode_global_id("Community", await place_id(session, COMMUNITY))
    body = await gql(COMMUNITY_RETIRE, id=mine, reason="撤并")
    assert problems(body["data"]["communityRetire"]) == {"id": "HAS_COMPOUNDS"}


# --- compounds ------------------------------------------------------------------------------


async def test_a_community_creates_a_compound_with_every_column(
    gql_as: GqlAs, session: AsyncSession
) -> None:
    """compoundCreate by the community's unit: every column stored, the town follows the
    community, the name normalised as the sync matches it; the audit entry keeps every value."""
    community = await gql_as(COMMUNITY_UNIT)
    body = await community(COMPOUND_CREATE, input=compound_input())
    result = body["data"]["compoundCreate"]
    assert result["__typename"] == "CompoundChangeSuccess", result
    compound = result["compound"]
    assert compound["town"]["code"] == TOWN and compound["community"]["code"] == COMMUNITY
    assert (compound["households"], compound["floorArea"], compound["builtYear"]) == (
        320,
        30500.5,
        2015,
    )
    assert compound["warrantyEnd"] == "2017-10-01"
    row = await session.scalar(sa.select(Compound).where(Compound.code == "150627100001901"))
    assert row is not None and row.normalized_name == "锦华苑" and row.source is None
    entry = await last_entry(session, "compoundCreate")
    assert entry.actor_unit == COMMUNITY_UNIT and entry.subject_id == str(row.id)
    assert entry.detail is not None
    assert entry.detail["changes"]["warranty_end"] == {"before": None, "after": "2017-10-01"}
    assert entry.detail["changes"]["community_code"]["after"] == COMMUNITY


async def test_compound_fields_are_checked_each_with_its_code(gql: GraphQLCall) -> None:
    """Negative households, a year before 1949, a negative area and a code with a space are
    refused together, each with its stable code."""
    body = await gql(
        COMPOUND_CREATE,
        input=compound_input(code="a b", households=-1, builtYear=1900, floorArea=-3.0),
    )
    assert problems(body["data"]["compoundCreate"]) == {
        "code": "CODE_FORMAT",
        "households": "OUT_OF_RANGE",
        "floorArea": "OUT_OF_RANGE",
        "builtYear": "OUT_OF_RANGE",
    }


async def test_a_compound_name_is_unique_in_its_town_once_normalised(gql: GraphQLCall) -> None:
    """民悦A区 exists in the seat town; 民悦Ａ区小区 is the same name once normalised."""
    body = await gql(COMPOUND_CREATE, input=compound_input(name="民悦Ａ区小区"))
    assert problems(body["data"]["compoundCreate"]) == {"name": "DUPLICATE"}


async def test_compounds_stay_in_the_jurisdiction(gql_as: GqlAs, session: AsyncSession) -> None:
    """A community cannot create a compound in another community, nor change one there; a
    department (城管局) manages no compound."""
    community = await gql_as(COMMUNITY_UNIT)
    elsewhere = compound_input(communityCode=f"{TOWN}002", code="150627100002901")
    body = await community(COMPOUND_CREATE, input=elsewhere)
    assert problems(body["data"]["compoundCreate"]) == {"communityCode": "NOT_FOUND"}
    other = await session.scalar(
        sa.select(Compound.id)
        .join(Jurisdiction, Jurisdiction.id == Compound.community_id)
        .where(Jurisdiction.code != COMMUNITY)
        .order_by(Compound.id)
    )
    assert other is not None
    body = await community(
        COMPOUND_UPDATE, id=encode_global_id("Compound", other), input={"households": 1}
    )
    assert body["data"]["compoundUpdate"]["__typename"] == "ValidationFailed"
    assert body["data"]["compoundUpdate"]["field"] == "id"
    department = await gql_as("cgj")
    body = await department(COMPOUND_CREATE, input=compound_input())
    assert body["data"]["compoundCreate"]["__typename"] == "NotPermitted"


async def test_a_compound_moves_to_another_community_and_its_town_follows(
    gql: GraphQLCall, session: AsyncSession
) -> None:
    """compoundUpdate with a community of another town moves the town too; a null clears an
    optional column; the entry has the before and after of each changed field only."""
    created = await gql(COMPOUND_CREATE, input=compound_input())
    compound = created["data"]["compoundCreate"]["compound"]
    target = await session.scalar(
        sa.select(Jurisdiction.code)
        .where(Jurisdiction.parent_id == await place_id(session, "150627101"))
        .order_by(Jurisdiction.code)
    )
    assert target is not None
    body = await gql(
        COMPOUND_UPDATE, id=compound["id"], input={"communityCode": target, "address": None}
    )
    result = body["data"]["compoundUpdate"]
    assert result["__typename"] == "CompoundChangeSuccess", result
    assert result["compound"]["town"]["code"] == "150627101"
    assert result["compound"]["address"] is None
    assert {c["field"] for c in result["changes"]} == {"communityCode", "address"}
    entry = await last_entry(session, "compoundUpdate")
    assert entry.detail is not None
    assert entry.detail["changes"]["community_code"] == {"before": COMMUNITY, "after": target}
    assert set(entry.detail["changes"]) == {"community_code", "address"}


async def test_a_retired_compound_drops_out_of_lists_but_keeps_its_id(
    gql: GraphQLCall, session: AsyncSession
) -> None:
    """After compoundRetire the compound is not in compounds(…) nor Community.compounds, and
    node(id) still answers it with its retirement."""
    created = await gql(COMPOUND_CREATE, input=compound_input())
    compound = created["data"]["compoundCreate"]["compound"]["id"]
    listed = """query($c: String!) {
      compounds(first: 100, filter: {communityCode: $c}) { totalCount nodes { id } }
      towns { communities { code compounds { id } } }
    }"""

    def ids(body: dict[str, Any]) -> tuple[set[str], set[str]]:
        roots = {n["id"] for n in body["data"]["compounds"]["nodes"]}
        nested = {
            c["id"]
            for t in body["data"]["towns"]
            for community in t["communities"]
            if community["code"] == COMMUNITY
            for c in community["compounds"]
        }
        return roots, nested

    before = await gql(listed, c=COMMUNITY)
    assert all(compound in found for found in ids(before))
    body = await gql(COMPOUND_RETIRE, id=compound, reason="重复录入")
    assert body["data"]["compoundRetire"]["compound"]["retiredReason"] == "重复录入"
    after = await gql(listed, c=COMMUNITY)
    assert not any(compound in found for found in ids(after))
    total = before["data"]["compounds"]["totalCount"] - after["data"]["compounds"]["totalCount"]
    assert total == 1
    node = await gql(
        "query($id: ID!) { node(id: $id) { ... on Compound { retiredAt } } }", id=compound
    )
    assert node["data"]["node"]["retiredAt"] is not None
    again = await gql(COMPOUND_RETIRE, id=compound, reason="再次")
    assert problems(again["data"]["compoundRetire"]) == {"id": "RETIRED"}
