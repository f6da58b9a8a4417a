"""Widgets the pages share: Material icons, the sidebar, node buttons, load-or-explain.

Icons are Streamlit's built-in Material Symbols (``:material/<name>:``), drawn from a font
Streamlit ships, so they show on machines without an emoji font.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

import graph
from graph import Roadmap, RoadmapError, Store
from ui import state
from ui.i18n import LANGUAGES, node_title, t

ICON = {
    # pages
    "app": ":material/explore:",
    "roadmap": ":material/account_tree:",
    "node": ":material/location_on:",
    "path": ":material/route:",
    "progress": ":material/trending_up:",
    "team": ":material/groups:",
    "system": ":material/computer:",
    "review": ":material/event_repeat:",
    # things on the pages
    "verified": ":material/verified:",
    "locked": ":material/lock:",
    "tags": ":material/sell:",
    "lab": ":material/science:",
    "history": ":material/history:",
    "run": ":material/play_arrow:",
    "cancel": ":material/stop:",
    "running": ":material/settings:",
    "waiting": ":material/hourglass_top:",
    "next_up": ":material/skip_next:",
    "export": ":material/download:",
    "import": ":material/upload:",
    "database": ":material/database:",
    "uncovered": ":material/person_off:",
    "helpers": ":material/handshake:",
    "manage": ":material/manage_accounts:",
    "profile": ":material/person:",
    "language": ":material/translate:",
    "login": ":material/login:",
    "logout": ":material/logout:",
    "saved": ":material/check:",
    "sandbox": ":material/shield:",
    "cluster": ":material/hub:",
    # the Node page's tabs, and practice
    "tab_overview": ":material/info:",
    "tab_learn": ":material/school:",
    "tab_practice": ":material/code:",
    "lesson": ":material/menu_book:",
    "start": ":material/edit_note:",
    "check": ":material/fact_check:",
    "reset": ":material/restart_alt:",
    "file": ":material/description:",
    "code": ":material/code:",
    "restore": ":material/settings_backup_restore:",
    "upcoming": ":material/upcoming:",
    "bus": ":material/person_alert:",
    "stale": ":material/history_toggle_off:",
    "coverage": ":material/grid_on:",
    "role": ":material/badge:",
}
STATUS_ICON = {"todo": ":material/radio_button_unchecked:", "learning": ":material/pending:",
               "done": ":material/check_circle:", "skipped": ":material/skip_next:"}
STATUS_ACTION_ICON = {"learning": ":material/menu_book:", "done": ":material/task_alt:",
                      "skipped": ":material/skip_next:", "todo": ":material/undo:"}
RUN_ICON = {"pass": ":material/check_circle:", "fail": ":material/cancel:",
            "error": ":material/error:", "timeout": ":material/timer_off:",
            "cancelled": ":material/stop_circle:", "skipped": ":material/skip_next:"}
UNKNOWN_ICON = ":material/help:"


def status_label(status: str) -> str:
    """A node status with its icon, in the chosen language (Markdown)."""
    return f"{STATUS_ICON.get(status, UNKNOWN_ICON)} {t(f'status.{status}')}"


def run_label(status: str) -> str:
    """A run status with its icon, in the chosen language (Markdown)."""
    return f"{RUN_ICON.get(status, UNKNOWN_ICON)} {t(f'run.{status}').upper()}"


# --------------------------------------------------------------------------- load or explain
def roadmap() -> Roadmap | None:
    """The loaded roadmap, or None after showing why it cannot be loaded."""
    try:
        return state.roadmap()
    except RoadmapError as exc:
        st.error(t("error.roadmap", root=state.roadmap_dir(), error=exc))
        return None


def store(show_error: bool = True) -> Store | None:
    """The progress store, or None after explaining (when ``show_error``) what to change."""
    try:
        return state.store()
    except RoadmapError as exc:  # ProgressError is a RoadmapError too
        if show_error:
            st.error(t("error.store", error=exc, db=_db_location()))
        return None
    except Exception as exc:  # noqa: BLE001 - a driver error we did not foresee
        if show_error:
            st.error(t("error.store_driver", error=exc, db=_db_location()))
        return None


def _db_location() -> str:
    return state.db_location() or t("system.db_unparsable")


# --------------------------------------------------------------------------- sidebar
def sidebar(store: Store | None, locked: bool = False) -> None:
    """The language switch and the profile picker (``locked``: the login names the user)."""
    with st.sidebar:
        codes = list(LANGUAGES)
        st.radio(f"{ICON['language']} {t('sidebar.language')}", codes,
                 index=codes.index(state.lang()), horizontal=True, key="lang_pick",
                 on_change=_pick_lang, format_func=LANGUAGES.__getitem__)
        names = [graph.DEFAULT_USER]
        if store is not None:
            try:
                names = [u.name for u in store.users()] or [graph.DEFAULT_USER]
            except RoadmapError:
                pass
        me = state.user()
        if me not in names:  # ROADMAP_USER or a new session's pick: make the profile
            if store is not None:
                try:
                    store.add_user(me)
                except RoadmapError:
                    pass
            names.append(me)
        if locked:
            st.caption(f"{ICON['profile']} {me}")
            return
        st.selectbox(t("sidebar.profile"), names, index=names.index(me), key="user_pick",
                     on_change=_pick_user)
        if store is not None:
            _new_profile(store)


def _new_profile(store: Store) -> None:
    with st.expander(t("sidebar.new_profile")):
        with st.form("new_profile", clear_on_submit=True, border=False):
            name = st.text_input(t("sidebar.profile_name"),
                                 placeholder=t("sidebar.profile_example"),
                                 label_visibility="collapsed")
            if st.form_submit_button(t("common.add")) and name:
                try:
                    store.add_user(name.strip())
                    state.set_user(name.strip())
                    st.session_state.pop("user_pick", None)
                    st.rerun()
                except RoadmapError as exc:
                    st.error(str(exc))


def _pick_lang() -> None:
    state.set_lang(st.session_state["lang_pick"])


def _pick_user() -> None:
    state.set_user(st.session_state["user_pick"])


# --------------------------------------------------------------------------- nodes
def open_node(node_id: str) -> None:
    """Select ``node_id`` and go to the Node page."""
    state.select_node(node_id)
    page = state.PAGES.get("node")
    if page is not None:
        st.switch_page(page)
    else:
        st.query_params["node"] = node_id
        st.rerun()


def node_button(rm: Roadmap, node_id: str, key: str, label: str | None = None,
                icon: str | None = None) -> None:
    """A button that opens a node (its title in the chosen language unless ``label``)."""
    if st.button(label or node_title(rm, node_id), key=key, icon=icon):
        open_node(node_id)


def status_button(rm: Roadmap, recorded: dict[str, Any], node_id: str, key: str) -> None:
    """A button that opens a node, marked with the user's status of it."""
    node_button(rm, node_id, key=key, icon=STATUS_ICON[state.status_of(recorded, node_id)])


def node_picker(rm: Roadmap, label: str, key: str, ids: list[str] | None = None,
                where: Any = st, **kwargs: Any) -> str | None:
    """A select box of nodes shown as "Title (id)" (sorted by title unless ``ids``), in
    ``where`` (a column, the sidebar; the page by default); ``kwargs`` go to it."""
    shown = node_labels(rm, ids if ids is not None else rm.nodes)
    options = list(shown) if ids is not None else sorted(shown, key=shown.__getitem__)
    choice: str | None = where.selectbox(label, options, key=key,
                                         format_func=shown.__getitem__,
                                         **{"index": None, **kwargs})
    return choice


def node_labels(rm: Roadmap, ids: Iterable[str]) -> dict[str, str]:
    """"Title (id)" for each node, in the chosen language (worked out now, so a widget's
    format function does not depend on the session state when it is called)."""
    return {i: f"{node_title(rm, i)} ({i})" for i in ids}
