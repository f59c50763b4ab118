"""The hub's execution context (hub.graphql.execution) answers exactly as graphql-core's own.

Each document is sent to two apps over the same database and transaction: the hub as it runs
(``HubExecutionContext``), and the same hub with strawberry's plain execution context. Their
JSON bodies — data, errors, paths, codes — must be equal.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, ClassVar

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from hub.app import HubGraphQL, create_app
from hub.config import Settings
from hub.graphql.execution import HubExecutionContext
from tests.conftest import COMPETENT_DEPARTMENT, DEMO_TODAY

Post = Callable[[str, dict[str, Any] | None], Awaitable[list[dict[str, Any]]]]

NESTED = """query { enterprises(first: 100) { totalCount nodes {
  uscc name status
  credit { score grade records { category points validFrom validUntil } }
  contracts { startsOn endsOn selection compound { code name } }
  bids { price tender { code } }
  assessments { kind year total }
} } }"""

DOCUMENTS = {
    "the benchmark's query": (NESTED, None),
    "fragments, aliases, __typename and @include/@skip": (
        """query($yes: Boolean!, $no: Boolean!) {
          enterprises(first: 5, orderBy: CREDIT_SCORE_DESC) {
            pageInfo { hasNextPage endCursor }
            edges { cursor node { ...E all: contracts { __typename } } }
          }
        }
        fragment E on Enterprise {
          __typename id first: name name @include(if: $yes) uscc @skip(if: $yes)
          status @skip(if: $no)
          credit { ... on EnterpriseCredit { grade records(validOnly: true) { title } } }
          current: contracts(current: true) { ends: endsOn compound { ...C } }
          past: contracts(current: false) { endsOn tender { code } }
          assessments(year: 2025) { kind total compound { ...C } }
          provenance { source sourceLabel }
        }
        fragment C on Compound { code households warrantyEnd pastWarranty }""",
        {"yes": True, "no": False},
    ),
    "abstract types (node) and nullable objects": (
        """query($id: ID!) {
          node(id: $id) { __typename id ... on Enterprise { name awards { awardedOn } } }
        }""",
        "enterprise-id",
    ),
    "a bad argument (BAD_USER_INPUT at the root)": (
        "{ enterprises(first: 101) { nodes { name } } }",
        None,
    ),
    "tenders, bids and candidates": (
        """{ tenders(first: 20) { nodes { code status
              bids { price won enterprise { name } }
              candidates { rank totalScore } award { awardedOn } } } }""",
        None,
    ),
    "statistics (objects without relations)": (
        "{ statistics { total { compounds coverageRate } towns { code figures { households } } } }",
        None,
    ),
}


def _with_execution(app: Starlette, execution: type[Any]) -> Starlette:
    """The app with its GraphQL schema executing through ``execution``."""
    for route in app.routes:
        endpoint = getattr(route, "endpoint", None)
        if isinstance(endpoint, HubGraphQL):
            endpoint.schema.execution_context_class = execution
            return app
    raise AssertionError("no GraphQL route")


@pytest.fixture
async def post_both(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    api_key: Callable[[str], Awaitable[str]],
) -> AsyncIterator[Callable[..., Awaitable[list[dict[str, Any]]]]]:
    """Posts a document to the hub and to the hub with graphql-core's plain execution."""
    apps = [
        _with_execution(
            create_app(
                settings, engine=engine, sessionmaker=sessionmaker, clock=lambda: DEMO_TODAY
            ),
            execution,
        )
        for execution in (HubExecutionContext, StrawberryGraphQLCoreExecutionContext)
    ]
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test")
        for app in apps
    ]
    keys: dict[str | None, str] = {}

    async def post(
        query: str, variables: dict[str, Any] | None = None, *, unit: str | None = None
    ) -> list[dict[str, Any]]:
        headers = {}
        if unit is not None:
            keys.setdefault(unit, await api_key(unit))
            headers["Authorization"] = f"Bearer {keys[unit]}"
        bodies = []
        for client in clients:
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            assert response.status_code == 200, response.text
            body = response.json()
            for error in body.get("errors", ()):
                error.get("extensions", {}).pop("requestId", None)  # one per request
            bodies.append(body)
        return bodies

    yield post
    for client in clients:
        await client.aclose()


async def _enterprise_id(post: Callable[..., Awaitable[list[dict[str, Any]]]]) -> str:
    fast, _ = await post("{ enterprises(first: 1) { nodes { id } } }", unit=COMPETENT_DEPARTMENT)
    return str(fast["data"]["enterprises"]["nodes"][0]["id"])


@pytest.mark.parametrize("name", list(DOCUMENTS))
@pytest.mark.parametrize("unit", [COMPETENT_DEPARTMENT, None])
async def test_answers_equal_graphql_cores_execution(
    post_both: Callable[..., Awaitable[list[dict[str, Any]]]], name: str, unit: str | None
) -> None:
    """Each document gets the same data and the same errors (paths, codes, nulls propagated) from
    the hub's execution as from graphql-core's, as 住建局 and as the public (who may not see an
    enterprise's contracts, bids or assessments: errors inside lists of non-null items)."""
    query, variables = DOCUMENTS[name]
    if variables == "enterprise-id":
        variables = {"id": await _enterprise_id(post_both)}
    fast, plain = await post_both(query, variables, unit=unit)
    assert fast == plain
    assert fast.get("data") is not None or fast.get("errors")


async def test_public_errors_propagate_to_the_nearest_nullable_field(
    post_both: Callable[..., Awaitable[list[dict[str, Any]]]],
) -> None:
    """For the public, the first enterprise's refused contracts (a non-null list in a non-null
    list item) null the whole answer, with one error at that path, as graphql-core does."""
    fast, plain = await post_both(NESTED, None, unit=None)
    assert fast == plain
    assert fast["data"] is None
    assert [(e["path"], e["extensions"]["code"]) for e in fast["errors"]] == [
        (["enterprises", "nodes", 0, "contracts"], "UNAUTHENTICATED")
    ]


class _CountingDirectCalls(HubExecutionContext):
    """The hub's execution, counting the resolvers it calls without strawberry's wrapper."""

    calls: ClassVar[dict[str, int]] = {}

    def _execute_directly(self, call: Any, parent_type: Any, *args: Any) -> Any:
        name = f"{parent_type.name}.{call.nodes[0].name.value}"
        self.calls[name] = self.calls.get(name, 0) + 1
        return super()._execute_directly(call, parent_type, *args)


async def test_relation_fields_are_called_without_strawberrys_wrapper(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    api_key: Callable[[str], Awaitable[str]],
) -> None:
    """The relation fields of the benchmark's query (no arguments given) call their resolver
    functions directly, once per parent; fields given arguments keep strawberry's road."""
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker, clock=lambda: DEMO_TODAY)
    _with_execution(app, _CountingDirectCalls)
    _CountingDirectCalls.calls.clear()
    headers = {"Authorization": f"Bearer {await api_key(COMPETENT_DEPARTMENT)}"}
    query = NESTED.replace("contracts {", "contracts(current: true) {")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        response = await client.post("/graphql", json={"query": query}, headers=headers)
    nodes = response.json()["data"]["enterprises"]["nodes"]
    calls = _CountingDirectCalls.calls
    assert calls["Enterprise.bids"] == calls["Enterprise.assessments"] == len(nodes)
    assert calls["EnterpriseCredit.records"] == len(nodes)
    assert calls["TenderBid.tender"] == sum(len(n["bids"]) for n in nodes)
    assert calls["ServiceContract.compound"] == sum(len(n["contracts"]) for n in nodes)
    assert "Enterprise.contracts" not in calls
