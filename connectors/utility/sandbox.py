"""A fake utility company API implementing ``CONTRACT.md``, for tests, demos and integrators.

One app per company (``unit_code``: ``utility-water`` …), each with its own API key in
``X-Api-Key`` and its own records (``sandbox_data``). Streams under ``/api/v1`` with offset
paging in the envelope ``{"results": […], "offset", "limit", "total"}``; inserts and updates are
made here as the company would make them.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response

from connectors.enums import UtilityKind
from connectors.sandbox_kit import (
    ApiKeyCheck,
    Body,
    Clock,
    Faults,
    MakeContext,
    PageInfo,
    PagingKind,
    Sandbox,
    Sleep,
    StreamDef,
    World,
    WorldIndex,
    day,
    index_of,
    iso,
    sandbox_app,
    utc_now,
    utility_demo_api_key,
)
from connectors.utility.client import API, API_KEY_HEADER, utility_kind_of, utility_source
from connectors.utility.sandbox_data import OUTAGE_REASONS, build_records, compound_name, task_body


def create_app(
    *,
    world: World,
    unit_code: str = "utility-water",
    kind: UtilityKind | None = None,
    faults: Faults | None = None,
    extra_records: int = 0,
    extra_stream: str = "connection_tasks",
    credentials: Iterable[str] | None = None,
    clock: Clock = utc_now,
    sleep: Sleep = asyncio.sleep,
) -> Starlette:
    """The sandbox of one utility company serving ``world``; ``credentials`` are its API keys
    (demo by default).

    ``app.state.sandbox`` is its ``Sandbox``.
    """
    kind = kind or utility_kind_of(unit_code)
    demo = index_of(world)
    sandbox = Sandbox(
        name=utility_source(unit_code),
        streams=_streams(demo, kind),
        build=partial(build_records, demo, world.seed, kind),
        seed=world.seed,
        today=world.today,
        faults=faults,
        clock=clock,
        sleep=sleep,
        extra_records=extra_records,
        extra_stream=extra_stream,
    )
    keys = ApiKeyCheck(
        credentials or [utility_demo_api_key(unit_code)], refuse=_refuse, header=API_KEY_HEADER
    )
    return sandbox_app(
        sandbox, authenticate=keys.authenticate, envelope=_envelope, error_body=_error_body
    )


def _envelope(records: list[Body], info: PageInfo, next_link: str | None) -> Body:
    return {"results": records, "offset": info.offset, "limit": info.size, "total": info.total}


def _error_body(status: int, code: str, message: str) -> Body:
    return {"error": code, "message": message}


def _refuse(code: str, message: str) -> Response:
    return JSONResponse(_error_body(401, code, message), 401)


def _streams(demo: WorldIndex, kind: UtilityKind) -> list[StreamDef]:
    """The streams, with how the company creates and updates their records."""
    compounds = [(demo.compound[c["id"]], c["households"]) for c in demo.compound_rows]

    def make_task(ctx: MakeContext) -> tuple[str, Body]:
        (town, name), households = ctx.rng.choice(compounds)
        planned = ctx.now.date() + timedelta(days=ctx.rng.randint(7, 60))
        kind_text = ctx.rng.choice(("管网入户", "入表"))
        body = {
            "townCode": town,
            "compoundName": compound_name(ctx.rng, name),
            **task_body(kind_text, "计划", households, planned, planned + timedelta(days=90), None),
        }
        return f"CT-{ctx.built + ctx.serial:06d}", body

    def make_outage(ctx: MakeContext) -> tuple[str, Body]:
        (town, name), households = ctx.rng.choice(compounds)
        body = {
            "townCode": town,
            "compoundName": compound_name(ctx.rng, name),
            "startsAt": iso(ctx.now - timedelta(minutes=ctx.rng.randint(0, 360))),
            "endsAt": None,
            "reason": ctx.rng.choice(OUTAGE_REASONS[kind]),
            "affectedHouseholds": ctx.rng.randint(1, households),
        }
        return f"OUT-{ctx.built + ctx.serial:06d}", body

    return [
        StreamDef(
            "connection_tasks",
            f"{API}/connection-tasks",
            PagingKind.OFFSET,
            "households",
            _touch_task,
            make_task,
        ),
        StreamDef(
            "outages",
            f"{API}/outages",
            PagingKind.OFFSET,
            "affectedHouseholds",
            _touch_outage,
            make_outage,
        ),
    ]


_NEXT_STATUS = {"计划": "施工中", "施工中": "已完成"}


def _touch_task(body: Body, rng: random.Random, now: datetime) -> Body:
    status = _NEXT_STATUS.get(body["status"])
    if status is None:  # done or cancelled: a recount of the households
        body["households"] += 1
    else:
        body["status"] = status
        if status == "已完成":
            body["completedOn"] = day(now.date())
    return body


def _touch_outage(body: Body, rng: random.Random, now: datetime) -> Body:
    if body["endsAt"] is None:
        body["endsAt"] = iso(max(now, datetime.fromisoformat(body["startsAt"])))
    else:
        body["affectedHouseholds"] += 1
    return body
