"""The house DESIGN.md draws, checked on the source: connectors know nothing of the hub, the
domain imports only itself and the hub's errors, every part imports only the parts below it, no
import cycle, no file that is two concepts (``tests.architecture`` holds the checker).

Every module is parsed with ``ast``: top-level and function-local imports count (they dodge a
cycle at run time but keep the dependency), and so do ``importlib.import_module("…")`` and
``__import__("…")`` with a literal name; imports under ``if TYPE_CHECKING:`` do not (they are for
the type checker only).
"""

from __future__ import annotations

import ast

from tests import architecture
from tests.architecture import ROOT, imported


def imports_of(package: str) -> dict[str, set[str]]:
    """Module of ``package`` → the modules it imports."""
    out = {}
    for path in sorted((ROOT / package.replace(".", "/")).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        # A package's relative imports start from the package itself.
        name = ".".join(parts if parts[-1] != "__init__" else [*parts[:-1], "__init__"])
        out[name] = set(imported(ast.parse(path.read_text(encoding="utf-8")), name))
    return out


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(f"{package}.")


def test_the_checker_sees_every_kind_of_import() -> None:
    """Top-level, function-local, relative and importlib imports are seen; TYPE_CHECKING ones
    are not (the checker can fail)."""
    source = """
import hub.a
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    import hub.hidden
else:
    import hub.fallback
def f():
    from hub import b
    import importlib
    importlib.import_module("hub.c")
    __import__("hub.d")
from . import sibling
from ..up import thing
"""
    found = set(imported(ast.parse(source), "connectors.platform.module"))
    assert {"hub.a", "hub.fallback", "hub", "hub.b", "hub.c", "hub.d"} <= found
    assert {"connectors.platform.sibling", "connectors.up.thing"} <= found
    assert "hub.hidden" not in found


def test_connectors_import_nothing_from_hub() -> None:
    """No module of ``connectors/`` refers to ``hub`` (connectors know nothing of the hub; the
    sync layer translates)."""
    wrong = {
        module: sorted(name for name in names if _within(name, "hub"))
        for module, names in imports_of("connectors").items()
    }
    assert {module: names for module, names in wrong.items() if names} == {}


def test_domain_imports_only_the_domain_and_the_errors() -> None:
    """``hub/domain`` imports of ours only ``hub.domain`` and ``hub.errors`` (pure rules)."""
    ours = ("hub", "connectors")
    wrong = {
        module: sorted(
            name
            for name in names
            if any(_within(name, top) for top in ours)
            and not (_within(name, "hub.domain") or _within(name, "hub.errors"))
            and name != "hub"
        )
        for module, names in imports_of("hub.domain").items()
    }
    assert {module: names for module, names in wrong.items() if names} == {}


def test_no_import_cycle_between_modules() -> None:
    """No two modules of ``hub/`` and ``connectors/`` import each other, directly or round a
    circle (function-local imports count)."""
    assert architecture.cycles(architecture.import_graph()) == []


def test_the_cycle_finder_finds_a_circle() -> None:
    """A circle of three and a self-standing pair are told apart (the check can fail)."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert architecture.cycles(graph) == [["a", "b", "c"]]


def test_every_part_imports_only_the_parts_below_it() -> None:
    """Each import crosses from a part to one it may use (``architecture.LAYERS``), and every
    part of ``hub/`` has a place in that table."""
    found = [p for p in architecture.problems() if p.startswith(("layer:", "part without"))]
    assert found == []


def test_no_file_is_two_concepts() -> None:
    """No module outside the migrations is longer than ``architecture.MAX_LINES`` lines."""
    found = [p for p in architecture.problems() if p.startswith("size:")]
    assert found == []
