"""Roadmap: the whole prerequisite graph in the engine's layered layout, drawn as SVG.

Every title shows in full, as text; the status has a shape and ★ marks a verified node.
The graph carries its own search box and filter chips (sections, statuses), which dim
what they leave out without a rerun, and a target picker: the learning path that remains
before the target is lit. A click on a node (or Enter on a focused one) opens it on the
Node page. The page holds no other widget, and nothing here loads Plotly: it is the
first page people see, so it must be quick to show.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

import graph
from graph import STATUSES, Roadmap, RoadmapError, Store, stats
from ui import state, widgets
from ui.components.graph_view import clicked, graph_view, roadmap_infos
from ui.i18n import t

TARGET = "rm_target"  # session state: the target whose path is lit (a node id)


def page() -> None:
    """Draw the graph with its search, filters and target; a click on a node opens it."""
    rm = widgets.roadmap()
    if rm is None:
        return
    picked = clicked("rm_graph")
    if picked in rm.nodes:  # a click in the graph: straight to the Node page
        widgets.open_node(picked)
    lang = state.lang()
    store = widgets.store()
    recorded = state.statuses(store)
    s = stats(rm)
    st.title(f"{widgets.ICON['roadmap']} {t('page.roadmap')}")
    st.caption(t("roadmap.stats", nodes=s["nodes"], edges=s["edges"], hours=s["hours"],
                 depth=s["depth"], labs=s["labs"]))
    target = st.session_state.get(TARGET)
    target = target if target in rm.nodes else None
    steps = _path(rm, store, target)
    nodes, sections = roadmap_infos(
        rm, lang, {n: state.status_of(recorded, n) for n in recorded},
        {n for n in recorded if state.verified(recorded, n)})
    choices = widgets.node_labels(rm, rm.nodes)
    graph_view(state.layout(rm, lang), nodes, sections, path=steps or (), target=target,
               labels=labels(), controls=True,
               targets=sorted(choices.items(), key=lambda kv: kv[1]),
               on_target=_set_target, key="rm_graph")
    if target is not None and steps is not None:
        if steps:
            hours = sum(rm.nodes[n].estimate_hours for n in steps)
            st.markdown(t("roadmap.path", target=rm.nodes[target].title_in(lang),
                          steps=len(steps), hours=hours))
        else:
            st.success(t("path.finished"), icon=widgets.STATUS_ICON["done"])


def _set_target(node_id: str | None) -> None:
    st.session_state[TARGET] = node_id


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
    """The graph's words in the chosen language (``{n}`` and the like are filled in by the
    component)."""
    return {"status": {s: t(f"status.{s}") for s in STATUSES},
            "verified": t("status.verified"), "hours": t("graph.hours"),
            "unlocks": t("graph.unlocks"), "aria": t("graph.aria"), "hint": t("graph.hint"),
            "zoom_in": t("graph.zoom_in"), "zoom_out": t("graph.zoom_out"),
            "fit": t("graph.fit"), "search": t("roadmap.search"),
            "sections": t("roadmap.sections"), "statuses": t("roadmap.statuses"),
            "filter": t("graph.filter"), "matching": t("graph.matching"),
            "target": t("roadmap.target"), "target_none": t("roadmap.target_none")}
