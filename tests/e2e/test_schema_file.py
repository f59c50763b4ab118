"""schema.graphql is the exported schema of the code, and everything in it is described."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    build_ast_schema,
    find_breaking_changes,
    parse,
)

from hub.graphql.schema import build_schema

ROOT = Path(__file__).resolve().parents[2]


def test_schema_file_matches_the_code() -> None:
    """The committed schema.graphql equals `hub export-schema` (run `make schema` if not)."""
    exported = build_schema().as_str() + "\n"
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == exported, "schema.graphql is out of date: run `make schema`"


def test_every_type_and_field_has_a_description() -> None:
    """Every object, interface, input and enum type, and every field and argument, is described."""
    schema = build_schema()._schema
    missing = []
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not graphql_type.description:
            missing.append(name)
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in field.args.items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(graphql_type, GraphQLInputObjectType):
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
        if isinstance(graphql_type, GraphQLEnumType) and not graphql_type.description:
            missing.append(name)
    assert missing == []


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def _release_schema() -> tuple[str, str]:
    """The newest release and its schema.graphql: the newest tag ``v…``, else the commit that
    docs/api-changes.md names for the newest release (a clone may come without tags)."""
    tags = _git("tag", "--list", "v*", "--sort=-version:refname").split()
    if tags:
        ref = tags[0]
    else:
        changes = (ROOT / "docs" / "api-changes.md").read_text(encoding="utf-8")
        match = re.search(r"^## [0-9][^\n]*\(commit ([0-9a-f]{7,40})\)", changes, re.MULTILINE)
        assert match, "no release tag v… and no release commit in docs/api-changes.md"
        ref = match.group(1)
    return ref, _git("show", f"{ref}:schema.graphql")


def _listed_changes() -> set[str]:
    """The breaking changes docs/api-changes.md lists with a reason (`change` — reason)."""
    listed = set()
    for line in (ROOT / "docs" / "api-changes.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^- `([^`]+)` — \S", line)
        if match:
            listed.add(match.group(1))
    return listed


def test_no_breaking_change_of_the_api_unless_listed() -> None:
    """Every breaking change since the last release (graphql-core's find_breaking_changes) is
    listed in docs/api-changes.md with its reason: member-unit systems depend on the schema."""
    tag, sdl = _release_schema()
    changes = find_breaking_changes(build_ast_schema(parse(sdl)), build_schema()._schema)
    unlisted = [c.description for c in changes if c.description not in _listed_changes()]
    assert unlisted == [], f"breaking changes since {tag} not in docs/api-changes.md: {unlisted}"


def test_the_breaking_change_check_sees_a_removed_field() -> None:
    """The check's comparison reports a removed field and a retyped argument (it can fail)."""
    old = build_ast_schema(parse("type Query { a: Int b(x: Int): String }"))
    new = build_ast_schema(parse("type Query { b(x: Int!): String }"))
    described = {c.description for c in find_breaking_changes(old, new)}
    assert described == {
        "Field Query.a was removed.",
        "Argument Query.b(x:) has changed type from Int to Int!.",
    }
    assert "Field Query.a was removed." not in _listed_changes()
