"""A demo of the graph component on the bundled roadmap (for the e2e tests and screenshots).

$ streamlit run tests/e2e/graph_view_app.py

A few nodes get each status (and two are verified) so that every mark shows; the search
box, the target and the language drive the component's inputs; the id of the last node
clicked (or Enter'ed) is shown under the graph.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from graph import cached_layout, learning_path, load_roadmap  # noqa: E402
from ui.components.graph_view import graph_view, roadmap_infos  # noqa: E402

STATUSES = {"calculus": "done", "linear-algebra": "done", "probability-statistics": "done",
            "python-advanced": "done", "perceptron-mlp": "learning",
            "pytorch-fundamentals": "learning", "agile-delivery": "skipped"}
VERIFIED = {"calculus", "linear-algebra"}


@st.cache_resource
def roadmap():  # type: ignore[no-untyped-def]
    return load_roadmap()


def main() -> None:
    st.set_page_config(page_title="Graph view", layout="wide")
    rm = roadmap()
    c1, c2, c3 = st.columns([2, 2, 1])
    query = c1.text_input("Search", key="q").strip().lower()
    target = c2.selectbox("Target", [""] + sorted(rm.nodes), key="target")
    lang = c3.radio("Language", ["en", "es"], horizontal=True, key="lang")
    nodes, sections = roadmap_infos(rm, lang, STATUSES, VERIFIED)
    matches = ({n for n, info in nodes.items() if query in info.title.lower()}
               if query else None)
    done = {n for n, s in STATUSES.items() if s in ("done", "skipped")}
    path = learning_path(rm, target, done).steps if target else []
    picked = graph_view(cached_layout(rm, lang), nodes, sections, matches=matches, path=path,
                        target=target or None, key="demo_graph")
    if picked:
        st.session_state["clicked"] = picked
    st.text(f"clicked: {st.session_state.get('clicked', '-')}")


main()
