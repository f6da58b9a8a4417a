"""The app's shared state: cached roadmap, store and lab jobs, the current user and language.

Everything that touches ``st.cache_resource`` or ``st.session_state`` lives here, so the
pages stay plain functions that call the engine and draw. ``graph/`` never imports
streamlit.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from graph import NodeNotFound, RoadmapError, load_roadmap
from graph.errors import ProgressError
from graph.model import Node, Roadmap
from graph.progress import (
    DEFAULT_USER,
    Store,
    current_user,
    open_store,
    resolve_db_url,
    store_recorder,
)
from graph.runner import LabJob, start_lab

STATUS_ICON = {"todo": "⚪", "learning": "🟡", "done": "🟢", "skipped": "⏭️"}
RUN_ICON = {"pass": "✅", "fail": "❌", "error": "💥", "timeout": "⏱️", "cancelled": "🛑"}
PAGES: dict[str, Any] = {}  # filled by app.main(): name -> st.Page, for st.switch_page

# --------------------------------------------------------------------------- language
TEXT: dict[str, dict[str, str]] = {
    "roadmap": {"en": "Roadmap", "es": "Mapa"},
    "node": {"en": "Node", "es": "Nodo"},
    "path": {"en": "Learning path", "es": "Ruta de aprendizaje"},
    "progress": {"en": "My progress", "es": "Mi progreso"},
    "team": {"en": "Team", "es": "Equipo"},
    "system": {"en": "System", "es": "Sistema"},
    "language": {"en": "Language", "es": "Idioma"},
    "user": {"en": "Profile", "es": "Perfil"},
    "new_profile": {"en": "New profile", "es": "Nuevo perfil"},
    "add": {"en": "Add", "es": "Añadir"},
    "search": {"en": "Search title or tag", "es": "Buscar título o etiqueta"},
    "sections": {"en": "Sections", "es": "Secciones"},
    "statuses": {"en": "Statuses", "es": "Estados"},
    "open_node": {"en": "Open a node", "es": "Abrir un nodo"},
    "open": {"en": "Open", "es": "Abrir"},
    "matches": {"en": "matching nodes", "es": "nodos que coinciden"},
    "todo": {"en": "to do", "es": "pendiente"},
    "learning": {"en": "learning", "es": "aprendiendo"},
    "done": {"en": "done", "es": "hecho"},
    "skipped": {"en": "skipped", "es": "omitido"},
    "verified": {"en": "verified", "es": "verificado"},
    "hours": {"en": "hours", "es": "horas"},
    "objectives": {"en": "Objectives", "es": "Objetivos"},
    "prerequisites": {"en": "Prerequisites", "es": "Requisitos previos"},
    "unlocks": {"en": "Unlocks", "es": "Desbloquea"},
    "related": {"en": "Related", "es": "Relacionados"},
    "resources": {"en": "Resources", "es": "Recursos"},
    "status": {"en": "Status", "es": "Estado"},
    "note": {"en": "Note", "es": "Nota"},
    "save_note": {"en": "Save note", "es": "Guardar nota"},
    "lab": {"en": "Lab", "es": "Laboratorio"},
    "run_lab": {"en": "Run lab", "es": "Ejecutar laboratorio"},
    "cancel": {"en": "Cancel", "es": "Cancelar"},
    "quick": {"en": "Quick (CPU, seconds)", "es": "Rápido (CPU, segundos)"},
    "device": {"en": "Device", "es": "Dispositivo"},
    "history": {"en": "Run history", "es": "Historial de ejecuciones"},
    "checks": {"en": "Checks", "es": "Comprobaciones"},
    "metrics": {"en": "Metrics", "es": "Métricas"},
    "target": {"en": "Target", "es": "Objetivo"},
    "next_up": {"en": "Next up", "es": "Siguiente"},
    "total": {"en": "Total", "es": "Total"},
    "remaining": {"en": "Remaining", "es": "Pendiente"},
    "timeline": {"en": "Completions over time", "es": "Completados en el tiempo"},
    "export": {"en": "Export my progress", "es": "Exportar mi progreso"},
    "import": {"en": "Import progress", "es": "Importar progreso"},
    "no_node": {"en": "Pick a node on the Roadmap page or below.",
                "es": "Elige un nodo en la página Mapa o aquí abajo."},
}


def lang() -> str:
    """The chosen language code ("en" or "es")."""
    return st.session_state.get("lang", "en")


def t(key: str) -> str:
    """The UI text ``key`` in the chosen language."""
    entry = TEXT.get(key)
    return entry.get(lang(), entry["en"]) if entry else key


def status_label(status: str) -> str:
    """A status with its icon, translated."""
    return f"{STATUS_ICON.get(status, '')} {t(status)}"


# --------------------------------------------------------------------------- roadmap
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
    return load_roadmap(root)


def roadmap_dir() -> Path:
    """The roadmap folder (``ROADMAP_DIR`` overrides the bundled one)."""
    from graph import bundled_roadmap_dir

    return bundled_roadmap_dir()


def get_roadmap() -> Roadmap | None:
    """The loaded roadmap, or None after showing why it cannot be loaded."""
    root = roadmap_dir()
    try:
        return _load(str(root), _fingerprint(root))
    except RoadmapError as exc:
        st.error(f"The roadmap in `{root}` cannot be loaded:\n\n```\n{exc}\n```\n\n"
                 "Fix the files named above (or run `roadmap validate` to see the same "
                 "list), then reload this page.")
        return None


# --------------------------------------------------------------------------- store
def db_url() -> str:
    """The progress database URL in use."""
    return resolve_db_url(None)


def db_location() -> str:
    """The database URL with any password hidden."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(db_url()).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL: show nothing secret
        return "(unparsable ROADMAP_DB_URL)"


@st.cache_resource(show_spinner=False, max_entries=8)
def _open_store(url: str, root: str, stamp: float) -> Store:
    store = open_store(url, roadmap=_load(root, stamp))
    if not store.users():  # first run: a local profile to record progress under
        try:
            store.add_user(current_user(None))
        except ProgressError:
            pass
    return store


def get_store(show_error: bool = True) -> Store | None:
    """The progress store, or None after explaining why it cannot be opened."""
    root = roadmap_dir()
    try:
        return _open_store(db_url(), str(root), _fingerprint(root))
    except RoadmapError as exc:  # ProgressError is a RoadmapError too
        if show_error:
            st.error(
                f"**The progress database cannot be opened.**\n\n{exc}\n\n"
                f"Database: `{db_location()}`\n\n"
                "To fix it: check that the file or server exists and is writable, or point "
                "`ROADMAP_DB_URL` at another database (a SQLite file path or "
                "`postgresql://user@host/db`) and restart the app. Unset `ROADMAP_DB_URL` "
                "to use the default SQLite file in your data folder.")
        return None
    except Exception as exc:  # noqa: BLE001 - a driver error we did not foresee
        if show_error:
            st.error(f"**The progress database cannot be opened:** {exc}\n\n"
                     f"Database: `{db_location()}`. Check `ROADMAP_DB_URL`.")
        return None


# --------------------------------------------------------------------------- user
def user() -> str:
    """The current profile name."""
    if "user" not in st.session_state:
        st.session_state["user"] = current_user(None)
    return st.session_state["user"]


def statuses(store: Store | None) -> dict[str, Any]:
    """The current user's recorded statuses (empty without a store or on a store error)."""
    if store is None:
        return {}
    try:
        return store.statuses(user())
    except (RoadmapError, NodeNotFound):
        return {}


def status_of(recorded: dict[str, Any], node_id: str) -> str:
    """``todo`` unless something is recorded."""
    s = recorded.get(node_id)
    return s.status if s is not None else "todo"


def sidebar(store: Store | None, locked: bool = False) -> None:
    """The language switch and the profile picker (``locked``: the login names the user)."""
    with st.sidebar:
        codes = ["en", "es"]
        st.radio(t("language"), codes, index=codes.index(lang()), horizontal=True,
                 key="lang_pick", on_change=_pick_lang,
                 format_func={"en": "🇬🇧 English", "es": "🇪🇸 Español"}.get)
        names = [DEFAULT_USER]
        if store is not None:
            try:
                names = [u.name for u in store.users()] or [DEFAULT_USER]
            except RoadmapError:
                pass
        me = user()
        if me not in names:  # ROADMAP_USER or a new session's pick: make the profile
            if store is not None:
                try:
                    store.add_user(me)
                except RoadmapError:
                    pass
            names.append(me)
        if locked:
            st.caption(f"👤 {me}")
            return
        st.selectbox(t("user"), names, index=names.index(me), key="user_pick",
                     on_change=_pick_user)
        if store is not None:
            with st.expander(t("new_profile")):
                with st.form("new_profile", clear_on_submit=True, border=False):
                    name = st.text_input("name", placeholder="ana", label_visibility="collapsed")
                    if st.form_submit_button(t("add")) and name:
                        try:
                            store.add_user(name.strip())
                            st.session_state["user"] = name.strip()
                            st.session_state.pop("user_pick", None)
                            st.rerun()
                        except RoadmapError as exc:
                            st.error(str(exc))


def _pick_lang() -> None:
    st.session_state["lang"] = st.session_state["lang_pick"]


def _pick_user() -> None:
    st.session_state["user"] = st.session_state["user_pick"]


# --------------------------------------------------------------------------- navigation
def open_node(node_id: str) -> None:
    """Select ``node_id`` and go to the Node page."""
    st.session_state["node"] = node_id
    page = PAGES.get("node")
    if page is not None:
        st.switch_page(page)
    else:
        st.query_params["node"] = node_id
        st.rerun()


def node_button(rm: Roadmap, node_id: str, key: str, label: str | None = None) -> None:
    """A button that opens a node."""
    node = rm.nodes.get(node_id)
    text = label or (node.title_in(lang()) if node else node_id)
    if st.button(text, key=key):
        open_node(node_id)


def title(rm: Roadmap, node_id: str) -> str:
    """A node's title in the chosen language (the id when unknown)."""
    node = rm.nodes.get(node_id)
    return node.title_in(lang()) if node else node_id


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


# --------------------------------------------------------------------------- lab jobs
class JobRegistry:
    """Running and finished lab jobs by (user, node), shared by every session of the app."""

    def __init__(self) -> None:
        self.jobs: dict[tuple[str, str], LabJob] = {}
        self.lock = threading.Lock()

    def get(self, who: str, node_id: str) -> LabJob | None:
        with self.lock:
            return self.jobs.get((who, node_id))

    def start(self, rm: Roadmap, who: str, node_id: str, *, device: str, quick: bool,
              recorder: Callable[[Any], None] | None = None) -> LabJob:
        with self.lock:
            job = self.jobs.get((who, node_id))
            if job is not None and not job.done:
                return job  # one run of a node per user at a time
            job = start_lab(rm, node_id, device=device, quick=quick, user=who,
                            recorder=recorder or _recorder())
            self.jobs[(who, node_id)] = job
            return job

    def forget(self, who: str, node_id: str) -> None:
        with self.lock:
            job = self.jobs.get((who, node_id))
            if job is not None and job.done:
                del self.jobs[(who, node_id)]

    def running(self) -> list[LabJob]:
        with self.lock:
            return [j for j in self.jobs.values() if not j.done]


def _recorder() -> Callable[[Any], None]:
    """Record runs in the progress store (falls back to the JSON-lines history)."""
    return store_recorder(db_url())


@st.cache_resource(show_spinner=False)
def jobs() -> JobRegistry:
    """The app-wide registry of lab jobs (survives reruns, page switches and new tabs)."""
    return JobRegistry()


# --------------------------------------------------------------------------- pages/ folder
def use_app_navigation() -> None:
    """Hand over to ``app.py``'s ``st.navigation`` when Streamlit ran a page file by itself.

    A ``pages/`` folder beside the main script makes Streamlit start in its older
    folder-of-pages mode until ``st.navigation`` runs once in the process, so the very first
    visit to ``/roadmap`` or ``/node`` after a start runs ``pages/<name>.py`` as a script.
    Each page file calls this at its end in that case: switch the mode off and rerun,
    which runs ``app.py`` and shows the same page through the app's navigation.
    """
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()
