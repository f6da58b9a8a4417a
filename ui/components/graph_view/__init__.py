"""The roadmap graph as a light Streamlit component: inline SVG, a few KB of JavaScript.

It draws what :mod:`graph.layout` computed (boxes, curves through the virtual points,
section groups or lanes); nothing is fetched from a CDN and no chart library is loaded.
Every title is SVG text; status has a shape per value and ★ marks verified nodes, so
colour is never the only cue; sections have a colour and a legend. Hover or focus shows
title, section, status, hours and "unlocks N"; pan by dragging, with a sideways swipe or
the arrow keys; zoom with Ctrl/⌘ + wheel, a pinch, the buttons or +/-/0. A click on a
node, or Enter on a focused one, returns its id.

With ``controls=True`` the graph carries its own search box, and the legend's chips
filter by section and by status: these dim the nodes they leave out in the browser, with
no rerun (a Streamlit widget per filter would cost a rerun per keystroke and a slower
first paint). With ``targets`` a picker of learning targets is added; a pick calls
``on_target`` before the rerun, and the page passes the target's path back in.

Usage from a page::

    from graph import cached_layout
    from ui.components.graph_view import graph_view, roadmap_infos

    lay = cached_layout(rm, lang)
    nodes, sections = roadmap_infos(rm, lang, statuses, verified)
    picked = graph_view(lay, nodes, sections, path=steps, target=goal, labels=labels,
                        controls=True, targets=choices, on_target=remember,
                        key="roadmap_graph")
    if picked:
        open_node(picked)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from graph import STATUSES, Layout, LayoutOptions, Node, Roadmap

__all__ = ["NodeInfo", "SectionInfo", "DEFAULT_LABELS", "roadmap_infos", "graph_payload",
           "graph_view", "clicked"]

HERE = Path(__file__).resolve().parent

#: The component's words; a page passes its own (translated) ones.
DEFAULT_LABELS: dict[str, Any] = {
    "status": {"todo": "to do", "learning": "learning", "done": "done", "skipped": "skipped"},
    "verified": "verified",
    "hours": "{n} h",
    "unlocks": "unlocks {n}",
    "aria": "Roadmap graph: Tab to a node, Enter opens it; arrows pan, + and − zoom",
    "hint": "drag or arrows: pan · Ctrl+wheel or +/−: zoom",
    "zoom_in": "Zoom in",
    "zoom_out": "Zoom out",
    "fit": "Fit the whole graph",
    "search": "Search title or tag",
    "sections": "Sections",
    "statuses": "Statuses",
    "filter": "Show only {name} (press again to undo)",
    "matching": "{n} of {total} nodes match",
    "target": "Light the path to",
    "target_none": "(no target)",
}


@dataclass(frozen=True)
class NodeInfo:
    """What the graph shows of one node besides its box: title, status, hours, unlocks."""

    title: str
    status: str = "todo"  # todo | learning | done | skipped
    verified: bool = False
    hours: float = 0.0
    unlocks: int = 0
    keywords: str = ""  # what the search box looks in (lower case); the title when empty


@dataclass(frozen=True)
class SectionInfo:
    """A section's id, title (in the page's language) and colour."""

    id: str
    title: str
    colour: str


def roadmap_infos(roadmap: Roadmap, lang: str = "en",
                  statuses: Mapping[str, str] | None = None,
                  verified: Collection[str] = ()) -> tuple[dict[str, NodeInfo],
                                                             list[SectionInfo]]:
    """Node and section infos for :func:`graph_view` from the roadmap and a learner's
    statuses (node id to status; missing ids are ``todo``) and verified ids. The search
    box finds a node by its id, its title in any language or a tag."""
    statuses = statuses or {}
    nodes = {nid: NodeInfo(n.title_in(lang), statuses.get(nid, "todo"), nid in verified,
                           n.estimate_hours, len(roadmap.succ[nid]), _keywords(n))
             for nid, n in roadmap.nodes.items()}
    sections = [SectionInfo(s.id, s.title_in(lang), s.colour)
                for s in sorted(roadmap.sections, key=lambda s: (s.order, s.id))]
    return nodes, sections


def _keywords(node: Node) -> str:
    words = [node.id, node.title, *(t.title for t in node.i18n.values()), *node.tags]
    return "\n".join(words).lower()


def graph_payload(layout: Layout, nodes: Mapping[str, NodeInfo],
                  sections: Sequence[SectionInfo], *, matches: Collection[str] | None = None,
                  path: Sequence[str] = (), target: str | None = None,
                  labels: Mapping[str, Any] | None = None, controls: bool = False,
                  targets: Sequence[tuple[str, str]] | None = None) -> dict[str, Any]:
    """The JSON the component draws (see :func:`graph_view` for the arguments)."""
    index = {s.id: i for i, s in enumerate(sections)}
    extra = [s for s in {b.section for b in layout.nodes.values()} if s not in index]
    secs = [{"title": s.title, "colour": s.colour} for s in sections] + [
        {"title": s, "colour": "#888888"} for s in sorted(extra)]
    index.update({s: len(sections) + i for i, s in enumerate(sorted(extra))})
    out_nodes = []
    for nid, b in layout.nodes.items():
        info = nodes.get(nid) or NodeInfo(" ".join(b.lines))
        status = info.status if info.status in STATUSES else "todo"
        out_nodes.append({"id": nid, "x": b.x, "y": b.y, "w": b.w, "h": b.h, "layer": b.layer,
                          "section": index[b.section], "lines": list(b.lines),
                          "title": info.title, "status": status, "verified": info.verified,
                          "hours": info.hours, "unlocks": info.unlocks,
                          "keywords": info.keywords or info.title.lower()})
    words = {**DEFAULT_LABELS, **(labels or {})}
    words["status"] = {**DEFAULT_LABELS["status"], **words.get("status", {})}
    return {
        "key": layout.key,
        "width": layout.width,
        "height": layout.height,
        "line": LayoutOptions().line_px,
        "nodes": out_nodes,
        "edges": [{"s": r.source, "t": r.target, "p": [list(p) for p in r.points]}
                  for r in layout.edges],
        "groups": [{"section": index[g.section], "x": g.x, "y": g.y, "w": g.w, "h": g.h}
                   for g in layout.groups],
        "lanes": [{"section": index[ln.section], "y": ln.y, "h": ln.h} for ln in layout.lanes],
        "sections": secs,
        "match": None if matches is None else sorted(set(matches) & set(layout.nodes)),
        "path": [p for p in path if p in layout.nodes],
        "target": target if target in layout.nodes else None,
        "labels": words,
        "controls": controls,
        "targets": None if targets is None else [[i, text] for i, text in targets
                                                 if i in layout.nodes],
    }


@cache
def _component() -> Any:
    import streamlit as st

    return st.components.v2.component(
        "roadmap_lab.graph_view",
        css=(HERE / "graph_view.css").read_text(encoding="utf-8"),
        js=(HERE / "graph_view.js").read_text(encoding="utf-8"),
    )


def clicked(key: str) -> str | None:
    """The node id a click (or Enter) in the graph with ``key`` sent for this run, read
    before the graph is drawn again (a page can then switch at once), else None."""
    import streamlit as st

    value = st.session_state.get(key)
    node = value.get("clicked") if isinstance(value, Mapping) else None
    return node if isinstance(node, str) else None


def graph_view(layout: Layout, nodes: Mapping[str, NodeInfo], sections: Sequence[SectionInfo],
               *, matches: Collection[str] | None = None, path: Sequence[str] = (),
               target: str | None = None, labels: Mapping[str, Any] | None = None,
               controls: bool = False, targets: Sequence[tuple[str, str]] | None = None,
               on_target: Callable[[str | None], None] | None = None,
               key: str = "graph_view") -> str | None:
    """Draw the roadmap graph; return the id of a node clicked (or Enter'ed) in this run.

    Parameters
    ----------
    layout : Layout
        From :func:`graph.cached_layout` (box centres, sizes, wrapped titles, routes).
    nodes : mapping of str to NodeInfo
        Title, status, verified, hours and unlocks per node id (see
        :func:`roadmap_infos`).
    sections : sequence of SectionInfo
        The sections in legend order, with their colours.
    matches : collection of str, optional
        The nodes a search or filter kept: they are highlighted, the rest dimmed.
        ``None`` (the default) dims nothing.
    path : sequence of str
        A learning path (its remaining steps): its nodes and the edges between them
        are highlighted, the other edges dimmed.
    target : str, optional
        The path's target, marked more strongly.
    labels : mapping, optional
        Translated words, overriding :data:`DEFAULT_LABELS` key by key.
    controls : bool
        Add a search box, and make the legend's chips section and status filters; they
        dim the nodes they leave out in the browser (on top of ``matches``).
    targets : sequence of (str, str), optional
        Node ids and their labels for a target picker (``target`` is shown picked).
    on_target : callable, optional
        Called with the picked id (None for "no target") before the rerun a pick causes.
    key : str
        The component's key; one key keeps the pan and zoom across reruns.

    Returns
    -------
    str or None
        The node id of a click or Enter since the last run, else None.
    """
    import streamlit as st

    data = graph_payload(layout, nodes, sections, matches=matches, path=path, target=target,
                         labels=labels, controls=controls, targets=targets)

    def picked_target() -> None:  # before the rerun: the trigger's value is in the state
        if on_target is not None:
            value = (st.session_state.get(key) or {}).get("target")
            on_target(value if isinstance(value, str) and value in layout.nodes else None)

    result = _component()(key=key, data=data, on_clicked_change=lambda: None,
                          on_target_change=picked_target)
    clicked = result.get("clicked") if hasattr(result, "get") else None
    return clicked if isinstance(clicked, str) and clicked in layout.nodes else None
