"""Learning path: what is left before a target, in order, and the next-up fringe."""

from __future__ import annotations

import streamlit as st

import graph
from graph import RoadmapError
from ui import state, widgets
from ui.i18n import node_title, t
from ui.widgets import ICON

FRINGE_SHOWN = 20  # next-up nodes listed (the rest are counted)


def page() -> None:
    """Pick a target: its remaining prerequisites in order; then what can start now."""
    rm = widgets.roadmap()
    if rm is None:
        return
    store = widgets.store()
    st.title(f"{ICON['path']} {t('page.path')}")
    ids = sorted(rm.nodes, key=lambda i: node_title(rm, i))
    default = state.selected_node()
    target = widgets.node_picker(rm, t("path.target"), key="path_target", ids=ids,
                                 index=ids.index(default) if default in ids else None,
                                 placeholder="…")
    try:
        done = graph.done_for(store, state.user(), rm) if store is not None else set()
        fringe = graph.next_up(rm, done)
        path = graph.learning_path(rm, target, done) if target else None
    except RoadmapError as exc:
        st.error(str(exc))
        return
    recorded = state.statuses(store)
    if path is not None:
        if not path.steps:
            st.success(t("path.finished"), icon=widgets.STATUS_ICON["done"])
        else:
            st.markdown(f"**{t('path.summary', steps=len(path.steps), hours=path.hours)}**")
            for k, nid in enumerate(path.steps, 1):
                c1, c2, c3 = st.columns([0.5, 6, 1.5], vertical_alignment="center")
                c1.markdown(f"**{k}.**")
                with c2:
                    widgets.status_button(rm, recorded, nid, key=f"path_{nid}")
                c3.markdown(t("path.hours", hours=rm.nodes[nid].estimate_hours))
    st.subheader(f"{ICON['next_up']} {t('path.next_up')}")
    st.caption(t("path.next_up_help"))
    for item in fringe[:FRINGE_SHOWN]:
        c1, c2 = st.columns([6, 2], vertical_alignment="center")
        with c1:
            widgets.status_button(rm, recorded, item.node_id, key=f"next_{item.node_id}")
        c2.markdown(t("path.fringe_item", hours=item.hours, unlocks=item.unlocks))
    if len(fringe) > FRINGE_SHOWN:
        st.caption(t("path.more", n=len(fringe) - FRINGE_SHOWN))
