"""Roadmap: the whole prerequisite graph in the engine's layered layout, drawn as SVG.

Every title shows in full, as text; the status has a shape and ★ marks a verified node;
search and the section and status filters dim the nodes they leave out; a target lights
the learning path that remains before it. A click on a node (or Enter on a focused one)
opens it on the Node page. Nothing here loads Plotly.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import streamlit as st

import graph
from graph import STATUSES, Node, Roadmap, RoadmapError, Store, stats
from ui import state, widgets
from ui.components.graph_view import graph_view, roadmap_infos
from ui.i18n import t

FILTERS = [*STATUSES, "verified"]  # the status filter's choices: a status, or verified


def page() -> None:
    """Draw the graph with search, filters and a target; a click on a node opens it."""
    rm = widgets.roadmap()
    if rm is None:
        return
    lang = state.lang()
    store = widgets.store()
    recorded = state.statuses(store)
    s = stats(rm)
    st.title(f"{widgets.ICON['roadmap']} {t('page.roadmap')}")
    st.caption(t("roadmap.stats", nodes=s["nodes"], edges=s["edges"], hours=s["hours"],
                 depth=s["depth"], labs=s["labs"]))
    c1, c2, c3, c4 = st.columns([3, 2, 2, 3])
    query = c1.text_input(t("roadmap.search"), key="rm_search")
    section_titles = {sec.id: sec.title_in(lang) for sec in rm.sections}
    pick_secs = c2.multiselect(t("roadmap.sections"), list(section_titles), key="rm_sections",
                               format_func=section_titles.__getitem__)
    names = {f: t(f"status.{f}") for f in FILTERS}
    pick_st = c3.multiselect(t("roadmap.statuses"), FILTERS, key="rm_statuses",
                             format_func=names.__getitem__)
    target = widgets.node_picker(rm, t("roadmap.target"), key="rm_target", where=c4,
                                 placeholder=t("roadmap.target_none"))
    shown = matches(rm, query, pick_secs, pick_st, recorded)
    steps = _path(rm, store, target)

    nodes, sections = roadmap_infos(
        rm, lang, {n: state.status_of(recorded, n) for n in recorded},
        {n for n in recorded if state.verified(recorded, n)})
    picked = graph_view(state.layout(rm, lang), nodes, sections, matches=shown, path=steps or (),
                        target=target, labels=labels(), key="rm_graph")
    if picked:
        widgets.open_node(picked)  # the Node page: this run ends here

    if target is not None and steps is not None:
        if steps:
            hours = sum(rm.nodes[n].estimate_hours for n in steps)
            st.markdown(t("roadmap.path", target=rm.nodes[target].title_in(lang),
                          steps=len(steps), hours=hours))
        else:
            st.success(t("path.finished"), icon=widgets.STATUS_ICON["done"])
    ids = sorted(rm.nodes if shown is None else shown,
                 key=lambda i: rm.nodes[i].title_in(lang))
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    label = (t("common.open_node") if shown is None
             else t("roadmap.open_matching", n=len(shown)))
    choice = widgets.node_picker(rm, label, key="rm_open", ids=ids, where=c1)
    if c2.button(t("roadmap.open"), key="rm_open_btn", disabled=choice is None) and choice:
        widgets.open_node(choice)


def matches(rm: Roadmap, query: str, sections: Collection[str], filters: Collection[str],
            recorded: dict[str, Any]) -> set[str] | None:
    """The nodes that the search text, the sections and the status filters keep (each
    empty one keeps all); None when nothing is asked for (nothing is dimmed)."""
    if not query.strip() and not sections and not filters:
        return None
    out = set()
    for n in search(rm, query):
        if sections and n.section not in sections:
            continue
        if filters and not ((state.status_of(recorded, n.id) in filters)
                            or ("verified" in filters and state.verified(recorded, n.id))):
            continue
        out.add(n.id)
    return out


def search(rm: Roadmap, text: str) -> list[Node]:
    """Nodes whose id, title (either language) or a tag contains ``text``."""
    low = text.strip().lower()
    if not low:
        return list(rm.nodes.values())
    out = []
    for n in rm.nodes.values():
        hay = [n.id, n.title, *n.tags, *(x.title for x in n.i18n.values())]
        if any(low in h.lower() for h in hay):
            out.append(n)
    return out


def _path(rm: Roadmap, store: Store | None, target: str | None) -> list[str] | None:
    """The remaining steps to ``target`` (empty when it is done; None without a target, or
    after showing why the path cannot be worked out)."""
    if target is None:
        return None
    try:
        done = graph.done_for(store, state.user(), rm) if store is not None else set()
        return graph.learning_path(rm, target, done).steps
    except RoadmapError as exc:
        st.error(str(exc))
        return None


def labels() -> dict[str, Any]:
    """The graph's words in the chosen language (``{n}`` is filled in by the component)."""
    return {"status": {s: t(f"status.{s}") for s in STATUSES},
            "verified": t("status.verified"), "hours": t("graph.hours"),
            "unlocks": t("graph.unlocks"), "aria": t("graph.aria"), "hint": t("graph.hint"),
            "zoom_in": t("graph.zoom_in"), "zoom_out": t("graph.zoom_out"),
            "fit": t("graph.fit")}
