"""The shape a newcomer can rely on: small modules, no import circles, views that only parse,
call a service and render. Read from the source, so a change that breaks the shape fails here
with the file and line to look at."""
from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "courses"
MAX_LINES = 400
# What a view module must leave to the services: the session, statements and the ORM's getters.
QUERY_IN_VIEW = re.compile(r"\bdb\.(session|paginate|get_or_404|first_or_404|one_or_404)\b|\bselect\(|\.query\b")


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _module_level_imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules path imports when it is loaded (imports inside functions run later)."""
    imported = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names if alias.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                if submodule in modules:
                    imported.add(submodule)
                elif node.module in modules:
                    imported.add(node.module)
    return imported


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_application_file_is_over_400_lines():
    long = {str(path.relative_to(PACKAGE.parent)): count
            for path in PACKAGE.rglob("*.py")
            if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_no_two_modules_import_each_other():
    modules = _modules()
    graph = {name: _module_level_imports(path, modules) - {name} for name, path in modules.items()}
    assert import_cycles(graph) == []


def test_the_cycle_finder_finds_a_circle():
    """Not vacuous: a → b → c → a is reported, a lone edge is not."""
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_view_modules_run_no_query_of_their_own():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name != "views.py" and not path.name.endswith("_views.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if QUERY_IN_VIEW.search(code):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}")
    assert found == []


def test_no_view_module_imports_another():
    """Helpers two pages share live in a service or a blueprint module, not in another page's views."""
    modules = _modules()
    views = {name for name in modules if name.rsplit(".", 1)[-1] == "views" or name.endswith("_views")}
    found = {name: sorted(_module_level_imports(modules[name], modules) & (views - {name})) for name in views}
    assert {name: imported for name, imported in found.items() if imported} == {}
