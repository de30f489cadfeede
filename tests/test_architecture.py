"""The house's shape (docs/development.md): no import cycle, imports inside functions
included; the leaves import nothing of ours above them; no module grows past 600 lines."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cba", "projects", "compliance", "demo")
LEAVES = {
    "compliance.audit",
    "compliance.bulk",
    "compliance.enqueue",
    "compliance.formatting",
    "compliance.months",
    "compliance.numbers",
    "compliance.reporting.obligation",
    "compliance.ssn",
    "compliance.status",
    "compliance.text",
    "cba.errors",
}
STAGES = ("compliance.reporting", "compliance.evaluation", "compliance.enforcement")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports_of(path: Path, known: dict[str, Path], name: str = "") -> set[str]:
    """Every module of ours this file imports, at the top or inside a function. Importing
    `a.b.c` runs `a/b/__init__.py` too, so a package outside the file's own counts."""

    def ours(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        found |= {target for target in map(ours, names) if target}
    own = {name.rsplit(".", n)[0] for n in range(1, name.count(".") + 1)}
    parents = {
        target.rsplit(".", n)[0] for target in found for n in range(1, target.count(".") + 1)
    }
    return found | {p for p in parents if p in known and p not in own}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(path, known, name) - {name} for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
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

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_back_through_a_cycle():
    assert cycles(graph()) == []


def test_the_cycle_check_finds_a_cycle_when_there_is_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_leaves_import_nothing_of_ours_but_models_and_other_leaves():
    edges = graph()
    for leaf in LEAVES:
        allowed = LEAVES | {"compliance.models", "projects.models"}
        above = {m for m in edges[leaf] if not any(m.startswith(a) for a in allowed)}
        assert above == set(), leaf


def test_no_stage_imports_a_stage_after_it():
    """Reporting → evaluation → enforcement: a stage reads those before it, never after."""
    edges = graph()
    for position, stage in enumerate(STAGES):
        later = STAGES[position + 1 :]
        for module, targets in edges.items():
            if module.startswith(stage + ".") or module == stage:
                back = {t for t in targets if t.startswith(later)}
                assert back == set(), module


def test_no_module_passes_600_lines():
    long = {
        name: len(path.read_text().splitlines())
        for name, path in modules().items()
        if len(path.read_text().splitlines()) > 600
    }
    assert long == {}


def test_no_date_format_depends_on_the_c_library():
    """`%-d` works on glibc only; dates read through compliance.formatting instead."""
    users = [
        name
        for name, path in modules().items()
        if "%-" in path.read_text() and name != "tests.test_architecture"
    ]
    assert users == []
