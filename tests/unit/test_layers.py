"""The layers DESIGN.md draws, checked on the source: connectors know nothing of the hub, and
the domain imports only itself and the hub's errors.

Every module is parsed with ``ast``: top-level and function-local imports count (they dodge a
cycle at run time but keep the dependency), and so do ``importlib.import_module("…")`` and
``__import__("…")`` with a literal name; imports under ``if TYPE_CHECKING:`` do not (they are for
the type checker only).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _dynamic_import(node: ast.Call) -> str | None:
    """The literal module name of ``importlib.import_module("…")`` or ``__import__("…")``."""
    func = node.func
    named = (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id in ("import_module", "__import__")
    )
    if named and node.args and isinstance(node.args[0], ast.Constant):
        value = node.args[0].value
        return value if isinstance(value, str) else None
    return None


def imported(tree: ast.AST, module: str) -> Iterator[str]:
    """Every module name ``tree`` (the module ``module``) imports, relative imports resolved."""
    yield from _imported(ast.iter_child_nodes(tree), module)


def _imported(nodes: Iterator[ast.AST], module: str) -> Iterator[str]:
    for node in nodes:
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from _imported(iter(node.orelse), module)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: -node.level]
                base = ".".join([*package, base] if base else package)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and (name := _dynamic_import(node)) is not None:
            yield name
        yield from _imported(ast.iter_child_nodes(node), module)


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
