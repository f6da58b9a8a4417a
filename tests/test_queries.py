"""Queries: learning path, next-up fringe, levels, unlocks, stats."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import (
    NodeNotFound,
    depths,
    descendant_counts,
    learning_path,
    levels,
    load_roadmap,
    next_up,
    stats,
    unlocks,
)

from .factory import make, node_yaml

#   a   b
#   |\ /
#   c d      e (alone)
#    \|
#     f
EDGES = {"a": [], "b": [], "c": ["a"], "d": ["a", "b"], "e": [], "f": ["c", "d"]}


@pytest.fixture()
def rm(tmp_path: Path):
    files = {f"basics/{n}.yaml": node_yaml(n, pre) for n, pre in EDGES.items()}
    return load_roadmap(make(tmp_path, files))


def is_valid_order(rm, steps):
    pos = {n: i for i, n in enumerate(steps)}
    return all(pos[u] < pos[v] for u, v in rm.graph.edges if u in pos and v in pos)


def test_learning_path_from_scratch(rm) -> None:
    lp = learning_path(rm, "f")
    assert set(lp.steps) == {"a", "b", "c", "d", "f"} and lp.steps[-1] == "f"
    assert is_valid_order(rm, lp.steps)
    assert lp.hours == 2 * 5


def test_learning_path_skips_done_and_their_prerequisites(rm) -> None:
    assert learning_path(rm, "f", done={"d"}).steps == ["a", "c", "f"]
    assert learning_path(rm, "f", done={"c", "d"}).steps == ["f"]
    assert learning_path(rm, "f", done={"f"}).steps == []


def test_learning_path_unknown_target_suggests(rm) -> None:
    with pytest.raises(NodeNotFound) as info:
        learning_path(rm, "ff")
    assert "did you mean" in str(info.value) and "f" in info.value.suggestions


def test_next_up_ranks_by_unlocks(rm) -> None:
    fringe = next_up(rm)
    assert [n.node_id for n in fringe] == ["a", "b", "e"]  # a opens c; b opens nothing alone
    assert fringe[0].unlocks == 1 and fringe[0].leads_to == 3
    after = next_up(rm, {"a", "b"})
    assert [n.node_id for n in after][:2] == ["c", "d"] or [n.node_id for n in after][:2] == [
        "d", "c"]
    assert all(n.node_id not in {"a", "b"} for n in after)
    assert next_up(rm, set(EDGES)) == []


def test_levels_and_depths(rm) -> None:
    assert levels(rm) == [["a", "b", "e"], ["c", "d"], ["f"]]
    assert depths(rm)["f"] == 2


def test_unlocks_and_counts(rm) -> None:
    assert unlocks(rm, "a") == ["c", "d"]
    assert descendant_counts(rm) == {"a": 3, "b": 2, "c": 1, "d": 1, "e": 0, "f": 0}


def test_descendant_counts_match_networkx_asked_in_parts() -> None:
    """Counts computed for a few nodes, then for all, agree with nx.descendants."""
    import random

    import networkx as nx

    rm = load_roadmap()
    rng = random.Random(0)
    some = rng.sample(sorted(rm.nodes), 10)
    assert descendant_counts(rm, some) == {n: len(nx.descendants(rm.graph, n)) for n in some}
    assert descendant_counts(rm) == {n: len(nx.descendants(rm.graph, n)) for n in rm.nodes}


def test_stats(rm) -> None:
    s = stats(rm)
    assert s["nodes"] == 6 and s["edges"] == 5 and s["depth"] == 3 and s["labs"] == 6


def test_bundled_roadmap_paths_are_valid_orders() -> None:
    rm = load_roadmap()
    for nid in rm.nodes:
        lp = learning_path(rm, nid)
        assert lp.steps[-1] == nid and is_valid_order(rm, lp.steps)
