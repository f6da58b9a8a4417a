"""Session state and the app's shared resources.

The language, the profile and the selected node live in ``st.session_state`` (so AppTest
can set them); the roadmap and the progress store are cached with ``st.cache_resource``
(so the engine never imports streamlit), and so is the roadmap's layout, by the hash of
what it depends on. Nothing here draws or holds visible text:
``ui.widgets`` explains a roadmap or a store that cannot be opened.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

import graph
from graph import ProgressError, Roadmap, RoadmapError, Store

if TYPE_CHECKING:  # the layout is imported when the Roadmap page first asks for one
    from graph import Layout

LANGS = ("en", "es")
PAGES: dict[str, Any] = {}  # url path -> st.Page, filled by app.main() (for st.switch_page)


# --------------------------------------------------------------------------- session
def lang() -> str:
    """The chosen language code (one of ``LANGS``; English until one is chosen)."""
    code = st.session_state.get("lang", "en")
    return code if code in LANGS else "en"


def set_lang(code: str) -> None:
    """Choose the language (an unknown code is ignored)."""
    if code in LANGS:
        st.session_state["lang"] = code


def user() -> str:
    """The current profile (``ROADMAP_USER`` or the local profile until one is picked)."""
    if "user" not in st.session_state:
        st.session_state["user"] = graph.current_user(None)
    return str(st.session_state["user"])


def set_user(name: str) -> None:
    """Make ``name`` the current profile."""
    st.session_state["user"] = name


def selected_node() -> str | None:
    """The node the Node page shows (None before one is picked)."""
    return st.session_state.get("node") or None


def select_node(node_id: str) -> None:
    """Select a node for the Node page (and the Learning path's default target)."""
    st.session_state["node"] = node_id


def node_from_url() -> None:
    """``?node=<id>`` in the URL selects that node, once per id (later picks win)."""
    wanted = st.query_params.get("node")
    if wanted and wanted != st.session_state.get("_node_from_url"):
        st.session_state["_node_from_url"] = wanted
        select_node(wanted)


def shown_node_in_url(node_id: str) -> None:
    """Keep ``?node=`` equal to the node on screen (a reload or a shared link shows it)."""
    if st.query_params.get("node") != node_id:
        st.query_params["node"] = node_id
    st.session_state["_node_from_url"] = node_id


# --------------------------------------------------------------------------- roadmap
def roadmap_dir() -> Path:
    """The roadmap folder (``ROADMAP_DIR`` overrides the bundled one)."""
    return graph.bundled_roadmap_dir()


def _fingerprint(root: Path) -> float:
    """The newest mtime under the roadmap folder: an edited YAML reloads the roadmap."""
    newest = 0.0
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            if f.endswith((".yaml", ".yml")):
                try:
                    newest = max(newest, os.stat(os.path.join(dirpath, f)).st_mtime)
                except OSError:
                    pass
    return newest


@st.cache_resource(show_spinner=False, max_entries=4)
def _load(root: str, stamp: float) -> Roadmap:
    return graph.load_roadmap(root)


def roadmap() -> Roadmap:
    """The loaded roadmap, cached until a YAML file changes; raises ``RoadmapError``."""
    root = roadmap_dir()
    return _load(str(root), _fingerprint(root))


@st.cache_resource(show_spinner=False, max_entries=16)
def _layout(key: str, lang: str, _rm: Roadmap) -> Layout:
    return graph.layered_layout(_rm, lang)


def layout(rm: Roadmap, lang: str) -> Layout:
    """The layered layout of ``rm`` with titles in ``lang``, computed once per content hash
    (an edited title or prerequisite gets a new one; a rerun or a reload reuses it)."""
    return _layout(graph.content_hash(rm, lang), lang, rm)


# --------------------------------------------------------------------------- store
def db_url() -> str:
    """The progress database URL in use."""
    return graph.resolve_db_url(None)


def db_location() -> str | None:
    """The database URL with any password hidden (None when it cannot be parsed)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(db_url()).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL: show nothing of it
        return None


@st.cache_resource(show_spinner=False, max_entries=8)
def _open_store(url: str, root: str, stamp: float) -> Store:
    store = graph.open_store(url, roadmap=_load(root, stamp))
    if not store.users():  # first run: a local profile to record progress under
        try:
            store.add_user(graph.current_user(None))
        except ProgressError:
            pass
    return store


def store() -> Store:
    """The progress store, cached per database URL; raises when it cannot be opened."""
    root = roadmap_dir()
    return _open_store(db_url(), str(root), _fingerprint(root))


def statuses(store: Store | None) -> dict[str, Any]:
    """The current user's recorded statuses (empty without a store or on a store error)."""
    if store is None:
        return {}
    try:
        return store.statuses(user())
    except RoadmapError:  # NodeNotFound and ProgressError are RoadmapErrors
        return {}


def status_of(recorded: dict[str, Any], node_id: str) -> str:
    """``todo`` unless something is recorded."""
    s = recorded.get(node_id)
    return s.status if s is not None else "todo"


def verified(recorded: dict[str, Any], node_id: str) -> bool:
    """Whether the user's own solution passed this node's lab."""
    s = recorded.get(node_id)
    return bool(s is not None and s.verified)
