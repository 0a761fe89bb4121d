"""The layering: imports point one way, ui -> serve -> engine/store/metrics/latent -> data/models/
losses (figures sit between the engine and its drivers: they draw the engine's numpy snapshots);
the engine never imports streamlit (STYLE.md principle 1), the figures never import torch (a
figure is a pure function of a numpy snapshot), and no playground module takes part in an import
cycle (run -> observers and never back: observation runs one way)."""
import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import playground

ENGINE = sorted(m.name for m in pkgutil.walk_packages(playground.__path__, "playground.")
                if not m.name.startswith("playground.ui") and m.name != "playground.__main__")
ROOT = Path(playground.__file__).parent


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _imports(name: str) -> tuple[set[str], set[str]]:
    """(playground modules, top-level outside packages) that module `name` imports anywhere in
    its source: at the top, inside functions and under TYPE_CHECKING alike (each is a
    dependency a reader follows). `from pkg import x` names module pkg.x when x is one."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inside, outside = set(), set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
            targets = subs if len(subs) == len(node.names) else [base, *subs]
        else:
            continue
        for target in targets:
            if target.split(".")[0] != "playground":
                outside.add(target.split(".")[0])
                continue
            while target not in MODULES:  # playground.x.Name -> playground.x
                target = target.rpartition(".")[0]
            if target != name:
                inside.add(target)
    return inside, outside


GRAPH = {name: _imports(name) for name in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), or a self-import."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while not comp or comp[-1] != v:
                comp.append(stack.pop())
                on.discard(comp[-1])
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_import_graph_is_read_from_the_source():
    assert "playground.engine.observers" in GRAPH["playground.engine.run"][0]
    assert "playground.engine.updates" in GRAPH["playground.theory.fit"][0]
    assert "torch" in GRAPH["playground.engine.run"][1]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# Each package's layer; a module may import its own layer or lower ones, never a higher one.
# The root's modules are the vocabulary every layer shares (config, registries, models, losses).
LAYERS = {"data": 0, "engine": 1, "store": 1, "metrics": 1, "latent": 1, "theory": 1,
          "figures": 2, "serve": 3, "cli": 3, "ui": 4, "__main__": 4}


def _layer(name: str) -> int:
    parts = name.split(".")
    return LAYERS[parts[1]] if len(parts) > 1 and parts[1] in LAYERS else 0


def test_every_module_has_a_layer_and_the_layers_are_read():
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert packages <= set(LAYERS), packages - set(LAYERS)
    assert _layer("playground.ui.session") > _layer("playground.serve.pool") \
        > _layer("playground.engine.run") > _layer("playground.data.mnist") == _layer(
            "playground.losses")


def test_imports_point_down_the_layers():
    up = [f"{name} -> {target}" for name, (inside, _) in sorted(GRAPH.items())
          for target in sorted(inside) if _layer(target) > _layer(name)]
    assert up == []


def test_nothing_in_the_package_imports_the_developer_tools():
    assert sorted(name for name, (_, outside) in GRAPH.items() if "tools" in outside) == []


def test_no_import_cycle_among_playground_modules():
    assert _cycles({name: inside for name, (inside, _) in GRAPH.items()}) == []


def test_only_the_ui_imports_streamlit():
    bad = [name for name, (_, outside) in GRAPH.items()
           if "streamlit" in outside and not name.startswith("playground.ui")]
    assert bad == []


def test_figures_import_no_torch_even_through_the_engine():
    seen, todo = set(), [n for n in GRAPH if n.startswith("playground.figures")]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(GRAPH[name][0])
    assert sorted(n for n in seen if "torch" in GRAPH[n][1]) == []


def test_engine_modules_import_without_streamlit():
    assert "playground.engine.run" in ENGINE and "playground.losses" in ENGINE
    code = ("import sys, importlib\n"
            f"for name in {ENGINE!r}:\n"
            "    importlib.import_module(name)\n"
            "bad = [m for m in sys.modules if m.split('.')[0] == 'streamlit']\n"
            "assert not bad, bad\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
