"""`hub clients`, `hub tokens` and `hub audit` as an operator runs them."""

from __future__ import annotations

import asyncio
import csv
import io

import httpx
import sqlalchemy as sa

from hub.app import create_app
from hub.config import Settings
from hub.store.session import create_engine
from tests.conftest import ScratchDatabases
from tests.e2e.test_cli import run_hub


async def test_clients_create_list_revoke_and_audit_export(scratch: ScratchDatabases) -> None:
    """A key printed by `clients create` works until `clients revoke`; `audit export` writes
    the mutations made with it as CSV."""
    url = await scratch.create()
    for command in (["migrate"], ["demo-data", "--local-only"]):
        done = await asyncio.to_thread(run_hub, *command, database_url=url)
        assert done.returncode == 0, done.stderr

    wrong = await asyncio.to_thread(
        run_hub, "clients", "create", "--unit", "zjj", "--role", "town", database_url=url
    )
    assert wrong.returncode == 2 and "has the role competent_department" in wrong.stderr
    unknown = await asyncio.to_thread(
        run_hub, "clients", "create", "--unit", "zjj", "--role", "king", database_url=url
    )
    assert unknown.returncode == 2 and "unknown role 'king'" in unknown.stderr

    created = await asyncio.to_thread(
        run_hub,
        "clients",
        "create",
        "--unit",
        "town-150627100",
        "--role",
        "town",
        database_url=url,
    )
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    prefix = key.split("_", 2)[1]
    assert key.startswith("hub_") and key not in created.stderr

    engine = create_engine(url)
    try:
        app = create_app(Settings(database_url=url), engine=engine)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
            ) as client,
        ):
            headers = {"Authorization": f"Bearer {key}"}
            viewer = await client.post(
                "/graphql", json={"query": "{ viewer { unitCode } }"}, headers=headers
            )
            assert viewer.json()["data"]["viewer"]["unitCode"] == "town-150627100"
            refused = await client.post(
                "/graphql",
                json={"query": 'mutation Go { syncTrigger(source: "ordos") { __typename } }'},
                headers=headers,
            )
            assert refused.json()["data"]["syncTrigger"]["__typename"] == "NotPermitted"

            listed = await asyncio.to_thread(run_hub, "clients", "list", database_url=url)
            assert listed.returncode == 0 and prefix[:8] in listed.stdout
            revoked = await asyncio.to_thread(
                run_hub, "clients", "revoke", prefix, database_url=url
            )
            assert revoked.returncode == 0 and "revoked" in revoked.stderr
            after = await client.post(
                "/graphql", json={"query": "{ viewer { unitCode } }"}, headers=headers
            )
            assert after.status_code == 401
        async with engine.connect() as connection:
            used = await connection.scalar(sa.text("SELECT count(*) FROM audit_log"))
        assert used == 1
    finally:
        await engine.dispose()

    exported = await asyncio.to_thread(
        run_hub, "audit", "export", "--since", "2020-01-01", database_url=url
    )
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [(r["action"], r["outcome"], r["actor_unit"], r["operation"]) for r in rows] == [
        ("syncTrigger", "not_permitted", "town-150627100", "Go")
    ]
    bad_day = await asyncio.to_thread(
        run_hub, "audit", "export", "--since", "yesterday", database_url=url
    )
    assert bad_day.returncode == 2 and "not a date" in bad_day.stderr


def test_tokens_issue_prints_a_token_for_a_known_unit_only(tmp_path: object) -> None:
    result = run_hub("tokens", "issue", "--help", database_url="sqlite://")
    assert result.returncode == 0 and "development" in result.stdout.lower()
