"""Validation checks and never builds: the loader links the graph, check_graph only reads."""

from __future__ import annotations

import copy
from pathlib import Path

from graph import (
    check_graph,
    learning_path,
    levels,
    load_roadmap,
    missing_labs,
    next_up,
    read_roadmap,
)

from .factory import make, node_yaml


def snapshot(rm):  # type: ignore[no-untyped-def]
    return copy.deepcopy((rm.pred, rm.succ, rm.alias_map, rm.warnings, rm.nodes))


def test_check_graph_twice_changes_nothing(tmp_path: Path) -> None:
    files = {"basics/a.yaml": node_yaml("a"),
             "basics/b.yaml": node_yaml("b", ["a"], aliases="[old-b]"),
             "basics/c.yaml": node_yaml("c", ["a", "b"])}
    rm = load_roadmap(make(tmp_path, files))
    before = snapshot(rm)
    assert check_graph(rm) == [] and check_graph(rm, strict=True) == []
    assert snapshot(rm) == before
    assert rm.edges() == [("a", "b"), ("a", "c"), ("b", "c")]
    assert rm.alias_map == {"old-b": "b"}


def test_problems_are_the_same_on_every_call(tmp_path: Path) -> None:
    files = {"basics/a.yaml": node_yaml("a", ["ghost", "a"]),
             "basics/b.yaml": node_yaml("b", ["c"], aliases="[a]"),
             "basics/c.yaml": node_yaml("c", ["b"])}
    rm, problems = read_roadmap(make(tmp_path, files, labs=False))
    assert rm is not None and len(problems) == 4  # ghost, a names itself, alias = id, cycle
    before = snapshot(rm)
    again = check_graph(rm)
    assert [str(p) for p in again] == [str(p) for p in problems]
    assert snapshot(rm) == before
    assert rm.edges() == [("b", "c"), ("c", "b")]  # only edges between existing nodes


def test_missing_labs_are_warnings_from_the_loader(tmp_path: Path) -> None:
    rm = load_roadmap(make(tmp_path, {"basics/a.yaml": node_yaml("a")}, labs=False))
    assert rm.warnings == missing_labs(rm) and "labs/a.py does not exist" in rm.warnings[0]
    assert check_graph(rm) == [] and len(check_graph(rm, strict=True)) == 1
    assert rm.warnings == missing_labs(rm)  # strict checking appended nothing


def test_queries_write_only_to_the_roadmaps_cache(tmp_path: Path) -> None:
    files = {"basics/a.yaml": node_yaml("a"), "basics/b.yaml": node_yaml("b", ["a"])}
    rm = load_roadmap(make(tmp_path, files))
    before = snapshot(rm)
    assert learning_path(rm, "b").steps == ["a", "b"]
    assert [n.node_id for n in next_up(rm)] == ["a"]
    assert levels(rm) == [["a"], ["b"]]
    assert snapshot(rm) == before
    assert rm.cached("topo_position", dict) == {"a": 0, "b": 1}  # what learning_path kept
