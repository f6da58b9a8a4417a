"""The public API: ``graph.__all__`` is exactly the public names, and graph/ stays light."""

from __future__ import annotations

import importlib
import subprocess
import sys

import graph

# The modules whose __all__ make up graph's public API, as httpx re-exports its private
# modules' names. The store's layers below its package (schema, engine, rows) and the CLI
# are not part of it.
PUBLIC = ("errors", "config", "model", "loader", "validate", "queries", "layout", "backends",
          "runner", "sandbox", "starter", "evidence", "coverage",
          "sheets", "store")
NOT_REEXPORTED = {"graph.loader": {"SafeLoader"}}  # libyaml's loader, an implementation detail


def public_names() -> dict[str, object]:
    out: dict[str, object] = {}
    for name in PUBLIC:
        mod = importlib.import_module(f"graph.{name}")
        for attr in mod.__all__:
            if attr not in NOT_REEXPORTED.get(mod.__name__, ()):
                out[attr] = getattr(mod, attr)
    return out


def test_all_is_exactly_the_public_names() -> None:
    names = public_names()
    assert len(graph.__all__) == len(set(graph.__all__)), "a name is listed twice"
    assert sorted(graph.__all__) == sorted(names)
    for name, value in names.items():
        assert getattr(graph, name) is value, name
    assert set(graph.__all__) <= set(dir(graph))


def test_runner_starter_and_store_are_imported_on_first_use() -> None:
    code = ("import sys, graph, graph.cli; later = ('graph.runner', 'graph.starter', "
            "'graph.store', 'sqlalchemy'); print([m in sys.modules for m in later]); "
            "graph.run_lab; print([m in sys.modules for m in later]); "
            "graph.Store; print([m in sys.modules for m in later])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.splitlines() == ["[False, False, False, False]",
                                       "[True, False, False, False]",
                                       "[True, True, True, True]"], out.stdout + out.stderr


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        graph.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("graph.no_such_name did not raise")


def test_engine_imports_no_heavy_library() -> None:
    code = ("import sys, graph, graph.cli, graph.runner, graph.starter; "
            "graph.read_roadmap(); "
            "print(sorted(m for m in ('torch','streamlit','transformers','spacy','sklearn') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
