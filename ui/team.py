"""Team: the members' evidence of every node, the team's coverage (bus factor 1, stale-only,
nobody covers), its export, each member's gap to a role, who can help, completions."""

from __future__ import annotations

import streamlit as st

import graph
from graph import Roadmap, RoadmapError, Store, TeamLedger
from ui import access, charts, state, widgets
from ui.i18n import node_title, t
from ui.widgets import ICON


def page() -> None:
    """Pick a team: its evidence matrix, coverage, role gaps, helpers and timeline; manage
    teams above."""
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
        ledger = graph.team_ledger(rm, store, team)
        timeline = graph.completions_over_time(store, team=team, roadmap=rm)
    except RoadmapError as exc:
        st.error(str(exc))
        return
    if not ledger.members:
        st.info(t("team.no_members"))
        return
    lang = state.lang()
    cov = ledger.coverage
    single = [c for c in cov if c.bus_factor_1]
    stale = [c for c in cov if c.stale_only]
    nobody = [c for c in cov if c.uncovered]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("team.verified_nodes"), f"{sum(1 for c in cov if c.verified)}/{len(cov)}")
    c2.metric(t("team.bus_factor"), len(single))
    c3.metric(t("team.stale_only"), len(stale))
    c4.metric(t("team.uncovered"), len(nobody))
    st.plotly_chart(charts.evidence_heatmap(rm, ledger, lang), key="team_heatmap")
    c1, c2, c3 = st.columns(3)
    for col, icon, title, items in (
            (c1, "bus", "team.bus_factor", [f"- {node_title(rm, c.node)} · **{c.holders[0]}**"
                                            for c in single]),
            (c2, "stale", "team.stale_only", [f"- {node_title(rm, c.node)} (`{c.node}`)"
                                              for c in stale]),
            (c3, "uncovered", "team.uncovered", [f"- {node_title(rm, c.node)} (`{c.node}`)"
                                                 for c in nobody])):
        with col:
            st.subheader(f"{ICON[icon]} {t(title)}")
            st.caption(t(f"{title}_help"))
            with st.container(height=260):
                st.markdown("\n".join(items) or "—")
    _coverage_table(rm, ledger, team, lang)
    _roles(rm, store, team, ledger)
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


def _coverage_table(rm: Roadmap, ledger: TeamLedger, team: str, lang: str) -> None:
    """Per node: members by evidence and the fresh holders; the CSV and Excel downloads."""
    st.subheader(f"{ICON['coverage']} {t('team.coverage')}")
    col = {w: t(f"evidence.{w}") for w in graph.EVIDENCE}
    st.dataframe([{t("team.col_node"): node_title(rm, c.node),
                   **{col[w]: c.counts[w] for w in graph.EVIDENCE},
                   t("team.col_holders"): ", ".join(c.holders)} for c in ledger.coverage],
                 hide_index=True, width="stretch", height=320)
    header, rows = graph.coverage_table(rm, ledger, lang)
    c1, c2, _ = st.columns([1, 1, 3])
    # the files are made when a button is clicked (an Excel file of a big team takes a while)
    c1.download_button(t("team.download_csv"), lambda: graph.table_bytes(header, rows, "csv"),
                       file_name=f"{team}-coverage.csv", mime="text/csv", key="team_csv",
                       icon=ICON["export"])
    c2.download_button(t("team.download_xlsx"), lambda: graph.table_bytes(
        header, rows, "xlsx", sheet=f"team {team}", fills=graph.EVIDENCE_COLOURS),
        file_name=f"{team}-coverage.xlsx", key="team_xlsx", icon=ICON["export"],
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _roles(rm: Roadmap, store: Store, team: str, ledger: TeamLedger) -> None:
    """Each member's gap to a chosen role profile."""
    st.subheader(f"{ICON['role']} {t('team.role_gap')}")
    if not rm.roles:
        st.caption(t("team.no_roles"))
        return
    lang = state.lang()
    role = st.selectbox(t("team.role"), list(rm.roles), key="team_role",
                        format_func=lambda r: rm.roles[r].title_in(lang))
    try:
        gaps = graph.role_gaps(rm, store, team, role, ledger)
    except RoadmapError as exc:
        st.error(str(exc))
        return
    st.caption(t("team.role_help", n=gaps[0].total if gaps else 0))
    st.dataframe([{t("team.member"): g.member, t("team.col_steps"): len(g.steps),
                   t("team.col_hours"): g.hours,
                   t("team.col_verified"): f"{g.verified}/{g.total}",
                   t("team.col_next"): ", ".join(node_title(rm, n) for n in g.steps[:3])}
                  for g in sorted(gaps, key=lambda g: (g.hours, g.member))],
                 hide_index=True, width="stretch")


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
