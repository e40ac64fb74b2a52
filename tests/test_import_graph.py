"""No import cycle anywhere in ``supatui/``, counting every import (module level and inside functions).

Lazy imports inside functions are how the wizard keeps its first paint fast, but a lazy import
that closes a loop is still a loop: it only moves the failure to run time. Imports under
``if TYPE_CHECKING:`` are left out (they never run). import-linter's contracts in pyproject.toml
enforce the layers; this test enforces the absence of cycles (harlequin's import-hygiene test
is the model: tconbeer/harlequin tests/unit_tests/test_import_hygiene.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "supatui"
# The diagnoses catalogue's own circle is issue 12's to break (its engineer is on it); every other
# cycle fails here. Delete this set once issue 12 lands: the test then covers the catalogue too.
BEING_FIXED_IN_ISSUE_12 = {"supatui.core.diagnoses", "supatui.core.diagnoses_catalogue", "supatui.core.diagnoses_prisma"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if (target := resolve(alias.name)) is not None:
                        found.add(target)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                for alias in child.names:
                    if (target := resolve(f"{base}.{alias.name}")) is not None:
                        found.add(target)
            visit(child)

    visit(tree)
    found.discard(here)
    return found


def import_graph() -> dict[str, set[str]]:
    files = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    known = set(files)
    graph = {name: imports_of(path, known) for name, path in files.items()}
    # Importing a.b.c runs a/__init__ and a/b/__init__ first; those edges are part of any cycle too.
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def strongconnect(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                strongconnect(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component: list[str] = []
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
            strongconnect(node)
    return found


def test_the_graph_sees_lazy_imports() -> None:
    graph = import_graph()
    assert "supatui.ui.app" in graph["supatui.ui.launch"]  # imported inside run_wizard()
    assert "supatui.core.steps.base" in graph["supatui.core.steps.role"]


def test_a_cycle_is_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_in_supatui() -> None:
    found = [c for c in cycles(import_graph()) if not set(c) <= BEING_FIXED_IN_ISSUE_12]
    assert not found, "import cycles: " + "; ".join(" <-> ".join(c) for c in found)
