"""Step 1, the columns: prerequisite depth or pins, then network simplex (shortest edges).

Also the order of the section lanes (lanes mode), which depends on the edges alone.
"""

from __future__ import annotations

from itertools import permutations

from graph.errors import LayoutError
from graph.layout.records import LayoutOptions
from graph.model import Roadmap

__all__ = ["check_positions"]


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


def columns(roadmap: Roadmap, opts: LayoutOptions) -> dict[str, int]:
    """The column of every node: depth, then shifted right where pins allow (with pins)
    or network simplex (without); ``ranking="depth"`` keeps depth."""
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
    ranks = network_simplex(len(ids), edges, [col[n] for n in ids], pivots)
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


def network_simplex(n: int, edges: list[tuple[int, int]], rank: list[int],
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


def lane_orders(roadmap: Roadmap, present: list[str], k: int) -> list[list[str]]:
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
