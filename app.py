"""Roadmap Lab: browse the roadmap graph, run labs, track your and your team's progress.

$ streamlit run app.py      (or `roadmap app`, or `make run`)
"""

from __future__ import annotations

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
    store = common.get_store(show_error=False)
    common.sidebar(store)
    st.navigation(list(pages.values())).run()


if __name__ == "__main__":
    main()
