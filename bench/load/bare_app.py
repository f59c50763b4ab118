"""The floor of M4: a bare Starlette app with one JSON route, served by uvicorn exactly as
``hub serve`` is (h11, asyncio, one process), by bench/load/run.py.

``POST /bare`` reads the request body, as the hub must, and answers the bytes of the file named
by ``BARE_BODY_FILE`` (the hub's own answer to the small query, saved by run.py) as
``application/json``: the same bytes over the same stack, without GraphQL, the database, the
limits, the metrics or the logs.

    BARE_BODY_FILE=answer.json .venv/bin/python -m uvicorn bare_app:app --app-dir bench/load
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = Path(os.environ["BARE_BODY_FILE"]).read_bytes()


async def bare(request: Request) -> Response:
    await request.body()
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/bare", bare, methods=["POST"])])
