"""The ``hub`` command assembled: one module of ``hub.cli`` per command or command group.

Every command reads its settings from the environment (``HUB_*``) and says on stderr what it is
doing; results meant for other programs (the schema, a key, a token) go to stdout. The commands
import what they need when they run, so that ``hub --help`` stays quick.
"""

from __future__ import annotations

import typer

from hub.cli import (
    audit,
    backup,
    clients,
    demo_data,
    documents,
    findings,
    imports,
    init,
    keys,
    ledger,
    migrate,
    report,
    sandbox,
    schema,
    serve,
    sync,
    tokens,
)

app = typer.Typer(
    help="GraphQL integration hub for the property-service supervision of 伊金霍洛旗.",
    no_args_is_help=True,
    add_completion=False,
)

# Commands, in the order `hub --help` lists them.
app.command("serve")(serve.serve)
app.command("migrate")(migrate.migrate)
app.command("init")(init.init)
app.command("demo-data")(demo_data.demo_data)
app.command("sync")(sync.sync)
app.command("sandbox")(sandbox.sandbox)
app.command("export-schema")(schema.export_schema)
app.command("report")(report.report)
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)

# Command groups, listed after the commands.
app.add_typer(keys.app, name="keys")
app.add_typer(clients.app, name="clients")
app.add_typer(tokens.app, name="tokens")
app.add_typer(audit.app, name="audit")
app.add_typer(documents.app, name="documents")
app.add_typer(ledger.app, name="ledger")
app.add_typer(findings.app, name="findings")
app.add_typer(imports.app, name="import")
