"""The app's Plotly figures: completion timelines and the team's skill matrix.

Figures are built from engine results and the chosen language; the pages draw them with
``st.plotly_chart``. The Roadmap page has no figure here: its graph is the light
component ``ui.components.graph_view``, so the browser never loads Plotly's bundle there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import plotly.graph_objects as go

from graph import Roadmap, SkillMatrix
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
LEVEL = {"todo": 0, "learning": 1, "skipped": 2, "done": 3}
COLOURS = [[0.0, "#f2f2f2"], [0.125, "#f2f2f2"], [0.125, "#ffd966"], [0.375, "#ffd966"],
           [0.375, "#c9c9c9"], [0.625, "#c9c9c9"], [0.625, "#6aa84f"], [1.0, "#38761d"]]


def skill_heatmap(rm: Roadmap, m: SkillMatrix, lang: str) -> go.Figure:
    """Members x nodes, nodes grouped by section; verified cells carry a star."""
    order = {s.id: s.order for s in rm.sections}
    nodes = sorted(m.nodes, key=lambda n: (order.get(rm.nodes[n].section, 99),
                                           list(rm.nodes).index(n)))
    z, text, hover = [], [], []
    for member in m.members:
        row, trow, hrow = [], [], []
        for n in nodes:
            c = m.cell(member, n)
            row.append(LEVEL.get(c.status, 0))
            trow.append("★" if c.verified else "")
            hrow.append(f"{member} · {rm.nodes[n].title_in(lang)}: {t(f'status.{c.status}')}"
                        + (f" ({t('status.verified')})" if c.verified else ""))
        z.append(row)
        text.append(trow)
        hover.append(hrow)
    ticks = ["todo", "learning", "skipped", "done"]
    fig = go.Figure(go.Heatmap(z=z, x=nodes, y=m.members, text=text, texttemplate="%{text}",
                               customdata=hover, hovertemplate="%{customdata}<extra></extra>",
                               zmin=0, zmax=3, colorscale=COLOURS, xgap=1, ygap=1,
                               colorbar={"tickvals": [0.4, 1.1, 1.9, 2.6],
                                         "ticktext": [t(f"status.{s}") for s in ticks]}))
    # section bands above the matrix
    start = 0
    for sec in sorted(rm.sections, key=lambda s: s.order):
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
    fig.update_layout(height=max(260, 40 * len(m.members) + 200),
                      margin={"l": 10, "r": 10, "t": 50, "b": 10},
                      xaxis={"tickangle": -60, "tickfont": {"size": 9},
                             "ticktext": [rm.nodes[n].title_in(lang)[:30] for n in nodes],
                             "tickvals": nodes},
                      yaxis={"autorange": "reversed"})
    return fig
