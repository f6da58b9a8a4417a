"""Import directions, as docs/architecture.md states them: each claim there is checked here.

Imports are read from the source (``ast``), lazy ones inside functions included; imports
under ``if TYPE_CHECKING:`` name types only and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The engine's layers, lowest first: a module may import its own layer and the ones before.
LAYERS = [
    ["graph.errors"],
    ["graph.config"],
    ["graph.model"],
    ["graph.queries"],
    ["graph.layout.records", "graph.layout.text"],  # the layout package, one step a module
    ["graph.layout.ranking"],
    ["graph.layout.ordering"],
    ["graph.layout.placement"],
    ["graph.layout.build"],
    ["graph.layout.cache"],
    ["graph.layout"],
    ["graph.evidence", "graph.sheets"],
    ["graph.coverage"],
    ["graph.validate", "graph.loader"],
    ["graph.sandbox"],
    ["graph.backends.base"],
    ["graph.backends.local", "graph.remote", "graph.backends.ray"],
    ["graph.backends"],
    ["graph.starter", "graph.runner"],
    ["graph.store.records"],
    ["graph.store.schema"],
    ["graph.store.engine"],
    ["graph.store.rows"],
    ["graph.store.transfer"],
    ["graph.store.store"],
    ["graph.store.team", "graph.store.practice", "graph.store.ledger"],
    ["graph.store", "graph"],  # the packages: re-exports of everything above
    ["graph.cli.common"],
    ["graph.cli.browse", "graph.cli.labs", "graph.cli.serve", "graph.cli.users",
     "graph.cli.teams", "graph.cli.progress", "graph.cli.review"],
    ["graph.cli", "graph.cli.__main__"],
]
RANK = {m: i for i, layer in enumerate(LAYERS) for m in layer}
# what the engine never imports: the UI's libraries, the labs' libraries, the UI, the labs
NOT_IN_ENGINE = {"streamlit", "plotly", "torch", "numpy", "pandas", "sklearn", "transformers",
                 "matplotlib", "ui", "app", "kit", "labs"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports: ``from a import b`` is ``a.b`` when that is a module
    of the engine, else ``a`` and ``a.b``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                full = f"{node.module}.{a.name}"
                out |= {full} if full in RANK else {node.module, full}
    return out


def engine_files() -> list[Path]:
    return sorted((ROOT / "graph").rglob("*.py"))


def test_every_engine_module_has_a_layer() -> None:
    assert sorted(module_name(p) for p in engine_files()) == sorted(RANK)


@pytest.mark.parametrize("path", engine_files(), ids=module_name)
def test_engine_imports_no_ui_no_lab_and_no_higher_layer(path: Path) -> None:
    me = module_name(path)
    found = imports(path)
    assert not {m.split(".")[0] for m in found} & NOT_IN_ENGINE, found
    above = sorted(m for m in found if m in RANK and RANK[m] > RANK[me])
    assert not above, f"{me} imports {above}, from a layer above its own"


def test_labs_do_not_import_the_engine() -> None:
    for path in sorted((ROOT / "labs").glob("*.py")):
        assert not {m for m in imports(path) if m.split(".")[0] == "graph"}, path


def ui_files() -> list[Path]:
    files = [ROOT / "app.py"]
    return [*files, *sorted((ROOT / "ui").rglob("*.py"))]


@pytest.mark.parametrize("path", ui_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_ui_imports_the_engine_only_through_its_public_api(path: Path) -> None:
    deep = sorted(m for m in imports(path) if m.startswith("graph.")
                  and m.removeprefix("graph.") not in _public_names())
    assert not deep, f"{path.name} imports {deep}: use `from graph import ...`"


def _public_names() -> set[str]:
    import graph

    return set(graph.__all__)
