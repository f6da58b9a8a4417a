"""Layered drawing of the prerequisite DAG: positions, box sizes, edge routes, crossings.

A Sugiyama-style layout in plain Python, drawn left to right:

1. **Columns.** Every node sits right of all its prerequisites. Columns start at the
   prerequisite depth and are then shifted to make the edges as short as possible in
   total (network simplex, as Graphviz ``dot`` ranks); an edge that still skips columns
   runs through one virtual point per column it passes.
2. **Order** within each column by weighted-median sweeps, left to right and back, each
   followed by adjacent transpositions, from several initial orders; the orders with
   fewest crossings (between adjacent columns, virtual points included) are kept.
3. **Sections.** By default sections are *colour groups that do not interleave
   needlessly*: a last pass swaps neighbours into the sections' order wherever that adds
   no crossing, and each run of one section's boxes in a column gets a group box. With
   ``LayoutOptions(lanes=True)`` every section gets a horizontal band instead (a lane
   that holds all of its nodes), at the price of more crossings.
4. **Coordinates.** Boxes are pulled towards their neighbours and every virtual point
   towards the straight line between its edge's ends (so curves through the virtual
   points cross what the straight segments cross); a bounded isotonic regression keeps
   each column's order and spacing.

Among the candidates (initial orders, lane orders) the drawing whose straight edges
cross least wins. Boxes fit the full title, wrapped (text widths are estimated per
character), in every language the node has, so switching language moves nothing. The
result is deterministic; :class:`LayoutCache` keeps layouts by a hash of exactly what
they depend on. :func:`crossings` counts crossings of straight segments between box
centres, the measure used to compare with ``dot``.

Authors may pin a node with ``position: [column, row]`` in its YAML: the column (0 is
the leftmost), which must come after every prerequisite's column, and the row, its
0-based place from the top among the boxes of that column (of its section, with lanes).
With pins, columns start at depth and move right only where no pin stops them.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from itertools import permutations
from typing import Any

from graph.errors import LayoutError
from graph.model import Roadmap

__all__ = [
    "LayoutOptions",
    "NodeBox",
    "EdgeRoute",
    "Lane",
    "Group",
    "Layout",
    "LayoutCache",
    "LAYOUT_CACHE",
    "layered_layout",
    "cached_layout",
    "content_hash",
    "crossings",
    "count_crossings",
    "layout_json",
    "check_positions",
    "wrap_title",
    "text_width",
]

RANKINGS = ("simplex", "depth")


@dataclass(frozen=True)
class LayoutOptions:
    """Sizes (in px at zoom 1), choices and effort of the layout; part of the cache key."""

    font_px: float = 13.0      # title font size the renderer uses
    line_px: float = 16.0      # line height of a wrapped title
    wrap_px: float = 118.0     # width a title line may take before it wraps
    pad_x: float = 10.0        # box padding left and right of the text
    pad_y: float = 8.0         # box padding above and below the text
    col_gap: float = 52.0      # space between columns, where the edges curve
    row_gap: float = 16.0      # space between two boxes in a column
    virtual_px: float = 4.0    # height a long edge takes where it passes a column
    virtual_gap: float = 6.0   # space between a passing edge and its neighbours
    group_pad: float = 6.0     # margin of a section's group box around its boxes
    lane_header: float = 24.0  # room for the section title at the top of a lane
    lane_pad: float = 8.0      # space inside a lane above and below its boxes
    lane_gap: float = 6.0      # space between two lanes
    margin: float = 12.0       # space around the whole drawing
    ranking: str = "simplex"   # "simplex": shortest edges; "depth": column = depth
    lanes: bool = False        # one horizontal band per section (more crossings)
    sweeps: int = 24           # at most this many ordering sweeps per start
    patience: int = 8          # stop after this many sweeps without fewer crossings
    starts: int = 4            # initial orders tried (depth-first walks from both ends)
    lane_orders: int = 3       # lane orders tried with lanes (shortest edges first)
    rounds: int = 24           # coordinate rounds (pull towards neighbours, then fit)
    straight: float = 8.0      # how strongly virtual points keep to their edge's line
    small: int = 600           # nodes + virtual points up to which every candidate runs

    def __post_init__(self) -> None:
        if self.ranking not in RANKINGS:
            raise LayoutError(f"layout ranking must be one of {', '.join(RANKINGS)}, "
                              f"got {self.ranking!r}")


@dataclass(frozen=True)
class NodeBox:
    """A node's box: centre ``(x, y)``, size ``w`` x ``h``, column and wrapped title."""

    id: str
    x: float
    y: float
    w: float
    h: float
    layer: int
    section: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class EdgeRoute:
    """An edge from prerequisite ``source`` to dependent ``target``.

    ``points`` runs from the right side of the source box, through two points per column
    the edge passes (where it enters and leaves the column), to the left side of the
    target box; a renderer joins them with horizontal-tangent curves.
    """

    source: str
    target: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Lane:
    """The horizontal band of a section (lanes mode): ``y`` to ``y + h``, full width."""

    section: str
    y: float
    h: float


@dataclass(frozen=True)
class Group:
    """A run of one section's boxes in one column: the rectangle around them."""

    section: str
    layer: int
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Layout:
    """A computed layout: boxes by id, edge routes, section lanes or groups, size."""

    nodes: dict[str, NodeBox]
    edges: tuple[EdgeRoute, ...]
    lanes: tuple[Lane, ...]
    groups: tuple[Group, ...]
    width: float
    height: float
    layers: int
    key: str

    def centres(self) -> dict[str, tuple[float, float]]:
        """Node id to box centre."""
        return {i: (b.x, b.y) for i, b in self.nodes.items()}


# ---------------------------------------------------------------------------- text


_NARROW = frozenset("ijl|!.,:;'`")
_SLIM = frozenset("ftrI()[]{}-/ \"")
_WIDE = frozenset("mwMW@%&")
_NARROW_CAPS = frozenset("JLTFEPSZBKRXY")


def _char_em(c: str) -> float:
    """Estimated advance of one character, in em, for a humanist sans (Source Sans)."""
    if c in _NARROW:
        return 0.26
    if c in _SLIM:
        return 0.34
    if c in _WIDE:
        return 0.8
    if c in _NARROW_CAPS:
        return 0.54
    if c.isupper():
        return 0.64
    if c.isdigit():
        return 0.52
    return 0.53


_EM: dict[str, float] = {}


def text_width(text: str, font_px: float) -> float:
    """Estimated rendered width of ``text`` in px (Source Sans, Streamlit's font, measured
    in Chromium: within -3 % and +30 % of the real width of every bundled title word;
    the renderer shrinks a line that would still overflow).

    Examples
    --------
    >>> round(text_width("Backpropagation", 13))
    95
    """
    em = _EM
    total = 0.0
    for c in text:
        w = em.get(c)
        if w is None:
            w = em[c] = _char_em(c)
        total += w
    return font_px * total


def wrap_title(title: str, width_px: float, font_px: float) -> list[str]:
    """Word-wrap ``title`` to lines of at most ``width_px`` (estimated); never cut it.

    Lines break at spaces, or after a hyphen or slash inside a word; a single word
    wider than ``width_px`` keeps a line of its own.

    Examples
    --------
    >>> wrap_title("Model compression: pruning, quantization, distillation", 118, 13)
    ['Model compression:', 'pruning,', 'quantization,', 'distillation']
    """
    tokens: list[str] = []
    for word in title.split():
        piece = ""
        for c in word:  # "Fine-tuning" may break as "Fine-" / "tuning"
            piece += c
            if c in "-/" and len(piece) > 2:
                tokens.append(piece)
                piece = ""
        if piece:
            tokens.append(piece)
        tokens[-1] += " "
    lines: list[str] = []
    cur = ""
    for tok in tokens:
        if cur and text_width((cur + tok).rstrip(), font_px) > width_px:
            lines.append(cur.rstrip())
            cur = tok
        else:
            cur += tok
    if cur.strip():
        lines.append(cur.rstrip())
    return lines or [""]


# ---------------------------------------------------------------------------- cache


def content_hash(roadmap: Roadmap, lang: str = "en",
                 options: LayoutOptions | None = None) -> str:
    """A hash of exactly what the layout depends on.

    Sections (id, order), nodes (id, section, prerequisites, titles in every language,
    pin), the language of the lines and the options: editing a summary, a resource or a
    lab keeps the hash, and so the cached layout.
    """
    opts = options or LayoutOptions()
    doc = {
        "v": 1,
        "lang": lang,
        "options": asdict(opts),
        "sections": [(s.id, s.order) for s in roadmap.sections],
        "nodes": [(n.id, n.section, roadmap.pred[n.id], n.title,
                   sorted((k, t.title) for k, t in n.i18n.items()), n.position)
                  for n in roadmap.nodes.values()],
    }
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(raw).hexdigest()[:24]


class LayoutCache:
    """Layouts kept by :func:`content_hash`, the least recently used dropped first.

    Nothing is stored on the roadmap: an edited roadmap has a new hash and gets a new
    layout; an unchanged one (a Streamlit rerun, a reloaded copy) reuses the old one.

    Examples
    --------
    >>> from graph import load_roadmap
    >>> cache = LayoutCache(maxsize=4)
    >>> rm = load_roadmap()
    >>> cache.get(rm) is cache.get(rm), cache.hits, cache.misses
    (True, 1, 1)
    """

    def __init__(self, maxsize: int = 16) -> None:
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[str, Layout] = OrderedDict()

    def get(self, roadmap: Roadmap, lang: str = "en",
            options: LayoutOptions | None = None) -> Layout:
        """The layout of ``roadmap`` with titles in ``lang``: kept, or computed and kept."""
        key = content_hash(roadmap, lang, options)
        found = self._items.get(key)
        if found is not None:
            self.hits += 1
            self._items.move_to_end(key)
            return found
        self.misses += 1
        made = layered_layout(roadmap, lang=lang, options=options)
        self._items[key] = made
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)
        return made

    def clear(self) -> None:
        """Forget every layout (and the hit and miss counts)."""
        self._items.clear()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


LAYOUT_CACHE = LayoutCache()


def cached_layout(roadmap: Roadmap, lang: str = "en",
                  options: LayoutOptions | None = None) -> Layout:
    """:func:`layered_layout` through the process-wide :data:`LAYOUT_CACHE`."""
    return LAYOUT_CACHE.get(roadmap, lang, options)


# ---------------------------------------------------------------------------- columns


def _where(roadmap: Roadmap, node_id: str) -> str:
    path = roadmap.files.get(node_id)
    return f"{path}: " if path else ""


def check_positions(roadmap: Roadmap) -> list[LayoutError]:
    """Every ``position`` pin that contradicts the prerequisites (empty when all fit).

    A pinned column must come after the column of each prerequisite (pinned or not).

    Examples
    --------
    >>> from graph import load_roadmap
    >>> check_positions(load_roadmap())
    []
    """
    return _depth_columns(roadmap)[1]


def _depth_columns(roadmap: Roadmap) -> tuple[dict[str, int], list[LayoutError]]:
    """Column of each node (its depth, or its pin) and the pins that do not fit."""
    from graph.queries import topological_order

    order = topological_order(roadmap)
    if order is None:
        raise LayoutError("the prerequisites form a cycle; `roadmap validate` names it")
    col: dict[str, int] = {}
    problems: list[LayoutError] = []
    for nid in order:
        pres = roadmap.pred[nid]
        least = max((col[p] + 1 for p in pres), default=0)
        pin = roadmap.nodes[nid].position
        if pin is not None and pin[0] < least:
            late = max(pres, key=lambda p: (col[p], p))
            problems.append(LayoutError(
                f"{_where(roadmap, nid)}position: node {nid!r} is pinned to column "
                f"{pin[0]}, but its prerequisite {late!r} is in column {col[late]}; "
                f"use a column of at least {least}"))
        col[nid] = least if pin is None else max(pin[0], least)
    return col, problems


def _columns(roadmap: Roadmap, opts: LayoutOptions) -> dict[str, int]:
    """The column of every node (see the module doc)."""
    col, problems = _depth_columns(roadmap)
    if problems:
        raise problems[0] if len(problems) == 1 else LayoutError(
            "\n".join(str(p) for p in problems))
    if opts.ranking == "depth":
        return col
    if any(n.position is not None for n in roadmap.nodes.values()):
        return _push_right(roadmap, col)
    ids = list(roadmap.nodes)
    index = {n: i for i, n in enumerate(ids)}
    edges = [(index[u], index[v]) for u, v in roadmap.edges()]
    # on big roadmaps the last pivots gain little (0.8 % of the length on 500 nodes)
    pivots = len(ids) // 2 if 3 * len(ids) > opts.small else 0
    ranks = _network_simplex(len(ids), edges, [col[n] for n in ids], pivots)
    return {n: ranks[i] for i, n in enumerate(ids)}


def _push_right(roadmap: Roadmap, col: dict[str, int]) -> dict[str, int]:
    """Move unpinned nodes right (with the dependents they push) while edges get shorter.

    The "promotion" heuristic of Nikolov and Tarassov (2006) run towards the dependents;
    a move is kept only when the total edge length falls.
    """
    succ, pred, nodes = roadmap.succ, roadmap.pred, roadmap.nodes
    col = dict(col)
    moved: list[str] = []

    def push(v: str) -> float:
        """Move ``v`` one column right; returns the change in total edge length."""
        if nodes[v].position is not None:
            return float("inf")
        diff = 0.0
        for u in succ[v]:
            if col[u] == col[v] + 1:
                diff += push(u)
        col[v] += 1
        moved.append(v)
        return diff + len(pred[v]) - len(succ[v])

    order = sorted(col, key=lambda n: (-col[n], n))
    for _ in range(len(col)):
        better = False
        for v in order:
            if not succ[v]:
                continue
            moved.clear()
            if push(v) < 0:
                better = True
            else:
                for u in moved:
                    col[u] -= 1
        if not better:
            break
    return col


def _network_simplex(n: int, edges: list[tuple[int, int]], rank: list[int],
                     pivots: int = 0) -> list[int]:
    """Ranks with every edge at least 1 long and the total length least (Gansner et al.,
    "A technique for drawing directed graphs", 1993), from the feasible ``rank``.

    Each weakly connected component is solved on its own and starts at rank 0. With
    ``pivots``, each component stops after that many pivots (still feasible, shorter).
    """
    rank = list(rank)
    out_e: list[list[int]] = [[] for _ in range(n)]
    in_e: list[list[int]] = [[] for _ in range(n)]
    for i, (u, v) in enumerate(edges):
        out_e[u].append(i)
        in_e[v].append(i)
    seen = [False] * n
    for root in range(n):
        if seen[root]:
            continue
        comp, stack = [], [root]
        seen[root] = True
        while stack:
            x = stack.pop()
            comp.append(x)
            for i in out_e[x] + in_e[x]:
                u, v = edges[i]
                y = v if u == x else u
                if not seen[y]:
                    seen[y] = True
                    stack.append(y)
        if len(comp) > 1:
            _Simplex(comp, edges, out_e, in_e, rank, pivots or 20 * len(comp)).solve()
        else:
            rank[root] = 0
    return rank


class _Simplex:
    """Network simplex on one component: a tight spanning tree, cut values, pivots."""

    def __init__(self, comp: list[int], edges: list[tuple[int, int]],
                 out_e: list[list[int]], in_e: list[list[int]], rank: list[int],
                 pivots: int) -> None:
        self.comp, self.edges, self.out_e, self.in_e, self.rank = comp, edges, out_e, in_e, rank
        self.pivots = pivots
        self.tree: set[int] = set()
        self.adj: dict[int, list[int]] = {x: [] for x in comp}
        self.par: dict[int, int | None] = {}
        self.low: dict[int, int] = {}
        self.lim: dict[int, int] = {}
        self.cut: dict[int, int] = {}

    def slack(self, i: int) -> int:
        u, v = self.edges[i]
        return self.rank[v] - self.rank[u] - 1

    def feasible_tree(self) -> None:
        """Grow a tree of tight edges; shift it to tighten the least-slack edge out."""
        edges, rank = self.edges, self.rank
        inside = {self.comp[0]}
        frontier = [self.comp[0]]
        comp_edges = sorted({i for x in self.comp for i in self.out_e[x]})
        while True:
            while frontier:
                x = frontier.pop()
                for i in self.out_e[x] + self.in_e[x]:
                    u, v = edges[i]
                    y = v if u == x else u
                    if y not in inside and self.slack(i) == 0:
                        inside.add(y)
                        self.tree.add(i)
                        frontier.append(y)
            if len(inside) == len(self.comp):
                break
            best, best_s = -1, 0
            for i in comp_edges:
                u, v = edges[i]
                if (u in inside) != (v in inside):
                    s = self.slack(i)
                    if best < 0 or s < best_s:
                        best, best_s = i, s
            delta = -best_s if edges[best][1] in inside else best_s
            for x in inside:
                rank[x] += delta
            frontier = list(inside)
        for i in self.tree:
            u, v = edges[i]
            self.adj[u].append(i)
            self.adj[v].append(i)

    def number(self, start: int, par_edge: int | None, first: int,
               touched: tuple[int, ...] = ()) -> None:
        """Postorder numbers ``low``/``lim`` of the subtree at ``start``; a subtree whose
        place is unchanged and which holds none of ``touched`` (old lims) is skipped."""
        edges, par, low, lim = self.edges, self.par, self.low, self.lim
        par[start], low[start] = par_edge, first
        counter = first
        stack = [(start, par_edge, iter(self.adj[start]))]
        while stack:
            x, pe, it = stack[-1]
            for i in it:
                if i == pe:
                    continue
                u, v = edges[i]
                y = v if u == x else u
                if (par.get(y, -1) == i and low.get(y) == counter and y in lim
                        and not any(low[y] <= c <= lim[y] for c in touched)):
                    counter = lim[y] + 1
                    continue
                par[y], low[y] = i, counter
                stack.append((y, i, iter(self.adj[y])))
                break
            else:
                stack.pop()
                lim[x] = counter
                counter += 1

    def cut_values(self) -> None:
        """Cut value of every tree edge, children first (Gansner's x_cutval)."""
        edges, low, lim, cut = self.edges, self.low, self.lim, self.cut
        for x in sorted(self.comp, key=lim.__getitem__):
            f = self.par[x]
            if f is None:
                continue
            tail = edges[f][0] == x
            total = 0
            for i in self.out_e[x] + self.in_e[x]:
                a, b = edges[i]
                other = b if a == x else a
                inside = low[x] <= lim[other] <= lim[x]
                rv = (cut.get(i, 0) if i in self.tree else 0) - 1 if inside else 1
                d = (1 if b == x else -1) if tail else (1 if a == x else -1)
                if not inside:
                    d = -d
                total += rv if d > 0 else -rv
            cut[f] = total

    def update(self, x: int, w: int, direction: bool, cv: int) -> int:
        """Add or take ``cv`` along the tree path from ``x`` up to the subtree holding
        ``w`` (Gansner's treeupdate); returns the top of that path."""
        edges, low, lim = self.edges, self.low, self.lim
        while not low[x] <= lim[w] <= lim[x]:
            e = self.par[x]
            assert e is not None
            eu, ev = edges[e]
            self.cut[e] += cv if (direction if x == eu else not direction) else -cv
            x = eu if lim[eu] > lim[ev] else ev
        return x

    def solve(self) -> None:
        self.feasible_tree()
        root = self.comp[0]
        self.number(root, None, 1)
        self.cut_values()
        edges, low, lim, cut, rank = self.edges, self.low, self.lim, self.cut, self.rank
        tree_list = sorted(self.tree)
        at = 0
        for _ in range(self.pivots):
            leave = -1
            for k in range(len(tree_list)):  # the next negative cut value, cyclically
                i = tree_list[(at + k) % len(tree_list)]
                if cut[i] < 0:
                    leave, at = i, (at + k) % len(tree_list)
                    break
            if leave < 0:
                break
            u, v = edges[leave]
            outward = lim[u] >= lim[v]  # v's side is the subtree: look for edges out of it
            sub_root = v if outward else u
            lo, hi = low[sub_root], lim[sub_root]
            by_lim = {lim[x]: x for x in self.comp}
            sub = [by_lim[k] for k in range(lo, hi + 1)]
            enter, best_s = -1, 0
            for x in sub:
                for i in (self.out_e[x] if outward else self.in_e[x]):
                    if i in self.tree:
                        continue
                    other = edges[i][1] if outward else edges[i][0]
                    if not lo <= lim[other] <= hi:
                        s = self.slack(i)
                        if enter < 0 or s < best_s or (s == best_s and i < enter):
                            enter, best_s = i, s
            if enter < 0:
                break
            a, b = edges[enter]
            cv = cut[leave]
            lca = self.update(a, b, True, cv)
            self.update(b, a, False, cv)
            shift = best_s if outward else -best_s
            for x in sub:
                rank[x] += shift
            touched = (lim[a], lim[b], lim[u], lim[v])
            cut[enter] = -cv
            del cut[leave]
            self.tree.discard(leave)
            self.tree.add(enter)
            self.adj[u].remove(leave)
            self.adj[v].remove(leave)
            self.adj[a].append(enter)
            self.adj[b].append(enter)
            tree_list[at] = enter
            self.number(lca, self.par[lca], low[lca], touched)
        lowest = min(rank[x] for x in self.comp)
        for x in self.comp:
            rank[x] -= lowest


def _lane_orders(roadmap: Roadmap, present: list[str], k: int) -> list[list[str]]:
    """The ``k`` lane orders (of the sections in ``present``) with the shortest
    cross-section edges, best first.

    Cost of an order: the sum over edges of how many lanes apart their ends are. Up to
    7 sections every order is scored, ties keeping the sections' own order first; beyond
    7, the sections' own order alone.
    """
    if len(present) > 7:
        return [present]
    idx = {s: i for i, s in enumerate(present)}
    weight: dict[tuple[int, int], int] = {}
    for u, v in roadmap.edges():
        a, b = sorted((idx[roadmap.nodes[u].section], idx[roadmap.nodes[v].section]))
        if a != b:
            weight[a, b] = weight.get((a, b), 0) + 1
    scored = []
    for perm in permutations(range(len(present))):  # lexicographic: own order first
        place = [0] * len(perm)
        for i, sec in enumerate(perm):
            place[sec] = i
        scored.append((sum(w * abs(place[a] - place[b]) for (a, b), w in weight.items()),
                       perm))
    scored.sort(key=lambda t: t[0])  # stable: equal costs stay in lexicographic order
    return [[present[i] for i in perm] for _, perm in scored[:k]]


# ---------------------------------------------------------------------------- order


class _Graph:
    """The layered graph the sweeps work on: real nodes first, then virtual points."""

    def __init__(self, n_layers: int) -> None:
        self.layer: list[int] = []
        self.lane: list[int] = []          # block the element sorts in (0 without lanes)
        self.section: list[float] = []     # section rank (interpolated on long edges)
        self.pin: list[int | None] = []    # fixed row among the real boxes, or None
        self.real: list[bool] = []
        self.up: list[list[int]] = []      # neighbours in the column before
        self.down: list[list[int]] = []    # neighbours in the column after
        self.layers: list[list[int]] = [[] for _ in range(n_layers)]

    def add(self, layer: int, lane: int, section: float, real: bool,
            pin: int | None = None) -> int:
        e = len(self.layer)
        self.layer.append(layer)
        self.lane.append(lane)
        self.section.append(section)
        self.pin.append(pin)
        self.real.append(real)
        self.up.append([])
        self.down.append([])
        self.layers[layer].append(e)
        return e

    def link(self, a: int, b: int) -> None:
        self.down[a].append(b)
        self.up[b].append(a)


def _place(block: list[int], keys: dict[int, float], g: _Graph) -> list[int]:
    """Reorder one lane block: elements with a key are sorted by it (stably) into the
    slots such elements held; the others keep their slots; pinned boxes then go back in
    at their row (counted among the real boxes)."""
    pin = g.pin
    free = [e for e in block if pin[e] is None]
    moving = sorted((e for e in free if e in keys), key=keys.__getitem__)
    it = iter(moving)
    out = [next(it) if e in keys else e for e in free]
    for e in sorted((e for e in block if pin[e] is not None), key=lambda e: (pin[e], e)):
        row, seen, at = pin[e] or 0, 0, len(out)
        for i, x in enumerate(out):
            if seen == row:
                at = i
                break
            seen += g.real[x]
        out.insert(at, e)
    return out


def _blocks(g: _Graph, order: list[int]) -> list[list[int]]:
    """Split a column's order into its lane blocks (consecutive runs of one lane)."""
    out: list[list[int]] = []
    last = -1
    for e in order:
        if g.lane[e] != last:
            out.append([])
            last = g.lane[e]
        out[-1].append(e)
    return out


def _median(ps: list[int]) -> float:
    """Weighted median of sorted neighbour positions (Gansner et al.'s mincross)."""
    m = len(ps) // 2
    if len(ps) % 2 or len(ps) < 2:
        return float(ps[m])
    if len(ps) == 2:
        return (ps[0] + ps[1]) / 2
    left, right = ps[m - 1] - ps[0], ps[-1] - ps[m]
    if left + right == 0:
        return (ps[m - 1] + ps[m]) / 2
    return (ps[m - 1] * right + ps[m] * left) / (left + right)


def _sweep(g: _Graph, orders: list[list[int]], pos: list[int], downward: bool) -> None:
    """One pass over every column, left to right or right to left: each element goes
    to the weighted median of its neighbours in the column before."""
    n = len(orders)
    nbrs = g.up if downward else g.down
    for k in (range(1, n) if downward else range(n - 2, -1, -1)):
        keys = {e: _median(sorted(pos[x] for x in nbrs[e])) for e in orders[k] if nbrs[e]}
        new: list[int] = []
        for block in _blocks(g, orders[k]):
            new.extend(_place(block, keys, g))
        orders[k] = new
        for i, e in enumerate(new):
            pos[e] = i


def _pair_crossings(g: _Graph, pos: list[int], a: int, b: int) -> int:
    """Crossings among the edges of ``a`` and ``b`` when ``a`` is just above ``b``."""
    c = 0
    for na, nb in ((g.up[a], g.up[b]), (g.down[a], g.down[b])):
        for x in na:
            px = pos[x]
            for y in nb:
                if px > pos[y]:
                    c += 1
    return c


def _swappable(g: _Graph, a: int, b: int) -> bool:
    return g.lane[a] == g.lane[b] and g.pin[a] is None and g.pin[b] is None


def _transpose(g: _Graph, orders: list[list[int]], pos: list[int], ties: bool,
               passes: int) -> None:
    """Swap neighbours while that removes crossings (up to ``passes`` passes); with
    ``ties``, swaps that keep the count are made too (to leave a plateau)."""
    for _ in range(passes):
        gain = 0
        for order in orders:
            for i in range(len(order) - 1):
                a, b = order[i], order[i + 1]
                if not _swappable(g, a, b):
                    continue
                now, swapped = _pair_crossings(g, pos, a, b), _pair_crossings(g, pos, b, a)
                if swapped < now or (ties and swapped == now and now > 0):
                    order[i], order[i + 1] = b, a
                    pos[a], pos[b] = i + 1, i
                    gain += now - swapped
        if gain <= 0:
            return


def _group(g: _Graph, orders: list[list[int]], pos: list[int]) -> None:
    """Bubble neighbours into the sections' order wherever that adds no crossing."""
    for order in orders:
        for _ in range(len(order)):
            moved = False
            for i in range(len(order) - 1):
                a, b = order[i], order[i + 1]
                if (g.section[a] > g.section[b] and _swappable(g, a, b)
                        and _pair_crossings(g, pos, b, a) <= _pair_crossings(g, pos, a, b)):
                    order[i], order[i + 1] = b, a
                    pos[a], pos[b] = i + 1, i
                    moved = True
            if not moved:
                break


def _layer_crossings(g: _Graph, upper: list[int], pos: list[int], width: int) -> int:
    """Crossings between a column and the next (Fenwick-tree inversion count)."""
    ends = sorted((pos[a], pos[b]) for a in upper for b in g.down[a])
    tree = [0] * (width + 1)
    seen = c = 0
    for _, p in ends:
        i, at_or_above = p + 1, 0
        while i > 0:
            at_or_above += tree[i]
            i -= i & -i
        c += seen - at_or_above
        i = p + 1
        while i <= width:
            tree[i] += 1
            i += i & -i
        seen += 1
    return c


def _total_crossings(g: _Graph, orders: list[list[int]], pos: list[int]) -> int:
    return sum(_layer_crossings(g, orders[k], pos, len(orders[k + 1]))
               for k in range(len(orders) - 1))


def _positions(g: _Graph, orders: list[list[int]]) -> list[int]:
    pos = [0] * len(g.layer)
    for order in orders:
        for i, e in enumerate(order):
            pos[e] = i
    return pos


def _initial(g: _Graph, ident: list[str], roots: list[int]) -> list[list[int]]:
    """Columns in the order a depth-first walk from ``roots`` meets their elements."""
    seen = [False] * len(g.layer)
    met: list[int] = []
    for r in roots:
        if seen[r]:
            continue
        stack = [r]
        seen[r] = True
        while stack:
            e = stack.pop()
            met.append(e)
            for x in sorted(g.down[e] + g.up[e], key=ident.__getitem__, reverse=True):
                if not seen[x]:
                    seen[x] = True
                    stack.append(x)
    rank = {e: i for i, e in enumerate(met)}
    orders = []
    for members in g.layers:
        order = sorted(members, key=lambda e: (g.lane[e], rank[e]))
        orders.append([e for block in _blocks(g, order) for e in _place(block, {}, g)])
    return orders


def _mincross(g: _Graph, orders: list[list[int]], sweeps: int, patience: int,
              passes: int) -> tuple[int, list[list[int]]]:
    """Median sweeps with transpositions from ``orders``; the best orders seen."""
    pos = _positions(g, orders)
    best = [list(o) for o in orders]
    best_c = _total_crossings(g, orders, pos)
    stale = 0
    for i in range(sweeps):
        if best_c == 0:
            break
        _sweep(g, orders, pos, downward=(i % 2 == 0))
        _transpose(g, orders, pos, ties=(i % 4 >= 2), passes=passes)
        c = _total_crossings(g, orders, pos)
        if c < best_c:
            best, best_c, stale = [list(o) for o in orders], c, 0
        else:
            stale += 1
            if stale >= patience:
                break
    return best_c, best


# ---------------------------------------------------------------------------- y


def _isotonic(values: list[float], weights: list[float]) -> list[float]:
    """Weighted least-squares non-decreasing fit (pool adjacent violators)."""
    means: list[float] = []
    wts: list[float] = []
    counts: list[int] = []
    for v, w in zip(values, weights, strict=True):
        means.append(v)
        wts.append(w)
        counts.append(1)
        while len(means) > 1 and means[-2] > means[-1]:
            m, wt, ct = means.pop(), wts.pop(), counts.pop()
            tot = wts[-1] + wt
            means[-1] = (means[-1] * wts[-1] + m * wt) / tot
            wts[-1] = tot
            counts[-1] += ct
    out: list[float] = []
    for m, ct in zip(means, counts, strict=True):
        out.extend([m] * ct)
    return out


def _coordinates(g: _Graph, orders: list[list[int]], chains: list[list[int]],
                 heights: list[float], lane_tops: list[float], lane_inner: list[float],
                 opts: LayoutOptions, rounds: int) -> list[float]:
    """Vertical centres: order and lane bounds kept, edges short, long edges straight.

    The energy is a sum of squares: ``(y_u - y_v)^2`` for every edge, and for each
    virtual point ``straight * (y_d - ((1 - t) y_u + t y_v))^2``, its distance from the
    straight line between its edge's ends. Rounds of Gauss-Seidel: each column block
    moves to its elements' minimisers, then a bounded isotonic regression restores the
    order and the spacing.
    """
    real = g.real
    blocks: list[tuple[list[int], list[float], float, float]] = []
    y = [0.0] * len(g.layer)
    for order in orders:
        for block in _blocks(g, order):
            offs, acc = [], 0.0  # centre offsets when packed from the top
            for i, e in enumerate(block):
                if i:
                    acc += (opts.row_gap if real[e] and real[block[i - 1]]
                            else opts.virtual_gap)
                offs.append(acc + heights[e] / 2)
                acc += heights[e]
            lane = g.lane[block[0]]
            lo, room = lane_tops[lane], lane_inner[lane] - acc
            blocks.append((block, offs, lo, lo + room))
            for e, off in zip(block, offs, strict=True):
                y[e] = lo + room / 2 + off  # start centred
    pairs: list[list[int]] = [[] for _ in g.layer]   # the other end of each edge
    ends: list[list[tuple[int, float, int, float]]] = [[] for _ in g.layer]
    line: list[tuple[int, int, float]] = [(0, 0, 0.0)] * len(g.layer)
    w_line = opts.straight
    for chain in chains:
        u, v = chain[0], chain[-1]
        pairs[u].append(v)
        pairs[v].append(u)
        span = len(chain) - 1
        for k, d in enumerate(chain[1:-1], 1):
            t = k / span
            line[d] = (u, v, t)
            ends[u].append((d, 1 - t, v, t))   # residual y_d - (1-t) y_u - t y_v
            ends[v].append((d, t, u, 1 - t))
    backwards = blocks[::-1]
    for r in range(rounds):
        for block, offs, lo, hi in (blocks if r % 2 == 0 else backwards):
            want, wts = [], []
            for e, off in zip(block, offs, strict=True):
                if real[e]:
                    num = den = 0.0
                    for x in pairs[e]:
                        num += y[x]
                        den += 1.0
                    for d, a, o, b in ends[e]:
                        num += w_line * a * (y[d] - b * y[o])
                        den += w_line * a * a
                    want.append((num / den if den else y[e]) - off)
                    wts.append(den or 0.01)
                else:
                    u, v, t = line[e]
                    want.append((1 - t) * y[u] + t * y[v] - off)
                    wts.append(w_line)
            for e, z, off in zip(block, _isotonic(want, wts), offs, strict=True):
                y[e] = min(max(z, lo), hi) + off
    return y


# ---------------------------------------------------------------------------- layout


class _Plan:
    """The layered graph for one lane order, and its placement for one set of orders."""

    def __init__(self, roadmap: Roadmap, col: dict[str, int], n_layers: int,
                 lane_ids: list[str], section_rank: dict[str, int],
                 box_h: dict[str, float], opts: LayoutOptions) -> None:
        self.opts, self.lane_ids = opts, lane_ids
        lane_of = {s: i for i, s in enumerate(lane_ids)}
        g = self.g = _Graph(n_layers)
        self.index: dict[str, int] = {}
        for nid, node in roadmap.nodes.items():
            pin = node.position
            self.index[nid] = g.add(col[nid], lane_of.get(node.section, 0),
                                    section_rank[node.section], True,
                                    None if pin is None else pin[1])
        self.ident = ident = list(roadmap.nodes)
        self.chains: list[tuple[str, str, list[int]]] = []
        for u, v in roadmap.edges():
            a, b = self.index[u], self.index[v]
            la, lb = g.lane[a], g.lane[b]
            sa, sb = g.section[a], g.section[b]
            span = col[v] - col[u]
            chain = [a]
            for k in range(1, span):  # where a straight line from u to v passes
                t = k / span
                chain.append(g.add(col[u] + k, round(la + (lb - la) * t),
                                   sa + (sb - sa) * t, False))
                ident.append(f"~{u}>{v}#{k}")
            chain.append(b)
            for x, y in zip(chain, chain[1:], strict=False):
                g.link(x, y)
            self.chains.append((u, v, chain))
        for members in g.layers:
            members.sort(key=ident.__getitem__)
        self.heights = [opts.virtual_px] * len(g.layer)
        for nid, e in self.index.items():
            self.heights[e] = box_h[nid]
        self.ys: list[float] = []
        self.lanes: tuple[Lane, ...] = ()
        self.height = 0.0
        self.final: list[list[int]] = []

    def orders(self, starts: int, sweeps: int, passes: int, both: bool
               ) -> list[tuple[int, list[list[int]]]]:
        """Crossing-reduced orders from up to ``starts`` initial orders (distinct ones);
        without lanes, with neighbours bubbled into the sections' order (and, with
        ``both``, as they were too)."""
        g = self.g
        out: list[tuple[int, list[list[int]]]] = []
        by_id = sorted(range(len(g.layer)), key=self.ident.__getitem__)
        sources = [e for e in by_id if g.real[e] and not g.up[e]]
        sinks = [e for e in by_id if g.real[e] and not g.down[e]]
        for roots in [sources, sources[::-1], sinks, sinks[::-1]][:starts]:
            c, orders = _mincross(g, _initial(g, self.ident, roots + by_id), sweeps,
                                  self.opts.patience, passes)
            found = [(c, orders)]
            if not self.opts.lanes:
                grouped = [list(o) for o in orders]
                _group(g, grouped, _positions(g, grouped))
                found = [(c, grouped)] + (found if both else [])
            out += [f for f in found if all(f[1] != o for _, o in out)]
        return out

    def place(self, orders: list[list[int]], rounds: int) -> None:
        """Lanes (or the one band) as tall as their fullest column, then the centres."""
        g, opts, heights = self.g, self.opts, self.heights
        need = [0.0] * max(len(self.lane_ids), 1)
        for order in orders:
            for block in _blocks(g, order):
                h = sum(heights[e] for e in block) + sum(
                    opts.row_gap if g.real[a] and g.real[b] else opts.virtual_gap
                    for a, b in zip(block, block[1:], strict=False))
                lane = g.lane[block[0]]
                need[lane] = max(need[lane], h)
        if not opts.lanes:
            self.lanes = ()
            top = opts.margin + opts.group_pad
            self.height = top + need[0] + opts.group_pad + opts.margin
            self.ys = _coordinates(g, orders, [c for _, _, c in self.chains], heights,
                                   [top], need, opts, rounds)
            return
        lanes, tops, y0 = [], [], opts.margin
        for lane, sid in enumerate(self.lane_ids):
            h = opts.lane_header + 2 * opts.lane_pad + need[lane]
            lanes.append(Lane(sid, y0, h))
            tops.append(y0 + opts.lane_header + opts.lane_pad)
            y0 += h + opts.lane_gap
        self.lanes = tuple(lanes)
        self.height = y0 - opts.lane_gap + opts.margin
        self.ys = _coordinates(g, orders, [c for _, _, c in self.chains], heights, tops,
                               need, opts, rounds)

    def snapshot(self, orders: list[list[int]]) -> _Plan:
        """A shallow copy that keeps the current placement (and its orders)."""
        copy = object.__new__(_Plan)
        copy.__dict__.update(self.__dict__)
        copy.final = orders
        return copy


def layered_layout(roadmap: Roadmap, lang: str = "en",
                   options: LayoutOptions | None = None) -> Layout:
    """Compute the layered layout of ``roadmap`` (uncached; see :func:`cached_layout`).

    Parameters
    ----------
    roadmap : Roadmap
    lang : str
        Language of the wrapped title lines (``en``, ``es``); the geometry is the same
        in every language.
    options : LayoutOptions, optional
        Sizes, choices and effort; the defaults suit the app's renderer.

    Returns
    -------
    Layout
        Boxes, edge routes, lanes or groups in one coordinate system (px at zoom 1,
        x to the right, y down).

    Raises
    ------
    LayoutError
        If a ``position`` pin puts a node in a column not after its prerequisites'.

    Examples
    --------
    >>> from graph import load_roadmap
    >>> rm = load_roadmap()
    >>> lay = layered_layout(rm)
    >>> lay.nodes["calculus"].layer < lay.nodes["backpropagation"].layer
    True
    """
    opts = options or LayoutOptions()
    col = _columns(roadmap, opts)
    n_layers = max(col.values(), default=-1) + 1
    nodes = roadmap.nodes
    ids = list(nodes)

    # -- box sizes: the full title, wrapped, in the tallest of the node's languages
    def wrap(text: str) -> list[str]:
        return wrap_title(text, opts.wrap_px, opts.font_px)

    texts = {nid: [n.title] + [t.title for _, t in sorted(n.i18n.items())]
             for nid, n in nodes.items()}
    wrapped_all = {nid: [wrap(t) for t in ts] for nid, ts in texts.items()}
    text_w = max((text_width(line, opts.font_px) for ws in wrapped_all.values()
                  for w in ws for line in w), default=0.0)
    box_w = round(max(opts.wrap_px, text_w) + 2 * opts.pad_x)
    box_h = {nid: max(len(w) for w in ws) * opts.line_px + 2 * opts.pad_y
             for nid, ws in wrapped_all.items()}

    def x_of(layer: int) -> float:
        return opts.margin + layer * (box_w + opts.col_gap) + box_w / 2

    sections = sorted(roadmap.sections, key=lambda s: (s.order, s.id))
    used = {n.section for n in nodes.values()}
    present = [s.id for s in sections if s.id in used] + sorted(
        used - {s.id for s in sections})  # sections.yaml may not name them all
    section_rank = {s: i for i, s in enumerate(present)}
    edges = roadmap.edges()

    # -- effort: every candidate on small roadmaps; one, more lightly, on big ones
    small = len(ids) + sum(col[v] - col[u] - 1 for u, v in edges) <= opts.small
    starts = opts.starts if small else 1
    sweeps = opts.sweeps if small else min(opts.sweeps, 6)
    passes = 8 if small else 1
    rounds = opts.rounds if small else min(opts.rounds, 6)
    lane_sets = (_lane_orders(roadmap, present, opts.lane_orders if small else 1)
                 if opts.lanes else [[]])
    best: tuple[tuple[int, int, int], _Plan] | None = None
    rank = 0
    for lane_ids in lane_sets:
        plan = _Plan(roadmap, col, n_layers, lane_ids, section_rank, box_h, opts)
        for layered, orders in plan.orders(starts, sweeps, passes, both=small):
            plan.place(orders, rounds)
            score = (0, layered, rank)
            if small:
                ys = plan.ys
                centres = {nid: (x_of(col[nid]), ys[plan.index[nid]]) for nid in ids}
                score = (count_crossings(centres, edges), layered, rank)
            rank += 1
            if best is None or score < best[0]:
                best = (score, plan.snapshot(orders))
    assert best is not None
    plan = best[1]
    return _assemble(roadmap, lang, opts, plan, col, n_layers, box_w, box_h, x_of)


def _assemble(roadmap: Roadmap, lang: str, opts: LayoutOptions, plan: _Plan,
              col: dict[str, int], n_layers: int, box_w: float,
              box_h: dict[str, float], x_of: Any) -> Layout:
    """The public :class:`Layout` of a placed plan."""
    nodes, ys, g = roadmap.nodes, plan.ys, plan.g
    boxes = {}
    for nid, node in nodes.items():
        lines = wrap_title(node.title_in(lang), opts.wrap_px, opts.font_px)
        boxes[nid] = NodeBox(nid, x_of(col[nid]), round(ys[plan.index[nid]], 1), box_w,
                             box_h[nid], col[nid], node.section, tuple(lines))
    half = box_w / 2
    routes = []
    for u, v, chain in plan.chains:
        pts = [(boxes[u].x + half, boxes[u].y)]
        for e in chain[1:-1]:
            x, y = x_of(g.layer[e]), round(ys[e], 1)
            pts += [(x - half, y), (x + half, y)]
        pts.append((boxes[v].x - half, boxes[v].y))
        routes.append(EdgeRoute(u, v, tuple(pts)))
    groups = []
    if not opts.lanes:
        by_id = {e: nid for nid, e in plan.index.items()}
        pad = opts.group_pad
        for k, order in enumerate(plan.final):
            run: list[NodeBox] = []
            for e in [e for e in order if g.real[e]] + [-1]:
                box = boxes[by_id[e]] if e >= 0 else None
                if run and (box is None or box.section != run[0].section
                            or box.y - box.h / 2 - (run[-1].y + run[-1].h / 2) > 3 * opts.row_gap):
                    top = run[0].y - run[0].h / 2 - pad
                    bottom = run[-1].y + run[-1].h / 2 + pad
                    groups.append(Group(run[0].section, k, x_of(k) - half - pad, round(top, 1),
                                        box_w + 2 * pad, round(bottom - top, 1)))
                    run = []
                if box is not None:
                    run.append(box)
    width = 2 * opts.margin + n_layers * box_w + max(n_layers - 1, 0) * opts.col_gap
    return Layout(boxes, tuple(routes), plan.lanes, tuple(groups), width,
                  round(plan.height, 1), n_layers, content_hash(roadmap, lang, opts))


# ---------------------------------------------------------------------------- crossings


def count_crossings(centres: Mapping[str, tuple[float, float]],
                    edges: Iterable[tuple[str, str]]) -> int:
    """Pairs of straight segments between node centres that cross.

    Segments that share an end node never count; segments that only touch, or overlap
    on one line, do not count either (only proper crossings do). The same count applies
    to any drawing, ours or Graphviz's.

    Examples
    --------
    >>> count_crossings({"a": (0, 0), "b": (1, 1), "c": (0, 1), "d": (1, 0)},
    ...                 [("a", "b"), ("c", "d")])
    1
    """
    segs = []
    for u, v in edges:
        (x1, y1), (x2, y2) = centres[u], centres[v]
        if (x2, y2) < (x1, y1):
            x1, y1, x2, y2 = x2, y2, x1, y1
        segs.append((x1, y1, x2, y2, u, v))
    segs.sort()
    total = 0
    for i, (ax, ay, bx, by, u1, v1) in enumerate(segs):
        dx, dy = bx - ax, by - ay
        for cx, cy, ex, ey, u2, v2 in segs[i + 1:]:
            if cx > bx:
                break  # sorted by left end: nothing further overlaps in x
            if u2 in (u1, v1) or v2 in (u1, v1):
                continue
            d1 = dx * (cy - ay) - dy * (cx - ax)
            d2 = dx * (ey - ay) - dy * (ex - ax)
            if d1 * d2 >= 0:
                continue
            fx, fy = ex - cx, ey - cy
            d3 = fx * (ay - cy) - fy * (ax - cx)
            d4 = fx * (by - cy) - fy * (bx - cx)
            if d3 * d4 < 0:
                total += 1
    return total


def crossings(layout: Layout) -> int:
    """Crossings of the layout's edges drawn as straight segments between box centres.

    Examples
    --------
    >>> from graph import load_roadmap
    >>> crossings(layered_layout(load_roadmap())) <= 30
    True
    """
    return count_crossings(layout.centres(), ((r.source, r.target) for r in layout.edges))


def layout_json(roadmap: Roadmap, lang: str = "en",
                options: LayoutOptions | None = None) -> dict[str, Any]:
    """The layout as JSON-ready data (what ``roadmap layout --format json`` prints).

    Returns
    -------
    dict
        ``{"nodes": [{"id", "x", "y", "w", "h", "layer", "section", "lines"}, ...],
        "edges": [{"source", "target", "points": [[x, y], ...]}, ...],
        "lanes": [{"section", "y", "h"}, ...], "groups": [{"section", "layer", "x",
        "y", "w", "h"}, ...], "crossings": N, "width", "height", "layers", "key"}``.
        Node centres, routes, lanes and groups share one coordinate system (px at
        zoom 1, x to the right, y down).

    Examples
    --------
    >>> from graph import load_roadmap
    >>> data = layout_json(load_roadmap())
    >>> len(data["nodes"]), data["crossings"] <= 30
    (56, True)
    """
    lay = cached_layout(roadmap, lang, options)
    return {
        "nodes": [{"id": b.id, "x": b.x, "y": b.y, "w": b.w, "h": b.h, "layer": b.layer,
                   "section": b.section, "lines": list(b.lines)} for b in lay.nodes.values()],
        "edges": [{"source": r.source, "target": r.target,
                   "points": [[x, y] for x, y in r.points]} for r in lay.edges],
        "lanes": [asdict(ln) for ln in lay.lanes],
        "groups": [asdict(gr) for gr in lay.groups],
        "crossings": crossings(lay),
        "width": lay.width,
        "height": lay.height,
        "layers": lay.layers,
        "key": lay.key,
    }
