"""Roadmap: the whole prerequisite graph, layered by depth, coloured by section."""

from __future__ import annotations

import streamlit as st

from graph import Node, Roadmap, stats
from ui import charts, state, widgets
from ui.i18n import node_title, t

STATUSES = ["todo", "learning", "done", "skipped"]


def page() -> None:
    """Draw the graph with search and filters; a click on a node opens it."""
    rm = widgets.roadmap()
    if rm is None:
        return
    key = f"rm_chart_{st.session_state.get('rm_clicks', 0)}"
    picked = charts.clicked_node(st.session_state.get(key))  # a click: go before drawing
    if picked and picked in rm.nodes:
        # a new chart key next time: the old one would keep (and toggle) this selection
        st.session_state["rm_clicks"] = st.session_state.get("rm_clicks", 0) + 1
        widgets.open_node(picked)
    lang = state.lang()
    recorded = state.statuses(widgets.store())
    s = stats(rm)
    st.title(f"{widgets.ICON['roadmap']} {t('page.roadmap')}")
    st.caption(t("roadmap.stats", nodes=s["nodes"], edges=s["edges"], hours=s["hours"],
                 depth=s["depth"], labs=s["labs"]))
    c1, c2, c3 = st.columns([2, 2, 2])
    query = c1.text_input(t("roadmap.search"), key="rm_search")
    secs = {sec.title_in(lang): sec.id for sec in rm.sections}
    pick_secs = c2.multiselect(t("roadmap.sections"), list(secs), key="rm_sections")
    names = {s: t(f"status.{s}") for s in STATUSES}
    pick_st = c3.multiselect(t("roadmap.statuses"), STATUSES, key="rm_statuses",
                             format_func=names.__getitem__)
    shown = {n.id for n in search(rm, query)
             if (not pick_secs or n.section in {secs[x] for x in pick_secs})
             and (not pick_st or state.status_of(recorded, n.id) in pick_st)}
    widest = max((len(v) for v in charts.layers(rm).values()), default=1)
    height = max(560, min(3000, 52 * widest + 100))
    st.plotly_chart(charts.roadmap_figure(rm, recorded, shown, lang, height), key=key,
                    on_select="rerun", selection_mode="points",
                    config={"displaylogo": False, "scrollZoom": True})
    filtered = len(shown) < len(rm)
    options = sorted(shown, key=lambda i: node_title(rm, i))
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    label = t("roadmap.open_matching", n=len(shown)) if filtered else t("common.open_node")
    choice = widgets.node_picker(rm, label, key="rm_open", ids=options, where=c1)
    if c2.button(t("roadmap.open"), key="rm_open_btn", disabled=choice is None) and choice:
        widgets.open_node(choice)


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
