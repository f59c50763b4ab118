"""Both doors give the same answer to every root field, for every role (generated, not chosen).

For each root query field of the schema a document is generated (its required arguments filled,
its leaves selected one level down, connections through ``nodes``), and each role of the role
table sends all of them through HTTP and through one WebSocket of a served hub. Answers must be
equal: the same data, the same error messages and codes. A new root field, a new role or a new
leaf is covered without anyone adding it here.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    get_named_type,
)

from hub.config import Settings
from hub.domain.access import Role
from hub.graphql.schema import build_schema
from tests.doors import Serve, comparable, ws_operation
from tests.doors import serve as serve  # the fixture
from tests.e2e.test_access import UNIT_OF_ROLE
from tests.ws_client import connect

SAMPLE_SCALARS: dict[str, str] = {
    "String": '"150627197511023181"',
    "Int": "2025",
    "Float": "1.5",
    "Boolean": "true",
    "ID": '"' + base64.b64encode(b"Compound:1").decode() + '"',
    "Date": '"2026-01-01"',
    "DateTime": '"2026-01-01T00:00:00Z"',
}
"""A value for each scalar argument that must be given (an ID number where a String is asked: it
exercises the personal-data paths of the fields that take one)."""


def _argument(type_: Any) -> str | None:
    named = get_named_type(type_)
    if isinstance(named, GraphQLEnumType):
        return next(iter(named.values))
    if isinstance(named, GraphQLScalarType):
        return SAMPLE_SCALARS.get(named.name)
    if isinstance(named, GraphQLInputObjectType):
        return None
    return None


def _leaves(type_: Any) -> str | None:
    """A selection of the type's leaves without required arguments (one level)."""
    named = get_named_type(type_)
    if isinstance(named, GraphQLScalarType | GraphQLEnumType):
        return ""
    if isinstance(named, GraphQLUnionType):
        return "{ __typename }"
    assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
    fields = named.fields
    if "nodes" in fields and "totalCount" in fields:
        inner = _leaves(fields["nodes"].type)
        return f"{{ totalCount nodes {inner} }}" if inner else "{ totalCount }"
    names = [
        name
        for name, field in fields.items()
        if isinstance(get_named_type(field.type), GraphQLScalarType | GraphQLEnumType)
        and not any(isinstance(a.type, GraphQLNonNull) for a in field.args.values())
    ]
    return "{ " + " ".join(["__typename", *names]) + " }"


def _document(name: str, field: GraphQLField) -> str | None:
    arguments = []
    for arg_name, arg in field.args.items():
        if arg_name == "first":
            arguments.append("first: 3")
        elif isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined:
            value = _argument(arg.type)
            if value is None:
                return None  # an input object is required: the fuzz test covers these
            arguments.append(f"{arg_name}: {value}")
    selection = _leaves(field.type)
    if selection is None:
        return None
    args = f"({', '.join(arguments)})" if arguments else ""
    return f"{{ {name}{args} {selection} }}"


def root_documents(schema: GraphQLSchema) -> dict[str, str]:
    """A document for every root query field that can be generated."""
    query = schema.query_type
    assert query is not None
    documents = {}
    for name, field in sorted(query.fields.items()):
        document = _document(name, field)
        if document is not None:
            documents[name] = document
    return documents


DOCUMENTS = root_documents(build_schema()._schema)


def test_the_generated_documents_cover_the_root_fields() -> None:
    """Nearly every root field has a document (only those needing an input object are left)."""
    query = build_schema()._schema.query_type
    assert query is not None
    missing = sorted(set(query.fields) - set(DOCUMENTS))
    for name in missing:
        field = query.fields[name]
        assert any(
            isinstance(a.type, GraphQLNonNull)
            and isinstance(get_named_type(a.type), GraphQLInputObjectType)
            for a in field.args.values()
        ), name
    assert len(DOCUMENTS) >= len(query.fields) - 3, missing


def test_every_role_is_a_caller_here() -> None:
    """The roles of the role table are all sent (a new role must be given a unit)."""
    assert set(UNIT_OF_ROLE) == set(Role)


@pytest.mark.parametrize("role", list(UNIT_OF_ROLE), ids=[r.value for r in UNIT_OF_ROLE])
async def test_both_doors_answer_alike_for_every_root_field(
    role: Role, serve: Serve, api_key: Callable[[str], Awaitable[str]]
) -> None:
    """HTTP and WebSocket give equal answers to each generated root document, for this role."""
    unit = UNIT_OF_ROLE[role]
    key = await api_key(unit) if unit else None
    headers = [("Authorization", f"Bearer {key}")] if key else []
    # Rates and budgets count every request: the comparison is of the other rules.
    settings = Settings(
        database_url="sqlite+aiosqlite:///:memory:",
        rate_limit_client=None,
        rate_limit_ip=None,
        cost_budget=None,
        rate_limit_fields={},
    )
    differences: dict[str, Any] = {}
    async with serve(settings) as url:
        async with httpx.AsyncClient(base_url=url, headers=dict(headers)) as http:
            over_http = {}
            for name, document in DOCUMENTS.items():
                response = await http.post("/graphql", json={"query": document})
                assert response.status_code < 500, (name, response.text)
                over_http[name] = response.json()
        async with connect(url, headers=headers) as ws:
            await ws.send_json({"type": "connection_init"})
            assert (await ws.receive_json())["type"] == "connection_ack"
            for index, (name, document) in enumerate(DOCUMENTS.items()):
                answer = await ws_operation(ws, {"query": document}, id=str(index))
                if comparable(answer) != comparable(over_http[name]):
                    differences[name] = (over_http[name], answer)
    assert not differences, differences
    for name, body in over_http.items():
        for error in body.get("errors", []):
            assert error["extensions"]["code"] != "INTERNAL", (name, error)
