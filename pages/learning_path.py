"""Learning path: what is left before a target, in order, and the next-up fringe."""

from __future__ import annotations

import streamlit as st

from graph import RoadmapError
from graph.progress import user_learning_path, user_next_up
from graph.queries import learning_path, next_up
from pages import common


def page() -> None:
    rm = common.get_roadmap()
    if rm is None:
        return
    store = common.get_store()
    lang = common.lang()
    st.title(f"🧭 {common.t('path')}")
    ids = sorted(rm.nodes, key=lambda i: common.title(rm, i))
    default = st.session_state.get("node")
    index = ids.index(default) if default in ids else None
    target = st.selectbox(common.t("target"), ids, index=index, key="path_target",
                          format_func=lambda i: f"{common.title(rm, i)} ({i})",
                          placeholder="…")
    try:
        if store is not None:
            fringe = user_next_up(rm, store, common.user())
            path = user_learning_path(rm, store, common.user(), target) if target else None
        else:
            fringe = next_up(rm)
            path = learning_path(rm, target) if target else None
    except RoadmapError as exc:
        st.error(str(exc))
        return
    recorded = common.statuses(store)
    if path is not None:
        if not path.steps:
            st.success("✅ " + ("Ya has terminado este objetivo." if lang == "es"
                                else "You have finished this target."))
        else:
            st.markdown(f"**{len(path.steps)} steps · {common.t('total')}: "
                        f"{path.hours:g} {common.t('hours')}**")
            for k, nid in enumerate(path.steps, 1):
                node = rm.nodes[nid]
                c1, c2, c3 = st.columns([0.5, 6, 1.5], vertical_alignment="center")
                c1.markdown(f"**{k}.**")
                with c2:
                    common.node_button(
                        rm, nid, key=f"path_{nid}",
                        label=f"{common.STATUS_ICON[common.status_of(recorded, nid)]} "
                              f"{node.title_in(lang)}")
                c3.markdown(f"{node.estimate_hours:g} h")
    st.subheader(f"⏭️ {common.t('next_up')}")
    st.caption("Nodes whose prerequisites are all done, the ones that unlock most first."
               if lang == "en" else
               "Nodos con todos sus requisitos hechos; primero los que más desbloquean.")
    for item in fringe[:20]:
        node = rm.nodes[item.node_id]
        c1, c2 = st.columns([6, 2], vertical_alignment="center")
        with c1:
            common.node_button(rm, item.node_id, key=f"next_{item.node_id}",
                               label=f"{common.STATUS_ICON[common.status_of(recorded, node.id)]}"
                                     f" {node.title_in(lang)}")
        c2.markdown(f"{item.hours:g} h · {common.t('unlocks').lower()} {item.unlocks}")
    if len(fringe) > 20:
        st.caption(f"… +{len(fringe) - 20}")


if __name__ == "__main__":  # Streamlit ran this file itself (pages/ folder mode)
    common.use_app_navigation()
