"""Clean architecture: layers, the dependency rule and the import graph that checks it.

SOLID's dependency-inversion principle says high-level policy must not depend on low-level
detail; both depend on abstractions. Clean (hexagonal, onion) architecture makes that a
layout: concentric layers, outermost first ``infrastructure`` (frameworks, database, the
composition root), ``adapters`` (HTTP, repositories), ``application`` (use cases) and
``domain`` (entities plus *ports*: interfaces, e.g. a ``typing.Protocol``, that outer layers
implement). The *dependency rule*: imports point inward only. A modular, scalable project
keeps that rule checkable: the import graph is data, and a violation is an edge that points
outward. Such edges also create import cycles, which break imports in some orders.

The lab reads a small sample package (``labs/data/clean_architecture/predictor``, three
planted violations listed in ``violations.txt``). The learner writes ``import_graph``
(static analysis with ``ast``: absolute, relative and ``from pkg import module`` imports;
checked edge for edge against the imports Python really executes when the copied package is
imported in a subprocess with ``builtins.__import__`` recorded) and ``layer_violations``
(checked against the planted list, on both graphs). Then networkx shows that every import
cycle goes through a violation: removing the violating edges leaves a DAG.

$ python labs/clean_architecture.py --quick
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib
import networkx as nx

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("import_graph", "layer_violations")
DATA = Path(__file__).resolve().parent / "data" / "clean_architecture"
LAYERS = ("infrastructure", "adapters", "application", "domain")  # outermost first

# Imports every module of a package and prints the (importer, imported) pairs that ran.
RECORDER = r"""
import builtins, importlib, importlib.util, json, sys
pkg, mods, edges, real = sys.argv[1], sys.argv[2:], set(), builtins.__import__
def inside(m): return m == pkg or m.startswith(pkg + ".")
def hook(name, globals=None, locals=None, fromlist=(), level=0):
    mod = real(name, globals, locals, fromlist, level)
    me = (globals or {}).get("__name__", "")
    if inside(me):
        base = importlib.util.resolve_name("." * level + name, globals["__package__"]) \
            if level else name
        subs = [f"{base}.{f}" for f in fromlist or ()]
        for t in [s if s in sys.modules else base for s in subs] or [base]:
            if inside(t) and t != me:
                edges.add((me, t))
    return mod
builtins.__import__ = hook
for m in mods:
    importlib.import_module(m)
print(json.dumps(sorted(edges)))
"""


@dataclass
class Config:
    package: str = "predictor"  # the sample package under labs/data/clean_architecture
    timeout_s: float = 60.0  # for the import-recording subprocess


# ----------------------------------------------------------------- exercises
def module_name(path: Path, root: Path) -> str:
    """``root/pkg/sub/mod.py`` -> ``pkg.sub.mod``; ``root/pkg/sub/__init__.py`` -> ``pkg.sub``."""
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path, package: str) -> nx.DiGraph:
    """Directed graph of the imports between the modules of ``root/package`` (from the
    source, with ``ast``): an edge ``a -> b`` when module ``a`` imports module ``b``.

    Nodes are all the package's modules (``__init__.py`` is the package itself). Resolve
    relative imports; ``from x import y`` is an edge to ``x.y`` when that is a module of the
    package, else to ``x``. Imports of anything outside the package are left out.
    """
    files = {module_name(p, root): p for p in sorted((root / package).rglob("*.py"))}
    g = nx.DiGraph()
    g.add_nodes_from(files)
    for me, path in files.items():
        here = me if path.name == "__init__.py" else me.rpartition(".")[0]  # its package
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # one dot = this package, two = its parent, ...
                    up = here.split(".")[: here.count(".") + 2 - node.level]
                    base = ".".join(up + ([node.module] if node.module else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base
                           for a in node.names]
            else:
                continue
            g.add_edges_from((me, t) for t in targets if t in files and t != me)
    return g


def layer_violations(graph: nx.DiGraph, package: str, layers: tuple) -> set:
    """Edges ``(a, b)`` that break the dependency rule: ``b`` is in a layer outside ``a``'s.

    ``layers`` lists the layer sub-packages outermost first; a module's layer is its first
    name after ``package``. Edges touching a module in no layer are never violations.
    """
    def layer(m: str):
        parts = m.split(".")
        return layers.index(parts[1]) if len(parts) > 1 and parts[1] in layers else None

    return {(a, b) for a, b in graph.edges
            if layer(a) is not None and layer(b) is not None and layer(b) < layer(a)}


# ------------------------------------------------------------------------ lab
def recorded_imports(root: Path, package: str, modules: list, timeout: float) -> set:
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    p = subprocess.run([sys.executable, "-c", RECORDER, package, *modules], cwd=root,
                       env=env, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"importing the sample failed: {p.stderr[-800:]}")
    return {tuple(e) for e in json.loads(p.stdout)}


def body(lab: kit.Lab) -> None:
    cfg = Config()
    planted = {tuple(s.strip() for s in ln.split("->"))
               for ln in (DATA / "violations.txt").read_text().splitlines()
               if ln.strip() and not ln.startswith("#")}
    tmp = Path(tempfile.mkdtemp(prefix="clean-arch-"))
    try:
        shutil.copytree(DATA / cfg.package, tmp / cfg.package)
        modules = sorted(module_name(p, tmp) for p in (tmp / cfg.package).rglob("*.py"))
        lab.log(f"  {len(modules)} modules copied to {tmp}")
        lab.section("oracle: the imports Python executes")
        with lab.timer() as t:
            oracle = nx.DiGraph(sorted(recorded_imports(tmp, cfg.package, modules,
                                                        cfg.timeout_s)))
        oracle.add_nodes_from(modules)
        lab.log(f"  recorded {oracle.number_of_edges()} imports in {t.seconds:.2f}s")
        lab.section("static import graph (ast) and the dependency rule")
        g = None
        with lab.guard("import_graph runs"):
            g = import_graph(tmp, cfg.package)
            lab.check_equal("import_graph nodes = the package's modules", sorted(g.nodes),
                            modules)
            lab.check_equal("import_graph edges = imports recorded at run time",
                            sorted(g.edges), sorted(oracle.edges))
        with lab.guard("layer_violations runs"):
            lab.check_equal("violations on the recorded graph = planted list",
                            sorted(layer_violations(oracle, cfg.package, LAYERS)),
                            sorted(planted))
            if g is not None:
                lab.check_equal("violations on import_graph = planted list",
                                sorted(layer_violations(g, cfg.package, LAYERS)),
                                sorted(planted))
            cycles = list(nx.simple_cycles(oracle))
            lab.metric("import_cycles", len(cycles))
            lab.check("the sample has an import cycle (nx.simple_cycles)", bool(cycles),
                      ">= 1 cycle", cycles)
            fixed = oracle.copy()
            fixed.remove_edges_from(layer_violations(oracle, cfg.package, LAYERS))
            lab.check("without the violating edges the graph is a DAG (no cycles)",
                      nx.is_directed_acyclic_graph(fixed), "DAG",
                      list(nx.simple_cycles(fixed))[:3])
        _instability(lab, oracle, cfg.package)
        _plot(lab, oracle, planted, cfg.package)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _layer(m: str) -> str | None:
    parts = m.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def _instability(lab: kit.Lab, g: nx.DiGraph, package: str) -> None:
    """Martin's instability I = Ce / (Ca + Ce) per layer (0 = stable, 1 = unstable)."""
    for name in LAYERS:
        ce = sum(_layer(a) == name and _layer(b) not in (name, None) for a, b in g.edges)
        ca = sum(_layer(b) == name and _layer(a) not in (name, None) for a, b in g.edges)
        lab.metric(f"instability_{name}", ce / (ca + ce) if ca + ce else 0.0)


def _plot(lab: kit.Lab, g: nx.DiGraph, bad: set, package: str) -> None:
    g = g.subgraph([m for m in g if g.degree(m)])  # empty __init__ modules left out
    rows: dict = {}
    for m in sorted(g):
        rows.setdefault(_layer(m) or "(root)", []).append(m)
    pos = {}
    for y, name in enumerate(("(root)", *LAYERS)):
        for x, m in enumerate(rows.get(name, [])):
            pos[m] = (x - (len(rows[name]) - 1) / 2, -y)
    fig, ax = plt.subplots(figsize=(9, 5))
    nx.draw_networkx_nodes(g, pos, node_size=30, node_color="black", ax=ax)
    ok = [e for e in g.edges if e not in bad]
    nx.draw_networkx_edges(g, pos, edgelist=ok, edge_color="grey", ax=ax,
                           connectionstyle="arc3,rad=0.1", arrows=True)
    nx.draw_networkx_edges(g, pos, edgelist=sorted(bad), edge_color="red", width=2, ax=ax,
                           connectionstyle="arc3,rad=0.1", arrows=True)
    nx.draw_networkx_labels(g, pos, {m: m.removeprefix(package + ".") for m in g},
                            font_size=7, ax=ax, bbox={"fc": "white", "ec": "none"})
    ax.set_title("imports of predictor/ (red: outward = dependency-rule violations)")
    ax.axis("off")
    lab.savefig(fig, "import_graph.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("clean-architecture", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
