"""Questions a learner asks of the graph: what to learn before X, what next, what X unlocks.

Free functions that take the roadmap first, in the style of ``nx.descendants(G, source)``.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from graph.model import Roadmap

__all__ = [
    "LearningPath",
    "NextUp",
    "learning_path",
    "next_up",
    "levels",
    "depths",
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
    >>> rm = load_roadmap()  # doctest: +SKIP
    >>> learning_path(rm, "backpropagation", done={"calculus"}).steps[-1]  # doctest: +SKIP
    'backpropagation'
    """
    target = roadmap.get(target).id
    done_set = _canonical(roadmap, done)
    if target in done_set:
        return LearningPath(target, [], 0.0)
    g = roadmap.graph
    need = {target}
    queue = deque([target])
    while queue:
        for pre in g.predecessors(queue.popleft()):
            if pre not in need and pre not in done_set:
                need.add(pre)
                queue.append(pre)
    order = _section_rank(roadmap)
    steps = list(nx.lexicographical_topological_sort(
        g.subgraph(need), key=lambda n: (order[roadmap.nodes[n].section], n)))
    hours = sum(roadmap.nodes[n].estimate_hours for n in steps)
    return LearningPath(target, steps, hours)


def next_up(roadmap: Roadmap, done: Iterable[str] = ()) -> list[NextUp]:
    """Nodes not done whose prerequisites are all done, most unlocking first.

    Ranked by ``unlocks`` (nodes made available by doing it), then ``leads_to``, then
    fewer hours, then id.

    Examples
    --------
    >>> rm = load_roadmap()  # doctest: +SKIP
    >>> [n.node_id for n in next_up(rm)][:1]  # doctest: +SKIP
    ['linear-algebra']
    """
    done_set = _canonical(roadmap, done)
    g = roadmap.graph
    counts = descendant_counts(roadmap)
    out = []
    for nid in g:
        if nid in done_set or any(p not in done_set for p in g.predecessors(nid)):
            continue
        opened = sum(
            1 for s in g.successors(nid)
            if s not in done_set and all(p == nid or p in done_set for p in g.predecessors(s))
        )
        out.append(NextUp(nid, opened, counts[nid], roadmap.nodes[nid].estimate_hours))
    out.sort(key=lambda n: (-n.unlocks, -n.leads_to, n.hours, n.node_id))
    return out


def levels(roadmap: Roadmap) -> list[list[str]]:
    """Topological generations: level 0 has no prerequisites, level k needs level < k."""
    return [sorted(gen) for gen in nx.topological_generations(roadmap.graph)]


def depths(roadmap: Roadmap) -> dict[str, int]:
    """The level of every node (see :func:`levels`)."""
    return {n: i for i, gen in enumerate(levels(roadmap)) for n in gen}


def unlocks(roadmap: Roadmap, node_id: str) -> list[str]:
    """The nodes that list ``node_id`` as a direct prerequisite."""
    return sorted(roadmap.graph.successors(roadmap.get(node_id).id))


def descendant_counts(roadmap: Roadmap) -> dict[str, int]:
    """For every node, how many nodes depend on it directly or transitively (cached)."""
    cached = roadmap._cache.get("descendant_counts")
    if cached is not None:
        return cached
    g = roadmap.graph
    index = {n: i for i, n in enumerate(g)}
    bits: dict[str, int] = {}
    for n in reversed(list(nx.topological_sort(g))):  # children before parents
        b = 0
        for s in g.successors(n):
            b |= bits[s] | (1 << index[s])
        bits[n] = b
    counts = {n: b.bit_count() for n, b in bits.items()}
    roadmap._cache["descendant_counts"] = counts
    return counts


def stats(roadmap: Roadmap) -> dict[str, object]:
    """Counts: nodes, edges, hours, depth, per section and per level, labs present."""
    lv = levels(roadmap)
    labs = sum(1 for n in roadmap.nodes
               if (p := roadmap.lab_path(n)) is not None and p.is_file())
    return {
        "nodes": len(roadmap.nodes),
        "edges": roadmap.graph.number_of_edges(),
        "hours": sum(n.estimate_hours for n in roadmap.nodes.values()),
        "depth": len(lv),
        "labs": labs,
        "by_section": dict(Counter(n.section for n in roadmap.nodes.values())),
        "by_level": dict(Counter(n.level for n in roadmap.nodes.values())),
    }


def _canonical(roadmap: Roadmap, ids: Iterable[str]) -> set[str]:
    return {roadmap.alias_map.get(i, i) for i in ids}


def _section_rank(roadmap: Roadmap) -> dict[str, int]:
    return {s.id: i for i, s in enumerate(roadmap.sections)} | {"": len(roadmap.sections)}
