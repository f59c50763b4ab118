"""Trusted documents (issue #4): registered operations by sha256 id, as Apollo's persisted
queries send them, and `require` mode that runs nothing else; `hub documents add/list`."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from hub.errors import BadUserInput
from hub.services import documents
from tests.conftest import ScratchDatabases
from tests.e2e import test_limits
from tests.e2e.test_cli import run_hub
from tests.e2e.test_limits import MakeApp, only_error

# The fixtures of test_limits.py: the app with chosen settings, a client from an address.
make_app = test_limits.make_app
connect = test_limits.connect

TOWNS = "query Towns { towns { code } }"


def persisted(sha256: str, query: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256}}}
    if query is not None:
        body["query"] = query
    return body


async def register(session: AsyncSession, text: str) -> str:
    """Register the operations of a .graphql text as `hub documents add` does; the last id."""
    ids = []
    for operation in documents.split_operations(text):
        document, _ = await documents.create_document(session, operation=operation)
        ids.append(document.sha256)
    await session.commit()
    return ids[-1]


@pytest.mark.parametrize("mode", ["allow", "require"])
async def test_a_registered_id_runs_its_document(
    make_app: MakeApp, connect: Any, session: AsyncSession, mode: str
) -> None:
    """The id alone (POST or GET, APQ style) runs the registered text."""
    sha256 = await register(session, TOWNS)
    assert sha256 == hashlib.sha256(TOWNS.encode()).hexdigest()
    client: httpx.AsyncClient = connect(make_app(trusted_documents=mode))
    answer = await client.post("/graphql", json=persisted(sha256))
    assert answer.status_code == 200 and len(answer.json()["data"]["towns"]) == 8
    over_get = await client.get(
        "/graphql", params={"extensions": json.dumps(persisted(sha256)["extensions"])}
    )
    assert over_get.status_code == 200 and len(over_get.json()["data"]["towns"]) == 8


@pytest.mark.parametrize("mode", ["allow", "require"])
async def test_an_unknown_id_is_persisted_query_not_found(
    make_app: MakeApp, connect: Any, mode: str
) -> None:
    """Apollo's code, so that clients know to send the text (or register it); never a 500."""
    unknown = hashlib.sha256(b"never registered").hexdigest()
    response = await connect(make_app(trusted_documents=mode)).post(
        "/graphql", json=persisted(unknown)
    )
    assert response.status_code == 200
    error = only_error(response)
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert error["extensions"]["sha256Hash"] == unknown
    assert f"no registered document has the id {unknown}" in error["message"]


async def test_require_mode_refuses_free_text(
    make_app: MakeApp, connect: Any, session: AsyncSession
) -> None:
    """With HUB_TRUSTED_DOCUMENTS=require only registered documents run: unregistered text is
    PERSISTED_QUERY_NOT_IN_LIST; the exact text of a registered document is that document."""
    await register(session, TOWNS)
    client = connect(make_app(trusted_documents="require"))
    refused = only_error(await client.post("/graphql", json={"query": "{ towns { name } }"}))
    assert refused["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
    assert "registered documents only" in refused["message"]
    same_text = await client.post("/graphql", json={"query": TOWNS})
    assert len(same_text.json()["data"]["towns"]) == 8


async def test_allow_mode_runs_text_and_ids_and_checks_the_hash(
    make_app: MakeApp, connect: Any
) -> None:
    """In `allow` mode text runs as sent (also with the id of an unregistered text: nothing is
    registered on the fly); an id that is not the text's sha256 is BAD_USER_INPUT."""
    client = connect(make_app(trusted_documents="allow"))
    text = "{ towns { name } }"
    assert len((await client.post("/graphql", json={"query": text})).json()["data"]["towns"]) == 8
    sha256 = hashlib.sha256(text.encode()).hexdigest()
    both = await client.post("/graphql", json=persisted(sha256, text))
    assert len(both.json()["data"]["towns"]) == 8
    mismatch = only_error(await client.post("/graphql", json=persisted("0" * 64, text)))
    assert mismatch["extensions"]["code"] == "BAD_USER_INPUT"
    assert "is not the query's sha256" in mismatch["message"]
    malformed = only_error(await client.post("/graphql", json=persisted("abc")))
    assert "64 hex digits" in malformed["message"]


async def test_ids_are_not_supported_when_trusted_documents_are_off(
    make_app: MakeApp, connect: Any, session: AsyncSession
) -> None:
    """The default in development: text only; an id gets PERSISTED_QUERY_NOT_SUPPORTED."""
    sha256 = await register(session, TOWNS)
    error = only_error(await connect(make_app()).post("/graphql", json=persisted(sha256)))
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"
    assert "HUB_TRUSTED_DOCUMENTS=off" in error["message"]


def test_a_file_is_cut_into_one_document_per_operation() -> None:
    """Each operation with the fragments it uses (transitively); one operation: the file as is."""
    text = (
        "query A { towns { ...T } }\n"
        "query B { enterprises(first: 1) { nodes { name } } }\n"
        "fragment T on Town { code ...N }\n"
        "fragment N on Town { name }\n"
    )
    a, b = documents.split_operations(text)
    assert (a.name, b.name) == ("A", "B")
    assert a.body == (
        "query A { towns { ...T } }\n\nfragment T on Town { code ...N }\n\n"
        "fragment N on Town { name }\n"
    )
    assert b.body == "query B { enterprises(first: 1) { nodes { name } } }\n"
    [single] = documents.split_operations(TOWNS)
    assert single.body == TOWNS and single.sha256 == hashlib.sha256(TOWNS.encode()).hexdigest()
    for bad, reason in [
        ("fragment T on Town { code }", "no operation"),
        ("{ towns { code } }\nquery B { towns { name } }", "must name each"),
        ("{ towns {", "not a GraphQL document"),
    ]:
        with pytest.raises(BadUserInput, match=reason):
            documents.split_operations(bad)


async def test_cli_adds_and_lists_documents(scratch: ScratchDatabases, tmp_path: Path) -> None:
    """`hub documents add FILE` prints each operation's id and name; adding again changes
    nothing; an operation that does not fit the schema registers nothing; `list` shows them."""
    url = await scratch.create()
    assert run_hub("migrate", database_url=url).returncode == 0
    file = tmp_path / f"ops-{uuid.uuid4().hex[:6]}.graphql"
    file.write_text(TOWNS + "\nquery Count { enterprises { totalCount } }\n", encoding="utf-8")
    added = run_hub("documents", "add", str(file), database_url=url)
    assert added.returncode == 0, added.stderr
    lines = added.stdout.splitlines()
    expected = [
        f"{operation.sha256}  {operation.name}"
        for operation in documents.split_operations(file.read_text(encoding="utf-8"))
    ]
    assert lines == expected
    again = run_hub("documents", "add", str(file), database_url=url)
    assert again.stdout.splitlines() == expected and "0 newly registered" in again.stderr
    bad = tmp_path / "bad.graphql"
    bad.write_text("query Bad { towns { nope } }", encoding="utf-8")
    refused = run_hub("documents", "add", str(bad), database_url=url)
    assert refused.returncode == 2 and "Cannot query field 'nope'" in refused.stderr
    listed = run_hub("documents", "list", database_url=url)
    assert [line.split("  ")[:2] for line in listed.stdout.splitlines()] == [
        line.split("  ") for line in expected
    ]
