"""The app's Plotly figures: completion timelines and the team's evidence.

Figures are built from engine results and the chosen language; the pages draw them with
``st.plotly_chart``. The Roadmap page has no figure here: its graph is the light
component ``ui.components.graph_view``, so the browser never loads Plotly's bundle there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import plotly.graph_objects as go

from graph import EVIDENCE_COLOURS, Roadmap, TeamLedger
from ui.i18n import t


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
