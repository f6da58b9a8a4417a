"""Team: the skill matrix, nodes nobody covers, who can help with X, completions over time."""

from __future__ import annotations

import streamlit as st

import graph
from graph import RoadmapError, Store
from ui import access, charts, state, widgets
from ui.i18n import node_title, t
from ui.widgets import ICON


def page() -> None:
    """Pick a team: its skill matrix, gaps, helpers and timeline; manage teams above."""
    rm = widgets.roadmap()
    if rm is None:
        return
    st.title(f"{ICON['team']} {t('page.team')}")
    store = widgets.store()
    if store is None:
        return
    try:
        teams = store.teams()
    except RoadmapError as exc:
        st.error(str(exc))
        return
    _manage(store, teams)
    if not teams:
        st.info(t("team.none"))
        return
    team = st.selectbox(t("page.team"), teams, key="team_pick")
    try:
        matrix = graph.skill_matrix(rm, store, team)
        uncovered = graph.uncovered_nodes(rm, store, team)
        timeline = graph.completions_over_time(store, team=team, roadmap=rm)
    except RoadmapError as exc:
        st.error(str(exc))
        return
    if not matrix.members:
        st.info(t("team.no_members"))
        return
    lang = state.lang()
    st.plotly_chart(charts.skill_heatmap(rm, matrix, lang), key="team_heatmap")
    c1, c2 = st.columns(2)
    with c1:
        st.subheader(f"{ICON['uncovered']} {t('team.uncovered')}")
        st.caption(f"{len(uncovered)}/{len(rm)}")
        with st.container(height=300):
            st.markdown("\n".join(f"- {node_title(rm, n)} (`{n}`)" for n in uncovered)
                        or "—")
    with c2:
        st.subheader(f"{ICON['helpers']} {t('team.who_can_help')}")
        pick = widgets.node_picker(rm, t("team.help_node"), key="team_help",
                                   label_visibility="collapsed")
        if pick:
            helpers = graph.who_can_help(rm, store, pick, team)
            for h in helpers:
                st.markdown(f"- **{h.user}**"
                            + (f" {ICON['verified']} {t('status.verified')}"
                               if h.verified else "")
                            + f" · {h.updated_at:%Y-%m-%d}")
            if not helpers:
                st.caption(t("team.nobody_done"))
    st.subheader(t("common.timeline"))
    if timeline:
        st.plotly_chart(charts.timeline_figure(timeline, 260), key="team_timeline")
    else:
        st.caption(t("team.no_completions"))


def _manage(store: Store, teams: list[str]) -> None:
    with st.expander(f"{ICON['manage']} {t('team.manage')}"):
        c1, c2 = st.columns(2)
        with c1.form("team_new", clear_on_submit=True, border=False):
            name = st.text_input(t("team.new"), key="team_new_name")
            if st.form_submit_button(t("common.add")) and name:
                try:
                    store.add_team(name.strip(), admin=state.user())
                    st.rerun()
                except RoadmapError as exc:
                    st.error(str(exc))
        with c2.form("team_join", clear_on_submit=True, border=False):
            users = [u.name for u in store.users()]
            mine = [x for x in teams if access.may_manage_team(store, x, state.user())]
            team = st.selectbox(t("page.team"), mine, key="team_join_team")
            member = st.selectbox(t("team.member"), users, key="team_join_user")
            if not mine and teams:
                st.caption(t("team.admins_only"))
            if st.form_submit_button(t("team.add_member"), disabled=not mine) and team \
                    and member and access.may_manage_team(store, team, state.user()):
                try:
                    store.join_team(team, member)
                    st.rerun()
                except RoadmapError as exc:
                    st.error(str(exc))
