"""Roadmap Lab: browse the roadmap graph, run labs, track your and your team's progress.

$ streamlit run app.py      (or `roadmap app`, or `make run`)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `pages` and `graph` from here

from pages import common, learning_path, node, progress, roadmap, system, team  # noqa: E402


def main(start: str = "roadmap") -> None:
    """Build the sidebar and the navigation; ``start`` picks the default page (for tests)."""
    st.set_page_config(page_title="Roadmap Lab", page_icon="🧭", layout="wide")
    t = common.t
    specs = [
        ("roadmap", roadmap.page, "🗺️"),
        ("node", node.page, "📍"),
        ("path", learning_path.page, "🧭"),
        ("progress", progress.page, "📈"),
        ("team", team.page, "👥"),
        ("system", system.page, "🖥️"),
    ]
    pages = {name: st.Page(fn, title=t(name), icon=icon, url_path=name,
                           default=(name == start)) for name, fn, icon in specs}
    common.PAGES.clear()
    common.PAGES.update(pages)
    wanted = st.query_params.get("node")  # ?node=<id> opens that node
    if wanted and wanted != st.session_state.get("_node_from_url"):
        st.session_state["_node_from_url"] = wanted
        st.session_state["node"] = wanted
    if not _signed_in():
        return
    store = common.get_store(show_error=False)
    common.sidebar(store, locked=_auth_configured())
    st.navigation(list(pages.values())).run()


def _auth_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section (OIDC login for a team)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all: a local, single-user app
        return False


def _signed_in() -> bool:
    """With [auth] configured, ask for a login and use the e-mail as the profile."""
    if not _auth_configured():
        return True
    if not st.user.get("is_logged_in", False):
        st.title("🧭 Roadmap Lab")
        st.button("Log in", on_click=st.login, type="primary")
        return False
    name = re.sub(r"[^A-Za-z0-9._@-]", "-", str(st.user.get("email") or st.user.get("sub")))
    st.session_state["user"] = name.lstrip("._@-")[:64] or "user"
    st.sidebar.button("Log out", on_click=st.logout)
    return True


if __name__ == "__main__":
    main()
