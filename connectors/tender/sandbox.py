"""A fake 招投标平台 implementing ``CONTRACT.md``, for tests, demos and integrators.

Every request must be signed (HMAC-SHA256 over ``connectors.auth.hmac_canonical``); a timestamp
more than 300 s from the sandbox's clock or a nonce seen before is refused. Streams under
``/open-api/v2`` with opaque cursor paging in the envelope ``{"items": […], "next": cursor,
"nextLink": url}``. The records are the injected world's (``sandbox_data``); inserts and updates
are made here as the platform would make them.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import partial

from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response

from connectors.sandbox_kit import (
    TENDER_DEMO_KEY_ID,
    TENDER_DEMO_SECRET,
    Body,
    Clock,
    Faults,
    HmacVerifier,
    Make,
    MakeContext,
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
from connectors.tender.client import API
from connectors.tender.sandbox_data import build_records

MAX_SKEW = 300  # seconds a signed request's timestamp may be off the platform's clock
_OPEN = ("招标公告", "评标中")


def create_app(
    *,
    world: World,
    faults: Faults | None = None,
    extra_records: int = 0,
    extra_stream: str = "tenders",
    credentials: Mapping[str, str] | None = None,
    clock: Clock = utc_now,
    sleep: Sleep = asyncio.sleep,
) -> Starlette:
    """The tender platform sandbox serving ``world``; ``credentials`` maps key ids to secrets
    (demo by default).

    ``app.state.sandbox`` is its ``Sandbox``; ``app.state.signatures`` its signature check.
    """
    demo = index_of(world)
    sandbox = Sandbox(
        name="tender",
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
    signatures = HmacVerifier(
        credentials or {TENDER_DEMO_KEY_ID: TENDER_DEMO_SECRET},
        now=sandbox.now,
        refuse=_refuse,
        max_skew=MAX_SKEW,
    )
    app = sandbox_app(
        sandbox, authenticate=signatures.authenticate, envelope=_envelope, error_body=_error_body
    )
    app.state.signatures = signatures
    return app


def _envelope(records: list[Body], info: PageInfo, next_link: str | None) -> Body:
    return {"items": records, "next": info.next_cursor, "nextLink": next_link}


def _error_body(status: int, code: str, message: str) -> Body:
    return {"error": {"code": code.upper(), "message": message}}


def _refuse(code: str, message: str) -> Response:
    return JSONResponse(_error_body(401, code, message), 401)


def _streams(demo: WorldIndex) -> list[StreamDef]:
    """The streams, with how the platform creates and updates their records."""
    first_code = len(demo.rows("tenders"))

    def make_tender(ctx: MakeContext) -> tuple[str, Body]:
        town, name = ctx.rng.choice(list(demo.compound.values()))
        on = ctx.now.date()
        body = {
            "title": f"{name}物业服务企业选聘",
            "townCode": town,
            "compoundName": name,
            "selection": "业主委员会选聘",
            "method": "公开招标",
            "tenderer": f"{name}业主委员会",
            "announcedOn": day(on),
            "bidDeadline": day(on + timedelta(days=21)),
            "status": "招标公告",
        }
        # The platform numbers projects per year; new ones never reuse a demo number.
        return f"YJHLQ-WY-{on.year}-{first_code + ctx.serial:03d}", body

    def make_bid(ctx: MakeContext) -> tuple[str, Body] | None:
        store = ctx.sandbox.stores["bids"]
        options = [
            (t.id, uscc)
            for t in ctx.sandbox.stores["tenders"].live()
            if t.body is not None and t.body["status"] in _OPEN
            for uscc in demo.active_usccs
            if f"{t.id}/bid/{uscc}" not in store
        ]
        if not options:
            return None
        tender, uscc = ctx.rng.choice(options)
        body = {
            "tenderId": tender,
            "bidderUscc": uscc,
            "price": round(ctx.rng.uniform(0.8, 3.5), 2),
            "technicalScore": round(ctx.rng.uniform(60, 98), 1),
            "submittedOn": day(ctx.now.date()),
        }
        return f"{tender}/bid/{uscc}", body

    def make_candidate(ctx: MakeContext) -> tuple[str, Body] | None:
        ranked = Counter(_tender_of(b) for b in _bodies(ctx, "candidates"))
        named = {(_tender_of(b), b["enterpriseUscc"]) for b in _bodies(ctx, "candidates")}
        options = [
            (b["tenderId"], b["bidderUscc"])
            for b in _bodies(ctx, "bids")
            if ranked[b["tenderId"]] < 3 and (b["tenderId"], b["bidderUscc"]) not in named
        ]
        if not options:
            return None
        tender, uscc = ctx.rng.choice(sorted(options))
        rank = ranked[tender] + 1
        body = {"tenderId": tender, "enterpriseUscc": uscc, "rank": rank, "totalScore": 90.0 - rank}
        return f"{tender}/candidate/{rank}", body

    def make_award(ctx: MakeContext) -> tuple[str, Body] | None:
        awarded = {_tender_of(b) for b in _bodies(ctx, "awards")}
        firsts = [b for b in _bodies(ctx, "candidates") if b["rank"] == 1]
        options = sorted((b["tenderId"], b["enterpriseUscc"]) for b in firsts)
        options = [(t, u) for t, u in options if t not in awarded]
        if not options:
            return None
        tender, uscc = ctx.rng.choice(options)
        on = ctx.now.date()
        body = {
            "tenderId": tender,
            "winnerUscc": uscc,
            "awardedOn": day(on),
            "publicityUntil": day(on + timedelta(days=7)),
            "filedOn": None,
            "contractSignedOn": None,
        }
        return f"{tender}/award", body

    def stream(name: str, wrong_field: str, touch: Touch, make: Make) -> StreamDef:
        return StreamDef(
            name, f"{API}/{name}", PagingKind.CURSOR, wrong_field, touch, make, next_link=True
        )

    return [
        stream("tenders", "announcedOn", _touch_tender, make_tender),
        stream("bids", "price", _touch_bid, make_bid),
        stream("candidates", "rank", _touch_candidate, make_candidate),
        stream("awards", "awardedOn", _touch_award, make_award),
    ]


def _bodies(ctx: MakeContext, stream: str) -> list[Body]:
    return [r.body for r in ctx.sandbox.stores[stream].live() if r.body is not None]


def _tender_of(body: Body) -> str:
    return str(body["tenderId"])


def _touch_tender(body: Body, rng: random.Random, now: datetime) -> Body:
    if body["status"] == "招标公告":  # an open tender's deadline is extended (延期公告)
        body["bidDeadline"] = day(date.fromisoformat(body["bidDeadline"]) + timedelta(days=7))
    elif body["title"].endswith("（更正）"):
        body["title"] = body["title"].removesuffix("（更正）")
    else:
        body["title"] += "（更正）"
    return body


def _touch_bid(body: Body, rng: random.Random, now: datetime) -> Body:
    score = body["technicalScore"]
    body["technicalScore"] = 80.0 if score is None else round(min(100.0, score + 0.5), 1)
    if body["technicalScore"] == score:
        body["technicalScore"] = round(score - 0.5, 1)
    return body


def _touch_candidate(body: Body, rng: random.Random, now: datetime) -> Body:
    body["totalScore"] = round(body["totalScore"] + (0.1 if body["totalScore"] < 99 else -0.1), 2)
    return body


def _touch_award(body: Body, rng: random.Random, now: datetime) -> Body:
    awarded = date.fromisoformat(body["awardedOn"])
    if body["contractSignedOn"] is None:
        body["contractSignedOn"] = day(awarded + timedelta(days=10))
    elif body["filedOn"] is None:
        body["filedOn"] = day(date.fromisoformat(body["contractSignedOn"]) + timedelta(days=3))
    else:
        until = date.fromisoformat(body["publicityUntil"] or body["awardedOn"])
        body["publicityUntil"] = day(until + timedelta(days=1))
    return body
