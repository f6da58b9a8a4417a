"""Roadmap Lab app (minimal): the roadmap listed by section."""

import streamlit as st

from graph import RoadmapError, load_roadmap


def main() -> None:
    st.set_page_config(page_title="Roadmap Lab", page_icon="🧭", layout="wide")
    st.title("Roadmap Lab")
    try:
        rm = load_roadmap()
    except RoadmapError as exc:
        st.error(f"The roadmap is invalid:\n\n{exc}")
        return
    for s in rm.sections:
        st.subheader(f"{s.order}. {s.title}")
        for n in rm.in_section(s.id):
            st.markdown(f"- **{n.title}** (`{n.id}`, {n.level}, {n.estimate_hours:g} h)")


main()
