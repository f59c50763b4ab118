"""The Starlette app of a sandbox: its streams behind the platform's auth, and admin endpoints.

Data requests go through: auth (the platform's, 401 when refused) → latency → the drawn fault
(429 with ``Retry-After``, 500, or a long sleep) → the page → the platform's envelope → maybe a
cut body. After page 1 of a window, ``mutate_during_paging`` records of the window change.

Admin endpoints, without auth, for tests and demos (never part of an upstream's contract):

- ``GET /_sandbox/truth``: per stream the live ids with ``updatedAt``, the deleted ids with theirs,
  and the wrong-typed ids;
- ``POST /_sandbox/faults``: replace the faults with the JSON object sent (see ``Faults``);
- ``POST /_sandbox/mutate``: ``{"updates": n, "deletes": n, "inserts": n, "drops": n,
  "stream": name?}`` (drops vanish without a tombstone), in the named stream or in each;
- ``POST /_sandbox/reset``: back to the built data, faults kept.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.sandbox.faults import Faults
from connectors.sandbox.paging import BadRequest, PageInfo, serve_page
from connectors.sandbox.records import Body, iso
from connectors.sandbox.state import Sandbox, StreamDef

Authenticate = Callable[[Request], Awaitable[Response | None]]
"""Checks a data request's credentials: None to let it through, or the refusal to send."""
Envelope = Callable[[list[Body], PageInfo, str | None], Body]
"""The JSON body of a page: records, what the page says, and the next link if any."""
ErrorBody = Callable[[int, str, str], Body]
"""The JSON body of an error: HTTP status, short code, message."""


def default_error_body(status: int, code: str, message: str) -> Body:
    """``{"error": code, "message": message}``."""
    return {"error": code, "message": message}


def sandbox_app(
    sandbox: Sandbox,
    *,
    authenticate: Authenticate,
    envelope: Envelope,
    error_body: ErrorBody = default_error_body,
    routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """A Starlette app serving ``sandbox``; ``app.state.sandbox`` is the sandbox itself."""

    def error(status: int, code: str, message: str, **headers: str) -> JSONResponse:
        return JSONResponse(error_body(status, code, message), status, headers=headers or None)

    def stream_endpoint(stream: StreamDef) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            refused = await authenticate(request)
            if refused is not None:
                return refused
            faults, draw = sandbox.faults, sandbox.schedule.draw()
            if faults.latency:
                await sandbox.sleep(faults.latency)
            if draw.rate_limited:
                headers = {"Retry-After": str(faults.retry_after)}
                return error(429, "rate_limited", "too many requests", **headers)
            if draw.error:
                return error(500, "internal_error", "the upstream failed")
            if draw.timeout:
                await sandbox.sleep(faults.timeout_sleep)
            try:
                page = serve_page(sandbox.stores[stream.name], stream.paging, request.query_params)
            except BadRequest as exc:
                return error(400, "bad_request", str(exc))
            records = [sandbox.serve(stream, r) for r in page.records]
            link = None
            if stream.next_link and page.info.next_params is not None:
                link = str(request.url.replace(query=urlencode(page.info.next_params)))
            body = envelope(records, page.info, link)
            if page.first and faults.mutate_during_paging:
                sandbox.mutate_window(stream.name, page.window, faults.mutate_during_paging)
            response = JSONResponse(body)
            if draw.truncate_at is not None:
                cut = response.body[: max(1, int(len(response.body) * draw.truncate_at))]
                return Response(cut, media_type="application/json")
            return response

        return endpoint

    async def truth(request: Request) -> Response:
        streams = {name: t.to_json() for name, t in sandbox.truth().items()}
        return JSONResponse({"source": sandbox.name, "now": iso(sandbox.now()), "streams": streams})

    async def faults(request: Request) -> Response:
        try:
            new = Faults.from_json(await _json_object(request))
        except ValueError as exc:
            return error(400, "bad_request", _short(exc))
        rebuilt = sandbox.set_faults(new)
        return JSONResponse({"faults": new.to_json(), "rebuilt": rebuilt})

    async def mutate(request: Request) -> Response:
        try:
            data = await _json_object(request)
            counts = {k: data.pop(k, 0) for k in ("updates", "deletes", "inserts", "drops")}
            stream = data.pop("stream", None)
            if data or not all(isinstance(v, int) and v >= 0 for v in counts.values()):
                raise ValueError("expected updates, deletes, inserts, drops (counts) and stream")
            changes = sandbox.mutate(**counts, stream=stream)
        except ValueError as exc:
            return error(400, "bad_request", _short(exc))
        return JSONResponse({"now": iso(sandbox.now()), "changes": changes})

    async def reset(request: Request) -> Response:
        sandbox.reset()
        return JSONResponse({"reset": True})

    app = Starlette(
        routes=[
            *routes,
            *(Route(s.path, stream_endpoint(s), methods=["GET"]) for s in sandbox.streams.values()),
            Route("/_sandbox/truth", truth, methods=["GET"]),
            Route("/_sandbox/faults", faults, methods=["POST"]),
            Route("/_sandbox/mutate", mutate, methods=["POST"]),
            Route("/_sandbox/reset", reset, methods=["POST"]),
        ]
    )
    app.state.sandbox = sandbox
    return app


def sandbox_of(app: Starlette) -> Sandbox:
    """The sandbox behind an app made by ``sandbox_app``."""
    sandbox: Sandbox = app.state.sandbox
    return sandbox


async def _json_object(request: Request) -> dict[str, Any]:
    body = await request.body()
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise ValueError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def _short(exc: ValueError) -> str:
    if isinstance(exc, ValidationError):
        errors = exc.errors(include_url=False, include_input=False)
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)[:300]
    return str(exc)[:300]
