"""The layout shows the architecture: dependencies point one way (docs/ARCHITECTURE.md).

Every ``import`` of every module of the package is read from its source (at module level
and inside functions, ``TYPE_CHECKING`` blocks included), so a lazy import counts as much
as an eager one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import REPO

PACKAGE = REPO / "dockerfix"

#: Each part, and the parts it may import (besides itself and the shared basics).
BASICS = ("dockerfix", "dockerfix.record", "dockerfix.errors", "dockerfix.cst")
ALLOWED: dict[str, tuple[str, ...]] = {
    "dockerfix.grammar": (),
    "dockerfix.facts": ("dockerfix.grammar",),
    "dockerfix.fixer": ("dockerfix.grammar", "dockerfix.facts"),
    "dockerfix.contexts": ("dockerfix.grammar", "dockerfix.facts"),
}
#: No part below the command line, verify and the server may import them.
TOP = ("dockerfix.cli", "dockerfix.verify", "dockerfix.server")


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, module)`` for each module ``path`` imports from dockerfix."""
    this = module_name(path)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("dockerfix"):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if not base.startswith("dockerfix"):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                is_module = (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists() or (
                    PACKAGE.parent / sub.replace(".", "/") / "__init__.py"
                ).exists()
                yield node.lineno, sub if is_module else base


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: sorted({m for _, m in imports_of(path)} - {name}) for name, path in MODULES.items()}


def part_of(module: str) -> str | None:
    for part in (*ALLOWED, *TOP):
        if module == part or module.startswith(part + "."):
            return part
    return None


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_lower_parts_import_only_what_is_below_them(part: str) -> None:
    wrong = []
    for name, path in MODULES.items():
        if part_of(name) != part:
            continue
        for line, imported in imports_of(path):
            target = part_of(imported)
            ok = imported in BASICS or target == part or target in ALLOWED[part]
            if target is None and not ok:
                ok = not imported.startswith(("dockerfix.runner", "dockerfix.config"))
                ok = ok and imported not in ("dockerfix.discovery", "dockerfix.files")
            if not ok:
                wrong.append(f"{path.relative_to(REPO)}:{line} imports {imported}")
    assert wrong == []


def test_the_facts_import_no_fixer_cli_verify_or_server() -> None:
    # the issue's own words, spelled out: the facts are the bottom of the stack
    for name in MODULES:
        if part_of(name) == "dockerfix.facts":
            bad = [m for m in GRAPH[name] if part_of(m) in ("dockerfix.fixer", *TOP)]
            assert bad == [], name


def test_no_import_cycles() -> None:
    """No module imports, directly or through others, a module that imports it.

    The package root ``dockerfix`` (the public facade, importing on first use) and a
    package's implicit import of its parent are not edges.
    """
    graph = {n: [m for m in deps if m in MODULES and m != "dockerfix"] for n, deps in GRAPH.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for name in sorted(graph):
        if name not in state:
            cycle = visit(name)
            assert cycle is None, " -> ".join(cycle)


def test_the_architecture_document_names_every_part() -> None:
    text = (REPO / "docs" / "ARCHITECTURE.md").read_text()
    parts = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    missing = [p for p in parts if f"dockerfix/{p}/" not in text]
    assert missing == []
