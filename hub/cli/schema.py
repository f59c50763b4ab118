"""``hub export-schema``: the GraphQL schema (SDL) of this code, as in schema.graphql."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hub.cli.common import say


def export_schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
) -> None:
    """Print the GraphQL schema (SDL) of this code."""
    from hub.graphql.schema import build_schema

    sdl = build_schema().as_str() + "\n"
    if output is None:
        sys.stdout.write(sdl)
    else:
        output.write_text(sdl, encoding="utf-8")
        say(f"hub: schema written to {output}")
