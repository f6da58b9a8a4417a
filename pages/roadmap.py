"""Roadmap: the whole prerequisite graph, layered by depth, coloured by section."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from graph import depths, stats
from graph.model import Roadmap
from pages import common

SYMBOL = {"todo": "circle-open", "learning": "circle-open-dot", "done": "circle",
          "skipped": "x-thin-open"}
VERIFIED_SYMBOL = "star"
LABEL_LIMIT = 120  # above this many nodes, titles show on hover only


def short(title: str, width: int = 16) -> str:
    """A title on at most two lines of about ``width`` characters (the hover has it all)."""
    words, lines, cur = title.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    lines.append(cur)
    if len(lines) > 2:
        lines = [lines[0], (lines[1][: width - 1] + "…")]
    return "<br>".join(lines)


def layout(rm: Roadmap) -> dict[str, tuple[float, float]]:
    """x = prerequisite depth; y = spread within the layer, grouped by section, centred."""
    order = {s.id: s.order for s in rm.sections}
    layers: dict[int, list[str]] = {}
    for nid, d in depths(rm).items():
        layers.setdefault(d, []).append(nid)
    pos = {}
    for d, ids in layers.items():
        ids.sort(key=lambda i: (order.get(rm.nodes[i].section, 99), rm.nodes[i].title))
        top = (len(ids) - 1) / 2
        for k, nid in enumerate(ids):
            pos[nid] = (float(d), top - k)
    return pos


def figure(rm: Roadmap, recorded: dict[str, Any], shown: set[str], lang: str,
           height: int) -> go.Figure:
    """The graph: edges as line segments, one marker trace per section, a status legend."""
    pos = layout(rm)
    fig = go.Figure()
    ex: list[float | None] = []
    ey: list[float | None] = []
    for u, v in rm.edges():
        (x0, y0), (x1, y1) = pos[u], pos[v]
        ex += [x0, x1, None]
        ey += [y0, y1, None]
    fig.add_trace(go.Scatter(x=ex, y=ey, mode="lines", hoverinfo="skip", showlegend=False,
                             line={"color": "rgba(120,120,120,0.35)", "width": 1}))
    labels = len(rm) <= LABEL_LIMIT
    for sec in sorted(rm.sections, key=lambda s: s.order):
        ids = [n.id for n in rm.nodes.values() if n.section == sec.id]
        if not ids:
            continue
        st_ = [common.status_of(recorded, i) for i in ids]
        ver = [bool(recorded.get(i) and recorded[i].verified) for i in ids]
        fig.add_trace(go.Scatter(
            x=[pos[i][0] for i in ids], y=[pos[i][1] for i in ids],
            mode="markers+text" if labels else "markers",
            name=sec.title_in(lang),
            text=[short(rm.nodes[i].title_in(lang)) for i in ids],
            textposition="bottom center", textfont={"size": 10},
            customdata=[[i, common.t(s), rm.nodes[i].estimate_hours,
                         " ✓ " + common.t("verified") if v else "",
                         rm.nodes[i].title_in(lang)]
                        for i, s, v in zip(ids, st_, ver, strict=True)],
            hovertemplate=("<b>%{customdata[4]}</b><br>%{customdata[1]}%{customdata[3]}<br>"
                           "%{customdata[2]} h<extra>%{fullData.name}</extra>"),
            marker={"color": sec.colour, "size": 14,
                    "symbol": [VERIFIED_SYMBOL if v else SYMBOL.get(s, "circle-open")
                               for s, v in zip(st_, ver, strict=True)],
                    "line": {"width": 2, "color": sec.colour},
                    "opacity": [1.0 if i in shown else 0.12 for i in ids]},
            selected={"marker": {"opacity": 1.0}},
            unselected={"marker": {"opacity": 1.0}},
        ))
    for s in ("todo", "learning", "done", "skipped", "verified"):  # status legend
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=common.status_label(s).strip(),
            legendgroup="status", legendgrouptitle_text=common.t("statuses"),
            marker={"symbol": VERIFIED_SYMBOL if s == "verified" else SYMBOL[s],
                    "color": "#555", "size": 12, "line": {"width": 2, "color": "#555"}}))
    xmax = max((p[0] for p in pos.values()), default=0)
    fig.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 10, "b": 60},
        plot_bgcolor="white", dragmode="pan", clickmode="event+select",
        legend={"groupclick": "toggleitem", "itemclick": False, "itemdoubleclick": False,
                "orientation": "h", "x": 0, "y": -0.01, "yanchor": "top"},
        xaxis={"visible": False, "range": [-0.5, xmax + 0.5]},
        yaxis={"visible": False},
    )
    return fig


def page() -> None:
    rm = common.get_roadmap()
    if rm is None:
        return
    key = f"rm_chart_{st.session_state.get('rm_clicks', 0)}"
    picked = _clicked(st.session_state.get(key))  # a click: go before drawing anything
    if picked and picked in rm.nodes:
        # a new chart key next time: the old one would keep (and toggle) this selection
        st.session_state["rm_clicks"] = st.session_state.get("rm_clicks", 0) + 1
        common.open_node(picked)
    lang = common.lang()
    store = common.get_store()
    recorded = common.statuses(store)
    s = stats(rm)
    st.title(f"🗺️ {common.t('roadmap')}")
    st.caption(f"{s['nodes']} nodes · {s['edges']} edges · {s['hours']:g} h · "
               f"{s['depth']} levels · {s['labs']} labs")
    c1, c2, c3 = st.columns([2, 2, 2])
    query = c1.text_input(common.t("search"), key="rm_search")
    secs = {sec.title_in(lang): sec.id for sec in rm.sections}
    pick_secs = c2.multiselect(common.t("sections"), list(secs), key="rm_sections")
    statuses = ["todo", "learning", "done", "skipped"]
    pick_st = c3.multiselect(common.t("statuses"), statuses, key="rm_statuses",
                             format_func=common.status_label)
    matches = common.search(rm, query)
    shown = {n.id for n in matches
             if (not pick_secs or n.section in {secs[x] for x in pick_secs})
             and (not pick_st or common.status_of(recorded, n.id) in pick_st)}
    widest = max((len(v) for v in _layers(rm).values()), default=1)
    height = max(560, min(3000, 52 * widest + 100))
    st.plotly_chart(figure(rm, recorded, shown, lang, height), key=key,
                    on_select="rerun", selection_mode="points",
                    config={"displaylogo": False, "scrollZoom": True})
    filtered = len(shown) < len(rm)
    options = sorted(shown, key=lambda i: common.title(rm, i))
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    choice = c1.selectbox(
        f"{common.t('open_node')} ({len(shown)} {common.t('matches')})" if filtered
        else common.t("open_node"), options, index=None, key="rm_open",
        format_func=lambda i: f"{common.title(rm, i)} ({i})")
    if c2.button(common.t("open"), key="rm_open_btn", disabled=choice is None) and choice:
        common.open_node(choice)


def _layers(rm: Roadmap) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for nid, d in depths(rm).items():
        out.setdefault(d, []).append(nid)
    return out


def _clicked(event: Any) -> str | None:
    """The node id of a clicked point, if any."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for p in points:
        cd = p.get("customdata")
        if cd:
            return cd[0] if isinstance(cd, list) else cd
    return None


if __name__ == "__main__":  # Streamlit ran this file itself (pages/ folder mode)
    common.use_app_navigation()
