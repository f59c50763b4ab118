"""The house as DESIGN.md draws it, checked on the source: no import cycle, no part importing
above itself, no oversized file. Prints what is wrong; exit 1 when anything is.

    .venv/bin/python -m tests.architecture

The suite runs the same checks (``tests/unit/test_layers.py``), so ``make test`` fails on a new
cycle, a wrong-way import or an oversized file.

Imports are read with ``ast`` from every module of ``hub/`` and ``connectors/``, function-local
ones included (they dodge a cycle at run time but keep it in the design); imports under
``if TYPE_CHECKING:`` are left out (they are for the type checker only).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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


PACKAGES = ("hub", "connectors")
MAX_LINES = 450
"""A file longer than this is probably two concepts (STYLE.md says ~400)."""

GROUND = frozenset({"hub.errors", "hub.config"})
LAYERS: dict[str, frozenset[str]] = {
    "connectors": frozenset(),
    "hub.errors": frozenset(),
    "hub.config": frozenset(),
    "hub.domain": frozenset({"hub.errors"}),
    "hub.store": GROUND | {"hub.domain"},
    "hub.services": GROUND | {"hub.domain", "hub.store"},
    "hub.imports": GROUND | {"hub.domain", "hub.store", "hub.services"},
    "hub.sync": GROUND | {"hub.domain", "hub.store", "connectors"},
    "hub.observability": GROUND | {"hub.domain", "hub.store", "hub.services"},
    "hub.graphql": GROUND | {"hub.domain", "hub.store", "hub.services", "hub.observability"},
    "hub.demo": GROUND | {"hub.domain", "hub.store", "hub.services", "hub.reference"},
    "hub.reference": GROUND | {"hub.domain", "hub.store", "hub.services"},
    "hub.console": GROUND | {"hub.domain", "hub.store", "hub.services"},
    "hub.http_limits": GROUND | {"hub.observability"},
}
"""What each part of the house may import (DESIGN.md, "The flow"): graphql → services → domain +
store; sync → connectors + store + domain; connectors and the ground floor (errors, config) import
nothing of ours. The app and the CLI wire everything together and may import any part."""
WIRING = frozenset({"hub.app", "hub.cli", "hub"})


def modules() -> dict[str, Path]:
    """Every module of the packages by dotted name (migrations aside: they are history)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """Module → the modules of ours it imports (a name imported from a package counts as the
    submodule when there is one of that name, else as the package)."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = set()
        # A package's relative imports start from the package itself (see `imported`).
        relative_to = f"{name}.__init__" if path.name == "__init__.py" else name
        for target in imported(tree, relative_to):
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(f"{target}."):
                targets.add(target)
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def part_of(module: str) -> str:
    """The part of the house a module belongs to: ``hub.<part>`` or ``connectors``."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "hub" else parts[0]


def problems() -> list[str]:
    """Every cycle, every import against LAYERS, every file over MAX_LINES."""
    graph = import_graph()
    found = [f"cycle: {' ↔ '.join(c)}" for c in cycles(graph)]
    for module, targets in sorted(graph.items()):
        part = part_of(module)
        if part in WIRING:
            continue
        if part not in LAYERS:
            found.append(f"part without a place in LAYERS: {part}")
            continue
        found += [
            f"layer: {module} → {t}"
            for t in sorted(targets)
            if part_of(t) != part and part_of(t) not in LAYERS[part]
        ]
    for name, path in modules().items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            found.append(f"size: {name} has {lines} lines (> {MAX_LINES})")
    return found


def main() -> int:
    found = problems()
    for line in found:
        print(line)
    print(f"{len(found)} problem(s)", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
