"""Whole-graph checks: sections, dangling ids, self-loops, cycles, pins, aliases, lab files,
implicit-credit weights (``encompasses``) and role profiles.

These run after every file is parsed on its own and the loader has built the graph. They
are pure: they read the roadmap and return what is wrong, and never change it (calling
:func:`check_graph` twice gives the same answer and leaves the same roadmap).
"""

from __future__ import annotations

import difflib

from graph.errors import (
    CycleError,
    DanglingReferenceError,
    DuplicateIdError,
    LabError,
    RoadmapError,
    SchemaError,
)
from graph.model import Roadmap
from graph.queries import topological_order

__all__ = ["check_graph", "format_cycle", "missing_labs"]


def format_cycle(cycle: list[str]) -> str:
    """Render a cycle as ``a -> b -> c -> a``.

    Examples
    --------
    >>> format_cycle(["a", "b", "c"])
    'a -> b -> c -> a'
    """
    return " -> ".join([*cycle, cycle[0]]) if cycle else ""


def check_graph(roadmap: Roadmap, strict: bool = False) -> list[RoadmapError]:
    """Every problem of the whole roadmap; the roadmap itself is left as it is.

    Parameters
    ----------
    roadmap : Roadmap
        As the loader built it (edges for the prerequisites that exist).
    strict : bool
        A missing lab script is a problem too (else it is a warning, see
        :func:`missing_labs`).

    Returns
    -------
    list of RoadmapError
        Empty when the roadmap is valid.
    """
    problems: list[RoadmapError] = []
    nodes, files = roadmap.nodes, roadmap.files
    section_ids = {s.id for s in roadmap.sections}
    if not section_ids:
        problems.append(SchemaError("no sections.yaml was found in any roadmap folder"))
    for nid, node in nodes.items():
        f = files[nid]
        if section_ids and node.section not in section_ids:
            problems.append(DanglingReferenceError(
                f"{f}: folder {node.section!r} is not a section in sections.yaml "
                f"(sections: {', '.join(sorted(section_ids))})"))
        for field in ("prerequisites", "related"):
            ids = getattr(node, field)
            for dup in sorted({i for i in ids if ids.count(i) > 1}):
                problems.append(SchemaError(f"{f}: field '{field}': {dup!r} is listed twice"))
            for ref in ids:
                if ref == nid:
                    problems.append(CycleError(f"{f}: field '{field}': node {nid!r} names "
                                               "itself", [nid]))
                elif ref not in nodes:
                    hint = difflib.get_close_matches(ref, list(nodes), n=1)
                    problems.append(DanglingReferenceError(
                        f"{f}: field '{field}': {nid!r} names unknown id {ref!r}"
                        + (f"; did you mean {hint[0]!r}?" if hint else "")))
        _check_encompasses(roadmap, nid, problems)
    _check_roles(roadmap, problems)
    _check_cycles(roadmap, problems)
    if any(n.position is not None for n in nodes.values()) and topological_order(roadmap):
        from graph.layout import check_positions  # only when a node is pinned

        problems.extend(check_positions(roadmap))
    _check_aliases(roadmap, problems)
    if strict:
        problems += [LabError(msg) for msg in missing_labs(roadmap)]
    return problems


def missing_labs(roadmap: Roadmap) -> list[str]:
    """One message per node that names no lab, or a lab script that does not exist."""
    out = []
    for nid, node in roadmap.nodes.items():
        if node.lab is None:
            out.append(f"{roadmap.files[nid]}: node {nid!r} has no lab")
        elif not roadmap.has_lab(nid):
            out.append(f"{roadmap.files[nid]}: field 'lab.script': {node.lab.script} "
                       "does not exist")
    return out


def _check_encompasses(roadmap: Roadmap, nid: str, problems: list[RoadmapError]) -> None:
    """Each ``encompasses`` key must be one of the node's own prerequisites."""
    node = roadmap.nodes[nid]
    for ref in node.encompasses:
        if ref in node.prerequisites:
            continue
        hint = difflib.get_close_matches(ref, node.prerequisites, n=1, cutoff=0.5)
        listed = ", ".join(node.prerequisites) or "none"
        problems.append(DanglingReferenceError(
            f"{roadmap.files[nid]}: field 'encompasses.{ref}': {ref!r} is not a "
            f"prerequisite of {nid!r} (its prerequisites: {listed})"
            + (f"; did you mean {hint[0]!r}?" if hint else "")))


def _check_roles(roadmap: Roadmap, problems: list[RoadmapError]) -> None:
    """A role's targets must be nodes of the roadmap (an alias is accepted), once each."""
    for rid, role in roadmap.roles.items():
        f = roadmap.role_files[rid]
        for dup in sorted({i for i in role.targets if role.targets.count(i) > 1}):
            problems.append(SchemaError(f"{f}: field 'targets': {dup!r} is listed twice"))
        for ref in role.targets:
            if ref not in roadmap.nodes and ref not in roadmap.alias_map:
                hint = difflib.get_close_matches(ref, list(roadmap.nodes), n=1)
                problems.append(DanglingReferenceError(
                    f"{f}: field 'targets': role {rid!r} names unknown node {ref!r}"
                    + (f"; did you mean {hint[0]!r}?" if hint else "")))


def _check_cycles(roadmap: Roadmap, problems: list[RoadmapError]) -> None:
    if topological_order(roadmap) is not None:
        return
    import networkx as nx  # only on the error path

    g = roadmap.graph
    for comp in nx.strongly_connected_components(g):
        if len(comp) < 2:
            continue
        edges = nx.find_cycle(g.subgraph(comp))
        cycle = [u for u, _ in edges]
        problems.append(CycleError(
            f"prerequisite cycle: {format_cycle(cycle)} (files: "
            f"{', '.join(str(roadmap.files[c]) for c in cycle)})", cycle))


def _check_aliases(roadmap: Roadmap, problems: list[RoadmapError]) -> None:
    seen: dict[str, str] = {}
    for nid, node in roadmap.nodes.items():
        for alias in node.aliases:
            f = roadmap.files[nid]
            if alias in roadmap.nodes:
                problems.append(DuplicateIdError(
                    f"{f}: field 'aliases': {alias!r} is the id of another node "
                    f"({roadmap.files[alias]})" if alias != nid else
                    f"{f}: field 'aliases': a node cannot alias its own id {nid!r}"))
            elif alias in seen:
                problems.append(DuplicateIdError(
                    f"{f}: field 'aliases': {alias!r} is also an alias of {seen[alias]!r} "
                    f"({roadmap.files[seen[alias]]})" if seen[alias] != nid else
                    f"{f}: field 'aliases': {alias!r} is listed twice"))
            else:
                seen[alias] = nid
