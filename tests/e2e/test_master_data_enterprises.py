"""Enterprises' local data over GraphQL: 住建局 registers an enterprise not yet on the Ordos
platform and changes it; the answer says which source each field came from, and once the
platform's copy syncs (matched by USCC) its fields win and the record is no longer changed here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.core import Entity, MappedRecord
from hub.domain.enums import EnterpriseStatus
from hub.domain.identifiers import uscc_check_char
from hub.store.models import AuditEntry, Enterprise
from hub.sync.apply import apply_page
from hub.sync.resolver import Resolver
from tests.conftest import DEMO_TODAY, GraphQLCall

GqlAs = Callable[[str | None], Awaitable[GraphQLCall]]
BODY = "91150627MA0T00011"
USCC = BODY + uscc_check_char(BODY)

SUCCESS = """
    __typename
    ... on EnterpriseLocalChangeSuccess {
      enterprise { id uscc name areaCode status provenance { source } }
      changes { field before after }
      fieldSources { field source sourceLabel }
    }
    ... on ValidationFailed { message field problems { field code } }
    ... on NotPermitted { message }
"""
CREATE = f"""mutation($input: EnterpriseLocalCreateInput!) {{
  enterpriseLocalCreate(input: $input) {{ {SUCCESS} }}
}}"""
UPDATE = f"""mutation($id: ID!, $input: EnterpriseLocalUpdateInput!) {{
  enterpriseLocalUpdate(id: $id, input: $input) {{ {SUCCESS} }}
}}"""


def enterprise_input(**fields: Any) -> dict[str, Any]:
    return {
        "uscc": USCC,
        "name": "伊金霍洛旗安居物业服务有限公司",
        "legalRepresentative": "张宏伟",
        "registeredAddress": "阿勒腾席热镇文化东街8号",
        "registeredCapital": 500.0,
        "foundedOn": "2025-03-18",
        **fields,
    }


def problems(result: dict[str, Any]) -> dict[str, str]:
    assert result["__typename"] == "ValidationFailed", result
    return {p["field"]: p["code"] for p in result["problems"]}


async def test_a_local_enterprise_says_its_fields_are_local(
    gql: GraphQLCall, session: AsyncSession
) -> None:
    """enterpriseLocalCreate by 住建局: the area code is the USCC's, every field's source is
    `local`, and the change is audited."""
    body = await gql(CREATE, input=enterprise_input())
    result = body["data"]["enterpriseLocalCreate"]
    assert result["__typename"] == "EnterpriseLocalChangeSuccess", result
    assert result["enterprise"]["areaCode"] == "150627"
    assert result["enterprise"]["status"] == "ACTIVE"
    assert result["enterprise"]["provenance"]["source"] == "local"
    sources = {s["field"]: (s["source"], s["sourceLabel"]) for s in result["fieldSources"]}
    assert set(sources) >= {"uscc", "name", "legalRepresentative", "registeredCapital"}
    assert set(sources.values()) == {("local", "本系统录入")}
    entry = await session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "enterpriseLocalCreate")
    )
    assert entry is not None and entry.outcome == "ok" and entry.detail is not None
    assert entry.detail["changes"]["uscc"]["after"] == USCC


async def test_local_enterprise_fields_are_checked(gql: GraphQLCall) -> None:
    """A wrong check character, a negative capital and a founding day in the future are
    refused together; a USCC already registered is DUPLICATE."""
    wrong = BODY + ("0" if USCC[-1] != "0" else "1")
    body = await gql(
        CREATE,
        input=enterprise_input(uscc=wrong, registeredCapital=-1.0, foundedOn="2027-01-01"),
    )
    assert problems(body["data"]["enterpriseLocalCreate"]) == {
        "uscc": "USCC_CHECK_CHARACTER",
        "registeredCapital": "OUT_OF_RANGE",
        "foundedOn": "OUT_OF_RANGE",
    }
    await gql(CREATE, input=enterprise_input())
    again = await gql(CREATE, input=enterprise_input(name="另一家"))
    assert problems(again["data"]["enterpriseLocalCreate"]) == {"uscc": "DUPLICATE"}


async def test_only_the_competent_department_writes_enterprises(gql_as: GqlAs) -> None:
    """A town (no write:enterprises) is NotPermitted."""
    town = await gql_as("town-150627100")
    body = await town(CREATE, input=enterprise_input())
    assert body["data"]["enterpriseLocalCreate"]["__typename"] == "NotPermitted"


async def test_the_platforms_copy_wins_once_it_syncs(
    gql: GraphQLCall, session: AsyncSession
) -> None:
    """A local enterprise is changed here until the Ordos platform's record with its USCC is
    synced: then every field is the platform's, the answer's sources say so, and a local change
    is refused (SYNCED)."""
    created = await gql(CREATE, input=enterprise_input())
    enterprise = created["data"]["enterpriseLocalCreate"]["enterprise"]["id"]
    changed = await gql(UPDATE, id=enterprise, input={"registeredCapital": 800.0})
    result = changed["data"]["enterpriseLocalUpdate"]
    assert result["changes"] == [
        {"field": "registeredCapital", "before": "500.0", "after": "800.0"}
    ]

    record = MappedRecord(
        entity=Entity.ENTERPRISE,
        source_id="ENT-LOCAL-1",
        cursor=DEMO_TODAY,
        fields={
            "uscc": USCC,
            "name": "伊金霍洛旗安居物业服务有限责任公司",
            "legal_representative": "张宏伟",
            "registered_address": "阿勒腾席热镇文化东街8号",
            "area_code": "150627",
            "registered_capital": 1000.0,
            "founded_on": date(2025, 3, 18),
            "status": EnterpriseStatus.ACTIVE,
            "credit_score": None,
            "credit_grade": None,
            "credit_evaluated_on": None,
        },
        content_hash="platform-copy",
    )
    outcome = await apply_page(
        session,
        source="ordos",
        stream="enterprises",
        items=[record],
        raw_by_id={},
        resolver=Resolver("ordos"),
        now=DEMO_TODAY,
    )
    assert outcome.updated == 1  # adopted by USCC, not inserted beside the local row
    await session.commit()
    rows = (await session.scalars(sa.select(Enterprise).where(Enterprise.uscc == USCC))).all()
    assert len(rows) == 1 and rows[0].source == "ordos" and rows[0].registered_capital == 1000.0

    read = await gql(
        "query($id: ID!) { node(id: $id) { ... on Enterprise { name provenance { source } } } }",
        id=enterprise,
    )
    assert read["data"]["node"] == {
        "name": "伊金霍洛旗安居物业服务有限责任公司",
        "provenance": {"source": "ordos"},
    }
    refused = await gql(UPDATE, id=enterprise, input={"name": "本地改名"})
    result = refused["data"]["enterpriseLocalUpdate"]
    assert problems(result) == {"id": "SYNCED"}
    assert "以平台数据为准" in result["message"]
