"""``hub documents``: trusted documents, the GraphQL operations a production hub may run
(``HUB_TRUSTED_DOCUMENTS``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from hub.cli.common import fail, in_transaction, load_settings, say
from hub.errors import HubError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from hub.services.documents import Operation

app = typer.Typer(
    help="Trusted documents: registered GraphQL operations (persisted queries).",
    no_args_is_help=True,
)


@app.command("add")
def add(
    file: Annotated[
        Path, typer.Argument(help="A .graphql file with one or more operations.", exists=True)
    ],
) -> None:
    """Register each operation of FILE; prints one line per operation: its id and its name.

    Each operation is checked against the schema first; nothing is registered if one fails.
    Clients send the id as extensions.persistedQuery.sha256Hash (Apollo's persisted queries).
    """
    from graphql import parse, validate

    from hub.graphql.schema import build_schema
    from hub.services import documents

    try:
        operations = documents.split_operations(file.read_text(encoding="utf-8"))
    except HubError as exc:
        raise fail(f"{file}: {exc.message}", 2) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"{file}: cannot be read ({type(exc).__name__})", 2) from None
    schema = build_schema()
    for operation in operations:
        errors = validate(schema._schema, parse(operation.body))
        if errors:
            name = operation.name or "the operation"
            raise fail(f"{file}: {name}: {errors[0].message}", 2)

    async def work(session: AsyncSession) -> list[tuple[Operation, bool]]:
        return [
            (operation, (await documents.create_document(session, operation=operation))[1])
            for operation in operations
        ]

    added = in_transaction(load_settings(), work)
    new = sum(1 for _, is_new in added if is_new)
    say(f"hub: {file}: {len(added)} operation(s), {new} newly registered; their ids:")
    for operation, _ in added:
        typer.echo(f"{operation.sha256}  {operation.name or '(anonymous)'}")


@app.command("list")
def list_() -> None:
    """List the registered documents, one a line: id (sha256), operation name, registered at."""
    from hub.services import documents

    settings = load_settings()
    rows = in_transaction(settings, documents.list_documents)
    zone = ZoneInfo(settings.timezone)
    for row in rows:
        name = row.operation_name or "(anonymous)"
        registered = row.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        typer.echo(f"{row.sha256}  {name}  {registered}")
    say(f"hub: {len(rows)} registered documents")
