"""The layered layout: columns, order, sections, coordinates, crossings, pins and the cache."""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import itertools
import json
import random
import shutil
from pathlib import Path

import pytest

from graph import (
    LayoutCache,
    LayoutError,
    LayoutOptions,
    SchemaError,
    ValidationFailed,
    check_positions,
    content_hash,
    count_crossings,
    crossings,
    layered_layout,
    layout_json,
    load_roadmap,
    read_roadmap,
    text_width,
    wrap_title,
)
from graph.layout.ranking import network_simplex

from .factory import make, node_yaml

#: With one band per section the layout pays some crossings over Graphviz `dot` (which
#: ignores sections): 33 vs 30 on the 56-node roadmap, 64 vs 55 on 61, 145 vs 110 on 71.
LANES_FACTOR = 1.4

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz `dot` is not installed (apt install graphviz)")


@functools.cache
def _bench_layout():
    spec = importlib.util.spec_from_file_location(
        "bench_layout", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_layout.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def dot_centres(rm, sizes=None):
    """`dot -Tplain` (rankdir=LR) node centres, from the layout benchmark: one place."""
    return _bench_layout().dot_centres(rm, sizes)[0]


@pytest.fixture(scope="module")
def bundled():
    return load_roadmap()


@pytest.fixture(scope="module")
def lay(bundled):
    return layered_layout(bundled)


def small(tmp_path: Path, edges: dict[str, list[str]], sections: dict[str, str] | None = None,
          extra: dict[str, dict[str, str]] | None = None):
    """A roadmap of the given ``{id: prerequisites}``, node ids in that order; ``extra``
    adds YAML fields to some nodes."""
    sections, extra = sections or {}, extra or {}
    files = {f"{sections.get(n, 'basics')}/{n}.yaml": node_yaml(n, pre, **extra.get(n, {}))
             for n, pre in edges.items()}
    return load_roadmap(make(tmp_path, files))


# ---------------------------------------------------------------- crossing count


def test_count_crossings_counts_proper_crossings_only() -> None:
    pts = {"a": (0, 0), "b": (2, 2), "c": (0, 2), "d": (2, 0), "e": (1, 1), "f": (2, 4)}
    assert count_crossings(pts, [("a", "b"), ("c", "d")]) == 1     # an X
    assert count_crossings(pts, [("a", "b"), ("a", "d")]) == 0     # a shared end
    assert count_crossings(pts, [("a", "d"), ("c", "b")]) == 0     # parallel
    assert count_crossings(pts, [("c", "d"), ("e", "f")]) == 0     # e touches c-d only
    assert count_crossings(pts, [("a", "e"), ("e", "b")]) == 0     # collinear, shared end


def test_complete_bipartite_layers_cross_as_the_formula_says(tmp_path: Path) -> None:
    # K(3,3) in two columns: C(3,2) * C(3,2) = 9 crossings whatever the order
    edges = {"a": [], "b": [], "c": [], "x": ["a", "b", "c"], "y": ["a", "b", "c"],
             "z": ["a", "b", "c"]}
    assert crossings(layered_layout(small(tmp_path, edges))) == 9


def test_k22_has_its_one_unavoidable_crossing(tmp_path: Path) -> None:
    edges = {"a": [], "b": [], "c": ["a", "b"], "d": ["a", "b"]}
    assert crossings(layered_layout(small(tmp_path, edges))) == 1


def test_a_crossing_the_file_order_would_make_is_undone(tmp_path: Path) -> None:
    # file order puts a over b and c over d, but a->d and b->c: swapping one column fixes it
    edges = {"a": [], "b": [], "c": ["b"], "d": ["a"], "e": ["c", "d"], "f": ["d"]}
    assert crossings(layered_layout(small(tmp_path, edges))) == 0


def test_a_tree_has_no_crossing(tmp_path: Path) -> None:
    edges = {"r": [], "a": ["r"], "b": ["r"], "c": ["a"], "d": ["a"], "e": ["b"],
             "f": ["b"], "g": ["c"], "h": ["e"], "i": ["r"]}
    assert crossings(layered_layout(small(tmp_path, edges))) == 0


@pytest.fixture(scope="module")
def dot_crossings(bundled, lay) -> int:
    """Graphviz's crossings on the bundled roadmap, with our box sizes (run once)."""
    dot = dot_centres(bundled, {b.id: (b.w, b.h) for b in lay.nodes.values()})
    return count_crossings(dot, bundled.edges())


@needs_dot
def test_bundled_roadmap_crosses_no_more_than_dot(lay, dot_crossings: int) -> None:
    """Measured live against Graphviz, so it holds as the roadmap grows."""
    assert crossings(lay) <= dot_crossings


@needs_dot
def test_bundled_roadmap_with_section_lanes_stays_near_dot(bundled, dot_crossings: int
                                                          ) -> None:
    lanes = layered_layout(bundled, options=LayoutOptions(lanes=True))
    assert crossings(lanes) <= LANES_FACTOR * dot_crossings


# ---------------------------------------------------------------- placement


def test_layout_is_deterministic(bundled) -> None:
    again = load_roadmap()  # a fresh copy, loaded again
    a, b = layered_layout(bundled), layered_layout(again)
    assert a == b
    assert json.dumps(layout_json(bundled), sort_keys=True) == json.dumps(
        layout_json(again), sort_keys=True)


def test_every_node_is_placed_once_and_no_boxes_overlap(bundled, lay) -> None:
    assert set(lay.nodes) == set(bundled.nodes)
    boxes = list(lay.nodes.values())
    for a, b in itertools.combinations(boxes, 2):
        apart_x = abs(a.x - b.x) >= (a.w + b.w) / 2
        apart_y = abs(a.y - b.y) >= (a.h + b.h) / 2
        assert apart_x or apart_y, (a.id, b.id)
    for box in boxes:
        assert 0 <= box.x - box.w / 2 and box.x + box.w / 2 <= lay.width
        assert 0 <= box.y - box.h / 2 and box.y + box.h / 2 <= lay.height


@pytest.mark.parametrize("ranking", ["simplex", "depth"])
def test_columns_respect_prerequisites(bundled, ranking: str) -> None:
    lay = layered_layout(bundled, options=LayoutOptions(ranking=ranking))
    for u, v in bundled.edges():
        assert lay.nodes[u].layer < lay.nodes[v].layer, (u, v)
        assert lay.nodes[u].x < lay.nodes[v].x
    if ranking == "depth":
        from graph import depths

        assert {n: b.layer for n, b in lay.nodes.items()} == depths(bundled)


def test_simplex_columns_make_edges_no_longer_than_depth(bundled, lay) -> None:
    depth = layered_layout(bundled, options=LayoutOptions(ranking="depth"))

    def total(layout) -> int:
        return sum(layout.nodes[v].layer - layout.nodes[u].layer for u, v in bundled.edges())

    assert total(lay) < total(depth)
    if shutil.which("dot"):  # the optimum: dot's network simplex reaches the same ranks' sum
        xs = dot_centres(bundled)
        rank = {n: r for r, x in enumerate(sorted({x for x, _ in xs.values()}))
                for n in xs if xs[n][0] == x}
        assert total(lay) == sum(rank[v] - rank[u] for u, v in bundled.edges())


def test_network_simplex_finds_the_least_total_length() -> None:
    rng = random.Random(1)
    for _ in range(30):
        n = rng.randint(2, 5)
        edges = sorted({(i, j) for j in range(1, n) for i in rng.sample(range(j), rng.randint(
            0, min(j, 2)))})
        depth = [0] * n
        for j in range(n):
            depth[j] = max((depth[i] + 1 for i, k in edges if k == j), default=0)
        ranks = network_simplex(n, edges, depth)
        assert all(ranks[v] - ranks[u] >= 1 for u, v in edges)
        best = min(sum(r[v] - r[u] for u, v in edges)
                   for r in itertools.product(range(n), repeat=n)
                   if all(r[v] - r[u] >= 1 for u, v in edges))
        assert sum(ranks[v] - ranks[u] for u, v in edges) == best, edges


def test_edge_routes_run_left_to_right_through_one_slot_per_column(bundled, lay) -> None:
    for r in lay.edges:
        src, dst = lay.nodes[r.source], lay.nodes[r.target]
        assert r.points[0] == (src.x + src.w / 2, src.y)
        assert r.points[-1] == (dst.x - dst.w / 2, dst.y)
        assert len(r.points) == 2 + 2 * (dst.layer - src.layer - 1)
        xs = [x for x, _ in r.points]
        assert xs == sorted(xs)
        for x, y in r.points[1:-1]:  # a passing edge never runs through a box
            for box in lay.nodes.values():
                inside_x = box.x - box.w / 2 <= x <= box.x + box.w / 2
                assert not (inside_x and abs(y - box.y) < box.h / 2), (r.source, r.target,
                                                                        box.id)


def test_every_node_sits_in_its_section_group(bundled, lay) -> None:
    for box in lay.nodes.values():
        around = [g for g in lay.groups if g.layer == box.layer and g.section == box.section
                  and g.y <= box.y - box.h / 2 and box.y + box.h / 2 <= g.y + g.h]
        assert len(around) == 1, box.id
    for a, b in itertools.combinations(lay.groups, 2):  # group boxes never overlap
        assert a.layer != b.layer or a.y + a.h <= b.y or b.y + b.h <= a.y


def test_section_groups_do_not_interleave_needlessly(tmp_path: Path) -> None:
    # two independent chains, one per section, listed interleaved: nothing forces a mix
    edges = {"a1": [], "b1": [], "a2": ["a1"], "b2": ["b1"], "a3": ["a2"], "b3": ["b2"]}
    sections = {n: ("basics" if n[0] == "a" else "more") for n in edges}
    lay = layered_layout(small(tmp_path, edges, sections))
    assert len(lay.groups) == 6  # one group per section per column
    for k in range(3):
        col = sorted((b for b in lay.nodes.values() if b.layer == k), key=lambda b: b.y)
        assert [b.section for b in col] == ["basics", "more"]


def test_lanes_hold_all_their_sections_nodes(bundled) -> None:
    lay = layered_layout(bundled, options=LayoutOptions(lanes=True))
    lanes = {ln.section: ln for ln in lay.lanes}
    assert set(lanes) == {n.section for n in bundled.nodes.values()}
    for box in lay.nodes.values():
        lane = lanes[box.section]
        assert lane.y <= box.y - box.h / 2 and box.y + box.h / 2 <= lane.y + lane.h, box.id
    ordered = sorted(lay.lanes, key=lambda ln: ln.y)
    for a, b in zip(ordered, ordered[1:], strict=False):
        assert a.y + a.h <= b.y


# ---------------------------------------------------------------- titles and languages


def squeeze(lines) -> str:
    """The text without its spaces: what wrapping must keep, every character."""
    return "".join(lines).replace(" ", "")


@pytest.mark.parametrize("title", [
    "Model compression: pruning, quantization, distillation",
    "Fine-tuning pretrained models for classification, generation and translation",
    "Supercalifragilisticexpialidocious word",
    "CNN",
])
def test_titles_wrap_but_are_never_cut(title: str) -> None:
    lines = wrap_title(title, 118, 13)
    assert squeeze(lines) == squeeze([title])
    for line in lines:
        assert text_width(line, 13) <= 118 or " " not in line


def test_boxes_fit_the_longest_title_in_every_language(bundled, lay) -> None:
    opts = LayoutOptions()
    spanish = layered_layout(bundled, lang="es")
    for nid, box in lay.nodes.items():
        node = bundled.nodes[nid]
        for lines in (box.lines, spanish.nodes[nid].lines):
            assert box.h >= len(lines) * opts.line_px + 2 * opts.pad_y
            assert all(text_width(s, opts.font_px) <= box.w - 2 * opts.pad_x for s in lines)
        assert squeeze(box.lines) == squeeze([node.title])
        assert squeeze(spanish.nodes[nid].lines) == squeeze([node.title_in("es")])
    # the geometry does not depend on the language: switching moves nothing
    assert [(b.x, b.y, b.w, b.h) for b in lay.nodes.values()] == [
        (b.x, b.y, b.w, b.h) for b in spanish.nodes.values()]


# ---------------------------------------------------------------- pins


def test_pins_put_a_node_in_its_column_and_row(tmp_path: Path) -> None:
    edges = {"a": [], "b": [], "c": ["a"], "d": ["a"], "e": ["b"]}
    rm = small(tmp_path, edges, extra={"e": {"position": "[3, 0]"}, "d": {"position": "[1, 0]"}})
    lay = layered_layout(rm)
    assert lay.nodes["e"].layer == 3
    assert lay.nodes["d"].layer == 1
    col1 = sorted((b for b in lay.nodes.values() if b.layer == 1), key=lambda b: b.y)
    assert col1[0].id == "d"
    for u, v in rm.edges():
        assert lay.nodes[u].layer < lay.nodes[v].layer


def test_a_pin_left_of_a_prerequisite_is_a_clear_error(tmp_path: Path) -> None:
    files = {"basics/a.yaml": node_yaml("a"), "basics/b.yaml": node_yaml("b", ["a"]),
             "basics/c.yaml": node_yaml("c", ["b"], position="[1, 0]")}
    rm, problems = read_roadmap(make(tmp_path, files))  # `roadmap validate` reports it
    assert len(problems) == 1 and isinstance(problems[0], LayoutError)
    msg = str(problems[0])
    for needle in ("c.yaml", "position", "'c'", "column 1", "'b'", "at least 2"):
        assert needle in msg, (needle, msg)
    assert rm is not None and [str(p) for p in check_positions(rm)] == [msg]
    with pytest.raises(LayoutError, match="prerequisite 'b' is in column 1"):
        layered_layout(rm)


@pytest.mark.parametrize("value, needle", [
    ("[1]", "position must be [column, row]"),
    ("[1, 2, 3]", "position must be [column, row]"),
    ("[-1, 0]", "greater than -1"),
    ("[1.5, 0]", "should be an integer"),
    ("{x: 1, y: 2}", "should be a list"),
])
def test_a_malformed_position_is_a_schema_error(tmp_path: Path, value: str,
                                                needle: str) -> None:
    root = make(tmp_path, {"basics/a.yaml": node_yaml("a", position=value)})
    _, problems = read_roadmap(root)
    assert len(problems) == 1 and isinstance(problems[0], SchemaError)
    assert "a.yaml" in str(problems[0]) and "position" in str(problems[0])
    assert needle in str(problems[0])
    with pytest.raises(ValidationFailed):
        load_roadmap(root)


def test_unknown_ranking_is_refused() -> None:
    with pytest.raises(LayoutError, match="ranking"):
        LayoutOptions(ranking="sideways")


# ---------------------------------------------------------------- cache and JSON


def test_cache_reuses_a_layout_until_what_it_depends_on_changes(tmp_path: Path) -> None:
    edges = {"a": [], "b": ["a"]}
    rm = small(tmp_path, edges)
    cache = LayoutCache(maxsize=2)
    first = cache.get(rm)
    assert cache.get(rm) is first and (cache.hits, cache.misses) == (1, 1)
    assert "layout" not in " ".join(rm._cache)  # nothing written on the roadmap
    # a summary does not change the drawing; a title does
    same = content_hash(rm)
    rm.nodes["b"] = dataclasses.replace(rm.nodes["b"], summary="Another summary.")
    assert content_hash(rm) == same and cache.get(rm) is first
    rm.nodes["b"] = dataclasses.replace(rm.nodes["b"], title="A much longer title for b")
    assert content_hash(rm) != same
    second = cache.get(rm)
    assert second is not first and second.nodes["b"].lines != first.nodes["b"].lines
    assert content_hash(rm, "es") != content_hash(rm, "en")
    cache.get(rm, "es")  # a third layout: the least recently used one goes
    assert len(cache) == 2
    cache.get(rm)
    assert cache.misses == 3


def test_layout_json_shape(bundled) -> None:
    data = layout_json(bundled)
    json.dumps(data)
    assert {"nodes", "edges", "lanes", "groups", "crossings", "width", "height", "layers",
            "key"} <= set(data)
    assert len(data["nodes"]) == len(bundled.nodes)
    assert set(data["nodes"][0]) == {"id", "x", "y", "w", "h", "layer", "section", "lines"}
    assert len(data["edges"]) == len(bundled.edges())
    assert data["crossings"] == crossings(layered_layout(bundled))
