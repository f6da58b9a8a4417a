"""The public API: every module's __all__ is re-exported, and graph/ stays light."""

from __future__ import annotations

import subprocess
import sys

import graph
import graph.errors
import graph.layout
import graph.loader
import graph.model
import graph.queries
import graph.validate


def test_package_reexports_module_all() -> None:
    for mod in (graph.errors, graph.layout, graph.loader, graph.model, graph.queries,
                graph.validate):
        for name in mod.__all__:
            if name in ("ID_PATTERN", "SafeLoader"):
                continue
            assert getattr(graph, name) is getattr(mod, name), name
    assert sorted(graph.__all__) == sorted(set(graph.__all__))
    for name in graph.__all__:
        assert hasattr(graph, name)


def test_engine_imports_no_heavy_library() -> None:
    code = ("import sys, graph, graph.cli, graph.runner, graph.starter; "
            "graph.read_roadmap(); "
            "print(sorted(m for m in ('torch','streamlit','transformers','spacy','sklearn') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
