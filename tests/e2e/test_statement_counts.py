"""The number of SQL statements per request does not grow with the page size (DataLoaders)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import GraphQLCall, StatementCounter

# Each loader appears at one level only, so the count is exactly: page + count + one statement
# per relation (DESIGN.md, M2).
NESTED = """query($first: Int!) {
  enterprises(first: $first) {
    totalCount
    nodes {
      uscc name
      credit { score grade records { category points } history { score } }
      contracts { current compound { name community { name } committee { status } }
                  tender { code } }
      bids { price tender { code status } }
      awards { awardedOn }
      assessments { kind total items { points } }
    }
  }
}"""
NESTED_RELATIONS = 13  # contracts, compounds, jurisdictions, committees, tenders, bids, awards,
# credit records, credit grades, assessments, assessment items, + page and count

# Compounds are reached at two levels (contracts → compound, bids → tender → compound): a
# bigger page may find every compound of the deeper level already loaded and skip its query.
DEEP = """query($first: Int!) {
  enterprises(first: $first) {
    nodes {
      compoundsServed { name town { name } }
      bids { won tender { compound { name community { name } } candidates { rank } } }
    }
  }
}"""


async def _selects(
    gql: GraphQLCall, start: Callable[[], StatementCounter], query: str, **v: Any
) -> int:
    counter = start()
    body = await gql(query, **v)
    assert "errors" not in body, body["errors"]
    return len([s for s in counter.statements if s.lstrip().upper().startswith("SELECT")])


async def _count(
    gql: GraphQLCall, start: Callable[[], StatementCounter], query: str, first: int
) -> int:
    """SELECTs of the query, less those of authenticating the caller (the same for every
    request: measured with a query that reads nothing)."""
    authentication = await _selects(gql, start, "{ __typename }")
    return await _selects(gql, start, query, first=first) - authentication


async def test_statement_count_is_the_same_for_1_10_and_100_enterprises(
    gql: GraphQLCall, count_statements: Callable[[], StatementCounter]
) -> None:
    """enterprises(first: 1, 10, 100) with nested compounds, credit, tenders and assessments run
    the same number of SELECTs: one per relation, plus the page and its count."""
    counts = {first: await _count(gql, count_statements, NESTED, first) for first in (1, 10, 100)}
    assert counts == {1: NESTED_RELATIONS, 10: NESTED_RELATIONS, 100: NESTED_RELATIONS}


@pytest.mark.parametrize("repeat", range(3))
async def test_statement_count_never_grows_with_the_page(
    gql: GraphQLCall, count_statements: Callable[[], StatementCounter], repeat: int
) -> None:
    """With a relation reached at several levels, a bigger page never needs more statements."""
    counts = [await _count(gql, count_statements, DEEP, first) for first in (1, 10, 100)]
    assert counts[2] <= counts[1] <= counts[0] <= 12, counts
