"""docs/imports.md says what the code does: every available KIND's columns as the template's
notes sheet lists them, every KIND of the contract, every import problem code."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.imports.registry import KNOWN_KINDS, available_kinds, get_kind
from hub.imports.rows import Code
from hub.imports.template import notes_markdown

DOC = (Path(__file__).resolve().parents[2] / "docs" / "imports.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", available_kinds())
def test_the_doc_lists_each_kind_s_columns_as_the_code_has_them(kind: str) -> None:
    """The table of each KIND is its notes sheet as Markdown, every field key in it."""
    table = notes_markdown(get_kind(kind))
    assert table in DOC, f"docs/imports.md: regenerate the table of {kind} (notes_markdown)"
    for column in get_kind(kind).sheet.columns:
        assert f"`{column.key}`" in table


def test_the_doc_names_every_kind_and_every_problem_code() -> None:
    """Every KIND of the contract and every code the import adds are in the doc."""
    for kind in KNOWN_KINDS:
        assert f"`{kind}`" in DOC, kind
    for code in Code:
        assert f"`{code.value}`" in DOC, code
