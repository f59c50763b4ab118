"""The floor of M1: the answer to the benchmark's query built by hand, and served bare.

One SQL statement per relation (``WHERE enterprise_id IN (…)`` / ``id IN (…)``) through
SQLAlchemy Core ``text()`` on the hub's own engine, assembled into dicts in the orderings the
hub's loaders use and encoded as the hub encodes (``HubGraphQL.encode_json``). No GraphQL, no
ORM: what any implementation of the query has to pay at least. Used by enterprises_latency.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

FLOOR_PATH = "/bench/floor"

# One statement per relation, with the hub's orderings (the NAME ordering of
# hub/services/enterprises.py, the loaders of hub/graphql/loaders.py) and its rule that records
# the upstream deleted are left out of lists but not of look-ups by id (hub/services/records.py).
FLOOR_SQL = {
    "page": sa.text(
        "SELECT id, uscc, name, status, credit_score, credit_grade FROM enterprises "
        "WHERE deleted_at IS NULL ORDER BY name, id LIMIT :first"
    ),
    "count": sa.text("SELECT count(*) FROM enterprises WHERE deleted_at IS NULL"),
    "records": sa.text(
        "SELECT enterprise_id, category, points, valid_from, valid_until "
        "FROM enterprise_credit_records WHERE enterprise_id IN :ids AND deleted_at IS NULL "
        "ORDER BY recorded_on DESC, id"
    ),
    "contracts": sa.text(
        "SELECT enterprise_id, compound_id, starts_on, ends_on, selection FROM service_contracts "
        "WHERE enterprise_id IN :ids AND deleted_at IS NULL ORDER BY starts_on, id"
    ),
    "compounds": sa.text("SELECT id, code, name FROM compounds WHERE id IN :ids"),
    "bids": sa.text(
        "SELECT enterprise_id, tender_id, price FROM tender_bids "
        "WHERE enterprise_id IN :ids AND deleted_at IS NULL ORDER BY submitted_on, id"
    ),
    "tenders": sa.text("SELECT id, code FROM tenders WHERE id IN :ids"),
    "assessments": sa.text(
        "SELECT enterprise_id, kind, year, total FROM assessments "
        "WHERE enterprise_id IN :ids AND deleted_at IS NULL ORDER BY assessed_on, id"
    ),
}
for _name, _stmt in FLOOR_SQL.items():
    if ":ids" in _stmt.text:
        FLOOR_SQL[_name] = _stmt.bindparams(sa.bindparam("ids", expanding=True))


def _day(value: Any) -> Any:
    # asyncpg gives dates, SQLite (untyped text()) gives the ISO text already.
    return value.isoformat() if isinstance(value, date) else value


async def floor_data(connection: AsyncConnection, first: int) -> dict[str, Any]:
    """The answer to QUERY built by hand: the floor of what any implementation must do."""

    async def rows(name: str, **params: Any) -> Sequence[sa.Row[Any]]:
        return (await connection.execute(FLOOR_SQL[name], params)).all()

    page = await rows("page", first=first)
    total = (await connection.execute(FLOOR_SQL["count"])).scalar_one()
    nodes: dict[int, dict[str, Any]] = {}
    for e in page:
        nodes[e.id] = {
            "uscc": e.uscc,
            "name": e.name,
            "status": e.status,
            "credit": {"score": e.credit_score, "grade": e.credit_grade, "records": []},
            "contracts": [],
            "bids": [],
            "assessments": [],
        }
    if nodes:
        ids = list(nodes)
        for r in await rows("records", ids=ids):
            nodes[r.enterprise_id]["credit"]["records"].append(
                {
                    "category": r.category,
                    "points": r.points,
                    "validFrom": _day(r.valid_from),
                    "validUntil": _day(r.valid_until),
                }
            )
        contracts = await rows("contracts", ids=ids)
        compounds = {
            c.id: {"code": c.code, "name": c.name}
            for c in await rows("compounds", ids=list({c.compound_id for c in contracts}))
        }
        for c in contracts:
            nodes[c.enterprise_id]["contracts"].append(
                {
                    "startsOn": _day(c.starts_on),
                    "endsOn": _day(c.ends_on),
                    "selection": c.selection,
                    "compound": compounds[c.compound_id],
                }
            )
        bids = await rows("bids", ids=ids)
        tenders = {
            t.id: {"code": t.code}
            for t in await rows("tenders", ids=list({b.tender_id for b in bids}))
        }
        for b in bids:
            nodes[b.enterprise_id]["bids"].append(
                {"price": b.price, "tender": tenders[b.tender_id]}
            )
        for a in await rows("assessments", ids=ids):
            nodes[a.enterprise_id]["assessments"].append(
                {"kind": a.kind, "year": a.year, "total": a.total}
            )
    return {"enterprises": {"totalCount": total, "nodes": list(nodes.values())}}


def floor_route(engine: AsyncEngine) -> Route:
    """POST {"first": n}: the floor's answer, as ``{"data": …}`` encoded like the hub does."""

    async def floor(request: Request) -> Response:
        first = int((await request.json()).get("first", 100))
        async with engine.connect() as connection:
            data = await floor_data(connection, first)
        body = json.dumps({"data": data}, ensure_ascii=False, separators=(",", ":"))
        return Response(body.encode(), media_type="application/json")

    return Route(FLOOR_PATH, floor, methods=["POST"])


def first_difference(a: Any, b: Any, path: str = "$") -> str | None:
    """Where two decoded JSON values first differ (None when equal)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        for key in a:
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None if len(a) == len(b) else f"{path}: {len(a)} items != {len(b)}"
    return None if a == b else f"{path}: {a!r} != {b!r}"
