"""Pagination edges and bad input: clear errors with extensions.code, never a 500 or a trace."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable

import httpx
import pytest

from hub.graphql.relay import encode_global_id
from tests.conftest import COMPETENT_DEPARTMENT, GraphQLCall

PAGE = """query($first: Int!, $after: String, $order: EnterpriseOrder) {
  enterprises(first: $first, after: $after, orderBy: $order) {
    totalCount edges { cursor node { uscc } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


@pytest.mark.parametrize("order", ["NAME", "USCC", "CREDIT_SCORE_DESC"])
async def test_paging_visits_every_enterprise_once(gql: GraphQLCall, order: str) -> None:
    """Following endCursor in pages of 7 yields each enterprise exactly once, in order."""
    everything = (await gql(PAGE, first=100, order=order))["data"]["enterprises"]
    expected = [e["node"]["uscc"] for e in everything["edges"]]
    assert len(expected) == everything["totalCount"]

    seen: list[str] = []
    after = None
    while True:
        page = (await gql(PAGE, first=7, after=after, order=order))["data"]["enterprises"]
        seen += [e["node"]["uscc"] for e in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert seen == expected


async def test_last_page_and_empty_page(gql: GraphQLCall) -> None:
    """The last page says no more follow; a page after the last item is empty; first 0 is empty."""
    everything = (await gql(PAGE, first=100))["data"]["enterprises"]
    last_cursor = everything["edges"][-1]["cursor"]
    before_last = everything["edges"][-2]["cursor"]

    last = (await gql(PAGE, first=5, after=before_last))["data"]["enterprises"]
    assert len(last["edges"]) == 1 and last["pageInfo"]["hasNextPage"] is False

    empty = (await gql(PAGE, first=5, after=last_cursor))["data"]["enterprises"]
    assert empty["edges"] == []
    assert empty["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": None,
        "endCursor": None,
    }
    assert empty["totalCount"] == everything["totalCount"]

    zero = (await gql(PAGE, first=0))["data"]["enterprises"]
    assert zero["edges"] == [] and zero["pageInfo"]["hasNextPage"] is True


def only_error(body: dict[str, object]) -> dict[str, object]:
    errors = body["errors"]
    assert isinstance(errors, list) and len(errors) == 1, errors
    error = errors[0]
    assert "traceback" not in str(error).lower() and 'File "' not in str(error)
    return error  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("variables", "needle"),
    [
        ({"first": 101}, "between 0 and 100"),
        ({"first": -1}, "between 0 and 100"),
        ({"first": 5, "after": "garbage!"}, "the cursor is not one of this list's"),
        (
            {"first": 5, "after": base64.urlsafe_b64encode(b'["USCC", ["x", 1]]').decode()},
            "the cursor is not one of this list's (malformed)",  # the old format
        ),
        (
            {
                "first": 5,
                "after": base64.urlsafe_b64encode(b'["enterprises","USCC",["x",1]]').decode(),
            },
            "another ordering",
        ),
    ],
)
async def test_bad_page_arguments_are_bad_user_input(
    gql: GraphQLCall, variables: dict[str, object], needle: str
) -> None:
    """first > 100, first < 0, a malformed or foreign cursor → BAD_USER_INPUT with a message."""
    body = await gql(PAGE, **variables)
    error = only_error(body)
    assert needle in str(error["message"])
    assert error["extensions"]["code"] == "BAD_USER_INPUT"  # type: ignore[index]
    assert body["data"] is None


@pytest.mark.parametrize(
    ("query", "variables", "code", "needle"),
    [
        (
            "query($id: ID!) { node(id: $id) { id } }",
            {"id": "bm9wZQ=="},
            "BAD_USER_INPUT",
            "not a valid global ID",
        ),
        (
            "query($id: ID!) { node(id: $id) { id } }",
            {"id": "%%%"},
            "BAD_USER_INPUT",
            "not a valid global ID",
        ),
        (
            "query($id: ID!) { node(id: $id) { id } }",
            {"id": encode_global_id("Spaceship", 1)},
            "BAD_USER_INPUT",
            "cannot be fetched",
        ),
        (
            "query($id: ID!) { node(id: $id) { id } }",
            {"id": encode_global_id("Enterprise", 999999)},
            "NOT_FOUND",
            "no Enterprise",
        ),
        (
            "query($id: ID) { compound(id: $id) { id } }",
            {"id": encode_global_id("Enterprise", 1)},
            "BAD_USER_INPUT",
            "expected a Compound",
        ),
        (
            "query($u: String) { enterprise(uscc: $u) { id } }",
            {"u": "91350200776049653B"},
            "BAD_USER_INPUT",
            "check character is B, expected A",
        ),
        (
            "query($u: String) { enterprise(uscc: $u) { id } }",
            {"u": "91350200776049653A"},
            "NOT_FOUND",
            "no enterprise has the USCC",
        ),
        ("{ enterprise { id } }", {}, "BAD_USER_INPUT", "exactly one of uscc and id"),
        (
            "query($c: String) { compound(code: $c) { id } }",
            {"c": "nope"},
            "NOT_FOUND",
            "no compound has the code",
        ),
        (
            '{ enterprises(filter: {uscc: "123"}) { totalCount } }',
            {},
            "BAD_USER_INPUT",
            "filter.uscc: a USCC has 18 characters",
        ),
        (
            '{ compounds(filter: {townCode: "999"}) { totalCount } }',
            {},
            "BAD_USER_INPUT",
            "filter.townCode: no town or community has the code",
        ),
        (
            '{ statistics(townCode: "999") { scopeName } }',
            {},
            "BAD_USER_INPUT",
            "townCode: no town has the code",
        ),
        (
            "{ enterprises(filter: {status: DISSOLVED}) { totalCount } }",
            {},
            "BAD_USER_INPUT",
            "DISSOLVED",
        ),
        ("{ enterprises { nope } }", {}, "BAD_USER_INPUT", "nope"),
        ('{ enterprises(first: "ten") { totalCount } }', {}, "BAD_USER_INPUT", "Int"),
    ],
)
async def test_bad_input_gets_a_coded_error(
    client: httpx.AsyncClient,
    api_key: Callable[[str], Awaitable[str]],
    query: str,
    variables: dict[str, object],
    code: str,
    needle: str,
) -> None:
    """Malformed IDs, unknown records, invalid USCCs and bad filters: a coded error, no 500."""
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {await api_key(COMPETENT_DEPARTMENT)}"},
    )
    assert response.status_code in (200, 400)
    error = only_error(response.json())
    assert error["extensions"]["code"] == code, error  # type: ignore[index]
    assert needle in str(error["message"])


async def test_get_serves_queries(client: httpx.AsyncClient) -> None:
    """GET /graphql?query=… answers queries (GraphQL over HTTP)."""
    response = await client.get("/graphql", params={"query": "{ towns { code name } }"})
    assert response.status_code == 200
    assert len(response.json()["data"]["towns"]) == 8
    # Chinese text is sent as UTF-8, not as \u escapes.
    assert "阿勒腾席热镇".encode() in response.content


async def test_graphiql_is_served_in_development(client: httpx.AsyncClient) -> None:
    """A browser asking for HTML gets GraphiQL in development."""
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    """/healthz says the process is up; /readyz that the database is reachable and at head."""
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
