"""A fake 鄂尔多斯物业管理服务平台 implementing ``CONTRACT.md``, for tests, demos and integrators.

OAuth2 client credentials: ``POST /oauth/token`` (form fields or HTTP Basic) gives a bearer token
that expires ``token_ttl`` seconds later on the sandbox's clock. Streams under ``/api/v1`` with
page-number paging in the envelope ``{"code": 0, "message": "success", "data": {"records": […],
"page", "pageSize", "total"}}``. The records are the injected world's (``sandbox_data``); inserts
and updates (``/_sandbox/mutate``, ``mutate_during_paging``, ``extra_records``) are made here as
the platform would make them.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import partial

from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.ordos.client import API, TOKEN_PATH
from connectors.ordos.sandbox_data import build_records, enterprise_body
from connectors.sandbox_kit import (
    ORDOS_DEMO_CLIENT_ID,
    ORDOS_DEMO_CLIENT_SECRET,
    Body,
    Clock,
    Faults,
    Make,
    MakeContext,
    OAuth2Issuer,
    PageInfo,
    PagingKind,
    Sandbox,
    Sleep,
    StreamDef,
    Touch,
    World,
    WorldIndex,
    day,
    index_of,
    sandbox_app,
    utc_now,
)

_ADDRESS = "内蒙古自治区鄂尔多斯市伊金霍洛旗阿勒腾席热镇天骄路"


def create_app(
    *,
    world: World,
    faults: Faults | None = None,
    extra_records: int = 0,
    extra_stream: str = "credit_records",
    credentials: Mapping[str, str] | None = None,
    token_ttl: int = 3600,
    clock: Clock = utc_now,
    sleep: Sleep = asyncio.sleep,
) -> Starlette:
    """The Ordos platform sandbox serving ``world``; ``credentials`` maps client ids to secrets
    (demo by default).

    ``app.state.sandbox`` is its ``Sandbox``; ``app.state.tokens`` its token issuer.
    """
    demo = index_of(world)
    sandbox = Sandbox(
        name="ordos",
        streams=_streams(demo),
        build=partial(build_records, demo, world.seed),
        seed=world.seed,
        today=world.today,
        faults=faults,
        clock=clock,
        sleep=sleep,
        extra_records=extra_records,
        extra_stream=extra_stream,
    )
    tokens = OAuth2Issuer(
        credentials or {ORDOS_DEMO_CLIENT_ID: ORDOS_DEMO_CLIENT_SECRET},
        ttl=token_ttl,
        now=sandbox.now,
        refuse=_refuse,
        realm="ordos",
    )
    app = sandbox_app(
        sandbox,
        authenticate=tokens.authenticate,
        envelope=_envelope,
        error_body=_error_body,
        routes=[Route(TOKEN_PATH, tokens.issue, methods=["POST"])],
    )
    app.state.tokens = tokens
    return app


def _envelope(records: list[Body], info: PageInfo, next_link: str | None) -> Body:
    page = {"records": records, "page": info.page, "pageSize": info.size, "total": info.total}
    return {"code": 0, "message": "success", "data": page}


def _error_body(status: int, code: str, message: str) -> Body:
    return {"code": status, "message": f"{code}: {message}"}


def _refuse(code: str, message: str) -> Response:
    return JSONResponse(_error_body(401, code, message), 401)


# -- how records change ------------------------------------------------------------------------


def _streams(demo: WorldIndex) -> list[StreamDef]:
    """The streams, with how the platform creates and updates their records."""
    world = demo.world
    counts = {table: len(rows) for table, rows in world.tables.items()}
    inspectors = sorted(
        {
            demo.unit_name[a["assessor_id"]]
            for a in demo.rows("assessments")
            if a["source"] == "ordos"
        }
    )
    grades = world.published_grades
    lowest, highest = min(grades), max(grades)

    def new_id(prefix: str, table: str, ctx: MakeContext) -> str:
        # Continue the platform's numbering after the demo rows (which count local ones too).
        return f"{prefix}-{counts[table] + ctx.serial:06d}"

    def make_enterprise(ctx: MakeContext) -> tuple[str, Body]:
        founded = ctx.now.date() - timedelta(days=ctx.rng.randint(30, 3000))
        row = {
            "uscc": world.uscc(ctx.rng, area_code="150627", founded_on=founded),
            "name": f"伊金霍洛旗{world.brand(ctx.rng)}物业服务有限公司",
            "legal_representative": world.person_name(ctx.rng),
            "registered_address": f"{_ADDRESS}{ctx.rng.randint(1, 299)}号",
            "area_code": "150627",
            "registered_capital": 100.0,
            "founded_on": founded,
            "status": "ACTIVE",
            "credit_score": None,
            "credit_grade": None,
            "credit_evaluated_on": None,
        }
        return new_id("ENT", "enterprises", ctx), enterprise_body(demo, row)[0]

    def make_credit_record(ctx: MakeContext) -> tuple[str, Body]:
        good = ctx.rng.random() < 0.5
        on = ctx.now.date()
        body = {
            "enterpriseUscc": ctx.rng.choice(demo.active_usccs),
            "category": "良好信息" if good else "不良信息",
            "title": ctx.rng.choice(world.good_titles if good else world.bad_titles),
            "points": float(ctx.rng.randint(1, 5 if good else 10)),
            "level": ctx.rng.choice(("旗级", "镇级", "社区级")),
            "recordedOn": day(on),
            "validFrom": day(on),
            "validUntil": day(on.replace(year=on.year + 1)),
        }
        return new_id("CR", "enterprise_credit_records", ctx), body

    def make_credit_grade(ctx: MakeContext) -> tuple[str, Body] | None:
        taken = {
            b["enterpriseUscc"]
            for b in _bodies(ctx, "credit_grades")
            if b["evaluatedOn"] == day(ctx.now.date())
        }
        free = [u for u in demo.active_usccs if u not in taken]
        if not free:
            return None  # one grade per enterprise and day
        # The platform grades; the sandbox looks up the grade it publishes with the score.
        score = round(ctx.rng.uniform(lowest, highest), 1)
        body = {
            "enterpriseUscc": ctx.rng.choice(free),
            "evaluatedOn": day(ctx.now.date()),
            "score": score,
            "grade": grades[score],
        }
        return new_id("CG", "enterprise_credit_grades", ctx), body

    def make_project(ctx: MakeContext) -> tuple[str, Body]:
        town, name = ctx.rng.choice(list(demo.compound.values()))
        body = {
            "enterpriseUscc": ctx.rng.choice(demo.active_usccs),
            "compound": {"townCode": town, "name": name},
            "startsOn": day(ctx.now.date()),
            "endsOn": None,
            "selection": "业主委员会选聘",
            "tenderCode": None,
        }
        return new_id("CON", "service_contracts", ctx), body

    def make_inspection(ctx: MakeContext) -> tuple[str, Body] | None:
        current = [b for b in _bodies(ctx, "projects") if b["endsOn"] is None]
        if not current:
            return None
        project = ctx.rng.choice(current)
        picked = sorted(ctx.rng.sample(world.inspection_items, ctx.rng.randint(1, 2)))
        deductions = [ctx.rng.randint(1, 10) / 2 for _ in picked]
        items = [
            {
                "code": code,
                "name": name,
                "deduction": points,
                "note": ctx.rng.choice(world.inspection_notes),
            }
            for (code, name), points in zip(picked, deductions, strict=True)
        ]
        body = {
            "enterpriseUscc": project["enterpriseUscc"],
            "compound": project["compound"],
            "inspectedOn": day(ctx.now.date()),
            "inspector": ctx.rng.choice(inspectors),
            "totalDeduction": sum(deductions),
            "items": items,
        }
        return new_id("INSP", "assessments", ctx), body

    def stream(name: str, path: str, wrong_field: str, touch: Touch, make: Make) -> StreamDef:
        return StreamDef(name, f"{API}/{path}", PagingKind.PAGE, wrong_field, touch, make)

    return [
        stream("enterprises", "enterprises", "registeredCapital", _touch_capital, make_enterprise),
        stream("credit_records", "credit-records", "points", _touch("points"), make_credit_record),
        stream("credit_grades", "credit-grades", "score", _touch("score"), make_credit_grade),
        stream("projects", "projects", "startsOn", _touch_project, make_project),
        stream("inspections", "inspections", "totalDeduction", _touch_note, make_inspection),
    ]


def _bodies(ctx: MakeContext, stream: str) -> list[Body]:
    return [r.body for r in ctx.sandbox.stores[stream].live() if r.body is not None]


def _touch_capital(body: Body, rng: random.Random, now: datetime) -> Body:
    body["registeredCapital"] = body["registeredCapital"] + 100.0  # 增资
    return body


def _touch(field: str) -> Touch:
    def touch(body: Body, rng: random.Random, now: datetime) -> Body:
        body[field] = round(body[field] + 0.5, 1)  # a correction (更正)
        return body

    return touch


def _touch_project(body: Body, rng: random.Random, now: datetime) -> Body:
    ends = date.fromisoformat(body["endsOn"]) if body["endsOn"] else now.date()
    body["endsOn"] = day(ends + timedelta(days=365 if body["endsOn"] is None else 30))
    return body


def _touch_note(body: Body, rng: random.Random, now: datetime) -> Body:
    body["items"][0]["note"] = "已复查，整改完成"
    return body
