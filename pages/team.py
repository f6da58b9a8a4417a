"""Team: the skill matrix, nodes nobody covers, who can help with X, completions over time."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from graph import RoadmapError
from graph.model import Roadmap
from graph.progress import (
    SkillMatrix,
    completions_over_time,
    skill_matrix,
    uncovered_nodes,
    who_can_help,
)
from pages import common

LEVEL = {"todo": 0, "learning": 1, "skipped": 2, "done": 3}
COLOURS = [[0.0, "#f2f2f2"], [0.125, "#f2f2f2"], [0.125, "#ffd966"], [0.375, "#ffd966"],
           [0.375, "#c9c9c9"], [0.625, "#c9c9c9"], [0.625, "#6aa84f"], [1.0, "#38761d"]]


def page() -> None:
    rm = common.get_roadmap()
    if rm is None:
        return
    st.title(f"👥 {common.t('team')}")
    store = common.get_store()
    if store is None:
        return
    try:
        teams = store.teams()
    except RoadmapError as exc:
        st.error(str(exc))
        return
    _manage(store, teams)
    if not teams:
        st.info("No team yet: create one above and add members (profiles), or from the "
                "shell: `roadmap team add NAME`.")
        return
    team = st.selectbox(common.t("team"), teams, key="team_pick")
    try:
        matrix = skill_matrix(rm, store, team)
        uncovered = uncovered_nodes(rm, store, team)
        timeline = completions_over_time(store, team=team, roadmap=rm)
    except RoadmapError as exc:
        st.error(str(exc))
        return
    if not matrix.members:
        st.info("This team has no members yet.")
        return
    st.plotly_chart(heatmap(rm, matrix, common.lang()), key="team_heatmap")
    c1, c2 = st.columns(2)
    with c1:
        st.subheader("🕳️ " + ("Nadie los cubre" if common.lang() == "es" else "Nobody covers"))
        st.caption(f"{len(uncovered)}/{len(rm)}")
        with st.container(height=300):
            st.markdown("\n".join(f"- {common.title(rm, n)} (`{n}`)" for n in uncovered)
                        or "—")
    with c2:
        st.subheader("🙋 " + ("¿Quién puede ayudar con…?" if common.lang() == "es"
                              else "Who can help with…"))
        ids = sorted(rm.nodes, key=lambda i: common.title(rm, i))
        pick = st.selectbox("node", ids, index=None, key="team_help",
                            format_func=lambda i: common.title(rm, i),
                            label_visibility="collapsed")
        if pick:
            helpers = who_can_help(rm, store, pick, team)
            if helpers:
                for h in helpers:
                    st.markdown(f"- **{h.user}**" + (" ⭐ verified" if h.verified else "")
                                + f" · {h.updated_at:%Y-%m-%d}")
            else:
                st.caption("Nobody on this team has done it yet.")
    st.subheader(common.t("timeline"))
    if timeline:
        fig = go.Figure(go.Scatter(x=_days(timeline),
                                   y=[0] + [p.cumulative for p in timeline],
                                   mode="lines+markers", line_shape="hv"))
        fig.update_layout(height=260, xaxis={"type": "date", "tickformat": "%Y-%m-%d"},
                          margin={"l": 10, "r": 10, "t": 10, "b": 10})
        st.plotly_chart(fig, key="team_timeline")
    else:
        st.caption("No completions yet.")


def heatmap(rm: Roadmap, m: SkillMatrix, lang: str) -> go.Figure:
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
            hrow.append(f"{member} · {rm.nodes[n].title_in(lang)}: {c.status}"
                        + (" (verified)" if c.verified else ""))
        z.append(row)
        text.append(trow)
        hover.append(hrow)
    fig = go.Figure(go.Heatmap(z=z, x=nodes, y=m.members, text=text, texttemplate="%{text}",
                               customdata=hover, hovertemplate="%{customdata}<extra></extra>",
                               zmin=0, zmax=3, colorscale=COLOURS, xgap=1, ygap=1,
                               colorbar={"tickvals": [0.4, 1.1, 1.9, 2.6],
                                         "ticktext": ["todo", "learning", "skipped", "done"]}))
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


def _manage(store, teams: list[str]) -> None:  # type: ignore[no-untyped-def]
    with st.expander("⚙️ " + ("Gestionar equipos" if common.lang() == "es" else "Manage teams")):
        c1, c2 = st.columns(2)
        with c1.form("team_new", clear_on_submit=True, border=False):
            name = st.text_input("New team", key="team_new_name")
            if st.form_submit_button(common.t("add")) and name:
                try:
                    store.add_team(name.strip(), admin=common.user())
                    st.rerun()
                except RoadmapError as exc:
                    st.error(str(exc))
        with c2.form("team_join", clear_on_submit=True, border=False):
            users = [u.name for u in store.users()]
            team = st.selectbox("Team", teams, key="team_join_team")
            member = st.selectbox("Member", users, key="team_join_user")
            if st.form_submit_button("Add member") and team and member:
                try:
                    store.join_team(team, member)
                    st.rerun()
                except RoadmapError as exc:
                    st.error(str(exc))


if __name__ == "__main__":  # Streamlit ran this file itself (pages/ folder mode)
    common.use_app_navigation()


def _days(timeline: list) -> list:  # type: ignore[type-arg]
    """The days of a timeline, starting from zero the day before the first one."""
    import datetime as dt

    return [timeline[0].day - dt.timedelta(days=1)] + [p.day for p in timeline]
