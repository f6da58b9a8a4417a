"""Questions a learner asks of the graph: what to learn before X, what next, what X unlocks.

Free functions that take the roadmap first, in the style of ``nx.descendants(G, source)``.
"""

from __future__ import annotations

import heapq
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from graph.model import Roadmap

__all__ = [
    "LearningPath",
    "NextUp",
    "learning_path",
    "role_path",
    "next_up",
    "levels",
    "depths",
    "topological_order",
    "unlocks",
    "descendant_counts",
    "stats",
]


@dataclass(frozen=True)
class LearningPath:
    """The steps still to learn before (and including) a target, in a valid order."""

    target: str
    steps: list[str]
    hours: float


@dataclass(frozen=True)
class NextUp:
    """A node whose prerequisites are all done.

    ``unlocks`` counts the nodes that become available once it is done too; ``leads_to``
    counts every node that depends on it, directly or not.
    """

    node_id: str
    unlocks: int
    leads_to: int
    hours: float


def learning_path(roadmap: Roadmap, target: str, done: Iterable[str] = ()) -> LearningPath:
    """Every not-done prerequisite of ``target`` in a valid order, then the target.

    The walk back from the target stops at done nodes: what a learner has done is taken to
    include its own prerequisites. Ties in the order go to the section order, then the id.

    Parameters
    ----------
    roadmap : Roadmap
    target : str
        Node id (or alias) to reach.
    done : iterable of str
        Ids the learner has done (or skipped).

    Returns
    -------
    LearningPath
        ``steps`` is empty when the target itself is done.

    Raises
    ------
    NodeNotFound
        If ``target`` is not in the roadmap.

    Examples
    --------
    >>> from graph import load_roadmap
    >>> rm = load_roadmap()
    >>> path = learning_path(rm, "backpropagation", done={"calculus"})
    >>> path.steps[-1], "calculus" in path.steps
    ('backpropagation', False)
    """
    target = roadmap.get(target).id
    return _path_to(roadmap, target, [target], _canonical(roadmap, done))


def role_path(roadmap: Roadmap, role: str, done: Iterable[str] = ()) -> LearningPath:
    """What is left to learn for a role profile: every not-done target of ``role`` and
    its not-done prerequisites, in a valid order (as :func:`learning_path`).

    Returns
    -------
    LearningPath
        ``target`` is the role's id; ``steps`` is empty when every target is done.

    Raises
    ------
    NodeNotFound
        ``unknown role id ...`` with close role ids.

    Examples
    --------
    >>> from graph import load_roadmap
    >>> rm = load_roadmap()
    >>> path = role_path(rm, "llm-inference-engineer")
    >>> set(rm.role("llm-inference-engineer").targets) <= set(path.steps)
    True
    """
    profile = roadmap.role(role)
    targets = [roadmap.get(t).id for t in profile.targets]
    return _path_to(roadmap, profile.id, targets, _canonical(roadmap, done))


def _path_to(roadmap: Roadmap, name: str, targets: list[str], done_set: set[str]
             ) -> LearningPath:
    """The not-done ``targets`` and their not-done prerequisites, in topological order."""
    pred = roadmap.pred
    need = {t for t in targets if t not in done_set}
    queue = deque(need)
    while queue:
        for pre in pred[queue.popleft()]:
            if pre not in need and pre not in done_set:
                need.add(pre)
                queue.append(pre)
    # a topological order of the whole graph restricted to a subset is one of the subset
    steps = sorted(need, key=_topo_position(roadmap).__getitem__)
    hours = sum(roadmap.nodes[n].estimate_hours for n in steps)
    return LearningPath(name, steps, hours)


def next_up(roadmap: Roadmap, done: Iterable[str] = ()) -> list[NextUp]:
    """Nodes not done whose prerequisites are all done, most unlocking first.

    Ranked by ``unlocks`` (nodes made available by doing it), then ``leads_to``, then
    fewer hours, then id.

    Examples
    --------
    >>> from graph import load_roadmap
    >>> rm = load_roadmap()
    >>> first = next_up(rm)[0]
    >>> rm.pred[first.node_id], first.unlocks >= next_up(rm)[-1].unlocks
    ([], True)
    """
    done_set = _canonical(roadmap, done)
    pred, succ = roadmap.pred, roadmap.succ
    fringe = [nid for nid, pres in pred.items()
              if nid not in done_set and done_set.issuperset(pres)]
    counts = descendant_counts(roadmap, fringe)
    out = []
    for nid in fringe:
        opened = sum(
            1 for s in succ[nid]
            if s not in done_set and all(p == nid or p in done_set for p in pred[s])
        )
        out.append(NextUp(nid, opened, counts[nid], roadmap.nodes[nid].estimate_hours))
    out.sort(key=lambda n: (-n.unlocks, -n.leads_to, n.hours, n.node_id))
    return out


def levels(roadmap: Roadmap) -> list[list[str]]:
    """Topological generations: level 0 has no prerequisites, level k needs level < k.

    Each level is in id order; nodes on or behind a cycle are in no level.
    """
    out: list[list[str]] = []
    for n, depth in _walk(roadmap).items():  # level by level, in id order
        if depth == len(out):
            out.append([])
        out[depth].append(n)
    return out


def depths(roadmap: Roadmap) -> dict[str, int]:
    """The level of every node (see :func:`levels`)."""
    return {n: i for i, gen in enumerate(levels(roadmap)) for n in gen}


def topological_order(roadmap: Roadmap) -> list[str] | None:
    """Every node after its prerequisites; None when the prerequisites have a cycle.

    Examples
    --------
    >>> from graph.model import Roadmap
    >>> rm = Roadmap(nodes={}, sections=[], pred={"a": [], "b": ["a"]},
    ...              succ={"a": ["b"], "b": []})
    >>> topological_order(rm)
    ['a', 'b']
    """
    order = _walk(roadmap)
    return list(order) if len(order) == len(roadmap.pred) else None


def _walk(roadmap: Roadmap, key: Callable[[str], Any] | None = None) -> dict[str, int]:
    """The one topological walk (Kahn's algorithm): each node's depth, in walk order.

    Of the nodes whose prerequisites are all walked, the next is the one of smallest
    ``key``; without a key, the shallowest, then the smallest id (so the walk goes level
    by level). A node's depth is its longest chain of prerequisites. Nodes on or behind
    a cycle are never reached, so the result is then shorter than the roadmap.
    """
    pred, succ = roadmap.pred, roadmap.succ
    indeg = {n: len(p) for n, p in pred.items()}
    depth: dict[str, int] = {}

    def rank(n: str) -> tuple[Any, ...]:
        return (key(n),) if key is not None else (depth[n], n)

    heap: list[tuple[tuple[Any, ...], str]] = []
    for n, d in indeg.items():
        if d == 0:
            depth[n] = 0
            heap.append((rank(n), n))
    heapq.heapify(heap)
    order: dict[str, int] = {}
    while heap:
        _, n = heapq.heappop(heap)
        order[n] = depth[n]
        for s in succ[n]:
            indeg[s] -= 1
            depth[s] = max(depth.get(s, 0), depth[n] + 1)
            if indeg[s] == 0:
                heapq.heappush(heap, (rank(s), s))
    return order


def unlocks(roadmap: Roadmap, node_id: str) -> list[str]:
    """The nodes that list ``node_id`` as a direct prerequisite."""
    return sorted(roadmap.succ[roadmap.get(node_id).id])


def descendant_counts(roadmap: Roadmap, nodes: Iterable[str] | None = None) -> dict[str, int]:
    """How many nodes depend on each node directly or transitively.

    Parameters
    ----------
    roadmap : Roadmap
    nodes : iterable of str, optional
        Count only for these (and, as a by-product, everything below them); all nodes
        by default. Counts are cached on the roadmap, so asking again is a lookup.

    Returns
    -------
    dict
        Node id to its number of descendants.
    """
    cache: dict[str, int] = roadmap.cached("descendant_counts", dict)
    want = list(roadmap.nodes) if nodes is None else list(nodes)
    todo = [n for n in want if n not in cache]
    if todo:
        cache.update(_count_below(roadmap.succ, todo))
    return {n: cache[n] for n in want}


def _count_below(succ: dict[str, list[str]], roots: list[str]) -> dict[str, int]:
    """Descendant counts of ``roots`` and of every node below them, as bitsets.

    A depth-first walk finishes a node after all of its successors; the k-th node to
    finish gets bit k, so its set is its bit OR its successors' sets and only spans the
    nodes below it (the ints stay as narrow as the part of the graph actually visited).
    """
    bits: dict[str, int] = {}
    for root in roots:
        if root in bits:
            continue
        stack = [(root, iter(succ[root]))]
        seen = {root}
        while stack:
            n, it = stack[-1]
            for s in it:
                if s not in bits and s not in seen:
                    seen.add(s)
                    stack.append((s, iter(succ[s])))
                    break
            else:
                stack.pop()
                b = 1 << len(bits)
                for s in succ[n]:
                    b |= bits[s]
                bits[n] = b
    return {n: b.bit_count() - 1 for n, b in bits.items()}


def stats(roadmap: Roadmap) -> dict[str, object]:
    """Counts: nodes, edges, hours, depth, per section and per level, labs present."""
    lv = levels(roadmap)
    labs = sum(map(roadmap.has_lab, roadmap.nodes))
    return {
        "nodes": len(roadmap.nodes),
        "edges": sum(len(v) for v in roadmap.succ.values()),
        "hours": sum(n.estimate_hours for n in roadmap.nodes.values()),
        "depth": len(lv),
        "labs": labs,
        "by_section": dict(Counter(n.section for n in roadmap.nodes.values())),
        "by_level": dict(Counter(n.level for n in roadmap.nodes.values())),
    }


def _canonical(roadmap: Roadmap, ids: Iterable[str]) -> set[str]:
    return {roadmap.alias_map.get(i, i) for i in ids}


def _topo_position(roadmap: Roadmap) -> dict[str, int]:
    """Position of each node in one fixed topological order (section order, then id)."""

    def compute() -> dict[str, int]:
        rank = {s.id: i for i, s in enumerate(roadmap.sections)}
        nodes = roadmap.nodes

        def key(n: str) -> tuple[int, str]:
            return (rank.get(nodes[n].section, len(rank)), n)

        return {n: i for i, n in enumerate(_walk(roadmap, key))}

    return roadmap.cached("topo_position", compute)
