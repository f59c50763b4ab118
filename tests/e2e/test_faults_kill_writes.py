"""Fault test (issue #7): the hub killed with SIGKILL while it writes.

`hub serve` runs as a subprocess on a scratch database of the run's backend, with the demo data.
Concurrent clients of a community's API key create ledger items and move them on (ACCEPT,
START): each mutation writes the item, a ledger event and an audit entry in one transaction.
Once enough mutations went through, the process is killed while others are in flight. The store
must then hold every mutation whole or not at all: each item with its CREATE event and its audit
entry, as many transition events as audited transitions, the item's status that of its last
event, and every mutation answered as a success before the kill durable.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.config import get_settings
from hub.demo.load import load_demo_data
from hub.domain.access import Role
from hub.services import identity
from hub.store.migrate import upgrade_to_head
from hub.store.models import AuditEntry, LedgerEvent, LedgerItem
from hub.store.session import create_engine, create_sessionmaker
from tests.conftest import DEMO_TODAY, ScratchDatabases
from tests.factories import LEDGER_ITEM_CREATE, ledger_item_variables

REPO = Path(__file__).resolve().parents[2]
COMMUNITY = "community-150627100001"
CLIENTS = 6
KILL_AFTER = 40  # successful mutations before the kill
START_DEADLINE = 60.0  # seconds for `hub serve` to answer /healthz
STEP = """mutation($id: ID!, $a: LedgerAction!) {
  ledgerItemTransition(id: $id, action: $a) { __typename }
}"""


@dataclass
class Writes:
    """What the clients sent: request ids answered with success, and requests still open."""

    succeeded: set[str] = field(default_factory=set)
    open: set[str] = field(default_factory=set)
    open_at_kill: int = 0
    killed: asyncio.Event = field(default_factory=asyncio.Event)


async def prepared(scratch: ScratchDatabases) -> tuple[str, AsyncEngine, str]:
    """A scratch database with the demo data; its URL, an engine and a community's API key."""
    url = await scratch.create()
    engine = create_engine(url)
    await upgrade_to_head(engine)
    async with create_sessionmaker(engine)() as session, session.begin():
        await load_demo_data(session, settings=get_settings(), today=DEMO_TODAY.date())
        created = await identity.create_client(session, unit_code=COMMUNITY, role=Role.COMMUNITY)
    return url, engine, created.key


async def start_hub(url: str) -> tuple[asyncio.subprocess.Process, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(HUB_DATABASE_URL=url, HUB_LIMITS_ENABLED="false")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        env=env,
        cwd=REPO,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base_url) as http, asyncio.timeout(START_DEADLINE):
        while True:
            assert process.returncode is None, "hub serve exited"
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return process, base_url
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)


async def client(http: httpx.AsyncClient, compound_ids: list[str], writes: Writes) -> None:
    """Create an item, accept it, start it; again, until the hub is gone."""
    n = 0
    while not writes.killed.is_set():
        n += 1
        item_id: str | None = None
        for action in ("CREATE", "ACCEPT", "START"):
            if action == "CREATE":
                compound_id = compound_ids[n % len(compound_ids)]
                variables = ledger_item_variables(compound_id=compound_id)
                payload = {"query": LEDGER_ITEM_CREATE, "variables": variables}
            else:
                payload = {"query": STEP, "variables": {"id": item_id, "a": action}}
            request_id = uuid.uuid4().hex
            writes.open.add(request_id)
            try:
                response = await http.post(
                    "/graphql", json=payload, headers={"X-Request-ID": request_id}
                )
            except httpx.TransportError:
                return  # the hub is gone
            finally:
                writes.open.discard(request_id)
            result = next(iter(response.json()["data"].values()))
            assert result["__typename"] == "LedgerItemSuccess", response.text
            writes.succeeded.add(request_id)
            if action == "CREATE":
                item_id = result["item"]["id"]


async def test_a_hub_killed_mid_writes_leaves_every_mutation_whole_or_absent(
    scratch: ScratchDatabases,
) -> None:
    """After SIGKILL under concurrent ledger mutations, every new item has its CREATE event and
    audit entry, its transitions are audited one for one, its status is its last event's, and
    every mutation answered before the kill is in the store."""
    url, engine, key = await prepared(scratch)
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session:
        first_new_item = int(await session.scalar(sa.select(sa.func.max(LedgerItem.id))) or 0) + 1
        first_new_audit = int(await session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0) + 1
    process, base_url = await start_hub(url)
    writes = Writes()
    try:
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as http:
            listed = await http.post(
                "/graphql", json={"query": "{ compounds(first: 20) { nodes { id } } }"}
            )
            compound_ids = [n["id"] for n in listed.json()["data"]["compounds"]["nodes"]]
            assert compound_ids, listed.text
            tasks = [
                asyncio.create_task(client(http, compound_ids, writes)) for _ in range(CLIENTS)
            ]
            async with asyncio.timeout(120):
                while len(writes.succeeded) < KILL_AFTER:
                    assert not any(t.done() and t.exception() for t in tasks), [
                        t.exception() for t in tasks if t.done()
                    ]
                    await asyncio.sleep(0.01)
            writes.open_at_kill = len(writes.open)
            process.send_signal(signal.SIGKILL)
            writes.killed.set()
            await process.wait()
            await asyncio.gather(*tasks)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == -signal.SIGKILL
    assert writes.open_at_kill > 0  # the kill interrupted mutations in flight

    await engine.dispose()  # a fresh engine: nothing cached from before the kill
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            items = {
                item.id: item
                for item in await session.scalars(
                    sa.select(LedgerItem).where(LedgerItem.id >= first_new_item)
                )
            }
            events = list(
                await session.scalars(
                    sa.select(LedgerEvent)
                    .where(LedgerEvent.item_id >= first_new_item)
                    .order_by(LedgerEvent.id)
                )
            )
            audits = list(
                await session.scalars(
                    sa.select(AuditEntry).where(
                        AuditEntry.id >= first_new_audit, AuditEntry.action.like("ledgerItem%")
                    )
                )
            )
    finally:
        await engine.dispose()

    assert len(items) >= KILL_AFTER // 3
    created = Counter(int(a.subject_id or 0) for a in audits if a.action == "ledgerItemCreate")
    stepped = Counter(int(a.subject_id or 0) for a in audits if a.action == "ledgerItemTransition")
    assert all(a.outcome == "ok" for a in audits)
    assert set(created) == set(items) and set(created.values()) == {1}
    assert set(stepped) <= set(items)
    for item_id, item in items.items():
        history = [e for e in events if e.item_id == item_id]
        assert [e.action for e in history][:1] == ["CREATE"], item_id
        assert len(history) - 1 == stepped[item_id], item_id
        assert item.status == history[-1].to_status, item_id
    # Durable: every mutation the hub confirmed is there (its audit entry has the request id).
    assert writes.succeeded <= {a.request_id for a in audits}
