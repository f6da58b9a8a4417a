"""The app's Plotly figures: the roadmap graph, completion timelines, the team's evidence.

Figures are built from engine results and the chosen language; the pages draw them with
``st.plotly_chart``. (The Roadmap page's graph moves to a light component later.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import plotly.graph_objects as go

from graph import EVIDENCE_COLOURS, Roadmap, TeamLedger, depths
from ui import state
from ui.i18n import t

# --------------------------------------------------------------------------- roadmap graph
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


def layers(rm: Roadmap) -> dict[int, list[str]]:
    """Node ids by prerequisite depth."""
    out: dict[int, list[str]] = {}
    for nid, d in depths(rm).items():
        out.setdefault(d, []).append(nid)
    return out


def layout(rm: Roadmap) -> dict[str, tuple[float, float]]:
    """x = prerequisite depth; y = spread within the layer, grouped by section, centred."""
    order = {s.id: s.order for s in rm.sections}
    pos = {}
    for d, ids in layers(rm).items():
        ids.sort(key=lambda i: (order.get(rm.nodes[i].section, 99), rm.nodes[i].title))
        top = (len(ids) - 1) / 2
        for k, nid in enumerate(ids):
            pos[nid] = (float(d), top - k)
    return pos


def roadmap_figure(rm: Roadmap, recorded: dict[str, Any], shown: set[str], lang: str,
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
        st_ = [state.status_of(recorded, i) for i in ids]
        ver = [state.verified(recorded, i) for i in ids]
        fig.add_trace(go.Scatter(
            x=[pos[i][0] for i in ids], y=[pos[i][1] for i in ids],
            mode="markers+text" if labels else "markers",
            name=sec.title_in(lang),
            text=[short(rm.nodes[i].title_in(lang)) for i in ids],
            textposition="bottom center", textfont={"size": 10},
            customdata=[[i, t(f"status.{s}"), rm.nodes[i].estimate_hours,
                         " ★ " + t("status.verified") if v else "",
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
            x=[None], y=[None], mode="markers", name=t(f"status.{s}"),
            legendgroup="status", legendgrouptitle_text=t("roadmap.statuses"),
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


def clicked_node(event: Any) -> str | None:
    """The node id of a clicked point of the roadmap figure, if any."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for p in points:
        cd = p.get("customdata")
        if cd:
            return cd[0] if isinstance(cd, list) else cd
    return None


# --------------------------------------------------------------------------- timelines
def timeline_figure(points: list[Any], height: int, y_title: str | None = None) -> go.Figure:
    """Cumulative completions as a step line, from zero the day before the first one."""
    days = [points[0].day - dt.timedelta(days=1)] + [p.day for p in points]
    fig = go.Figure(go.Scatter(x=days, y=[0] + [p.cumulative for p in points],
                               mode="lines+markers", line_shape="hv",
                               hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_layout(height=height, xaxis={"type": "date", "tickformat": "%Y-%m-%d"},
                      margin={"l": 10, "r": 10, "t": 10, "b": 10}, yaxis_title=y_title)
    return fig


# --------------------------------------------------------------------------- team matrix
# evidence from weakest to strongest: the matrix's colour scale, bottom to top
SCALE = ("none", "claimed", "inferred", "invalidated", "stale", "verified")


def evidence_heatmap(rm: Roadmap, ledger: TeamLedger, lang: str) -> go.Figure:
    """Members x nodes coloured by evidence (the colours of ``graph.EVIDENCE_COLOURS``),
    nodes grouped by section."""
    order = {s.id: s.order for s in rm.sections}
    position = {n: i for i, n in enumerate(rm.nodes)}
    nodes = sorted(ledger.nodes, key=lambda n: (order.get(rm.nodes[n].section, 99),
                                                position[n]))
    level = {w: k for k, w in enumerate(SCALE)}
    names = {w: t(f"evidence.{w}") for w in SCALE}
    titles = {n: rm.nodes[n].title_in(lang) for n in nodes}
    z, hover = [], []
    for member in ledger.members:
        mine = ledger.cells.get(member, {})
        words = [mine.get(n, "none") for n in nodes]
        z.append([level[w] for w in words])
        hover.append([f"{member} · {titles[n]}: {names[w]}"
                      for n, w in zip(nodes, words, strict=True)])
    k = len(SCALE)
    colours: list[list[Any]] = []
    for i, w in enumerate(SCALE):  # one flat band per kind of evidence
        colours += [[i / k, EVIDENCE_COLOURS[w]], [(i + 1) / k, EVIDENCE_COLOURS[w]]]
    fig = go.Figure(go.Heatmap(
        z=z, x=nodes, y=ledger.members, customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", zmin=-0.5, zmax=k - 0.5,
        colorscale=colours, xgap=1, ygap=1,
        colorbar={"tickvals": list(range(k)), "ticktext": [names[w] for w in SCALE]}))
    start = 0
    for sec in sorted(rm.sections, key=lambda s: s.order):  # section bands above the matrix
        count = sum(1 for n in nodes if rm.nodes[n].section == sec.id)
        if not count:
            continue
        fig.add_shape(type="rect", xref="x", yref="paper", x0=start - 0.5,
                      x1=start + count - 0.5, y0=1.0, y1=1.04, fillcolor=sec.colour,
                      line_width=0)
        fig.add_annotation(x=start + (count - 1) / 2, y=1.05, yref="paper", showarrow=False,
                           text=sec.title_in(lang)[: max(3, int(count * 1.5))], font={"size": 10},
                           yanchor="bottom")
        start += count
    fig.update_layout(height=max(260, min(22 * len(ledger.members), 2400) + 220),
                      margin={"l": 10, "r": 10, "t": 50, "b": 10},
                      xaxis={"tickangle": -60, "tickfont": {"size": 9},
                             "ticktext": [titles[n][:30] for n in nodes], "tickvals": nodes},
                      yaxis={"autorange": "reversed"})
    return fig
