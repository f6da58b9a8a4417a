"""Roadmap Lab: browse the roadmap graph, run labs, track your and your team's progress.

$ streamlit run app.py      (or `roadmap app`, or `make run`)
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import (
    auth,
    learning_path,
    node,
    progress,
    review,
    roadmap,
    state,
    system,
    team,
    widgets,
)
from ui.i18n import t
from ui.widgets import ICON

# a local file: a Material page icon would make the browser fetch the favicon from Google
FAVICON = Path(__file__).resolve().parent / "ui" / "favicon.svg"
PAGE_FUNCTIONS = (  # url path (also the key of its title, page.<path>), page function
    ("roadmap", roadmap.page),
    ("node", node.page),
    ("path", learning_path.page),
    ("progress", progress.page),
    ("review", review.page),
    ("team", team.page),
    ("system", system.page),
)


def main(start: str = "roadmap") -> None:
    """Build the sidebar and the navigation; ``start`` picks the default page (for tests)."""
    st.set_page_config(page_title=t("app.title"), page_icon=str(FAVICON), layout="wide")
    state.PAGES.clear()
    state.PAGES.update({path: st.Page(fn, title=t(f"page.{path}"), icon=ICON[path],
                                      url_path=path, default=path == start)
                        for path, fn in PAGE_FUNCTIONS})
    state.node_from_url()
    if not auth.signed_in():
        return
    widgets.sidebar(widgets.store(show_error=False), locked=auth.configured())
    st.navigation(list(state.PAGES.values())).run()


if __name__ == "__main__":
    main()
