"""My progress: per-section bars with what remains, a timeline, verified labs, export/import."""

from __future__ import annotations

import json

import streamlit as st

import graph
from graph import RoadmapError, Store
from ui import charts, state, widgets
from ui.i18n import node_title, t
from ui.widgets import ICON


def page() -> None:
    """The current profile's progress, and its export and import as JSON."""
    rm = widgets.roadmap()
    if rm is None:
        return
    st.title(f"{ICON['progress']} {t('page.progress')}")
    store = widgets.store()
    if store is None:
        return
    who, lang = state.user(), state.lang()
    try:
        sections = graph.section_progress(rm, store, who)
        timeline = graph.completions_over_time(store, user=who, roadmap=rm)
        verified = store.verified(who) & set(rm.nodes)
    except RoadmapError as exc:
        st.error(str(exc))
        return
    total = sum(s.total for s in sections)
    finished = sum(s.finished for s in sections)
    c1, c2, c3 = st.columns(3)
    c1.metric(t("progress.finished"), f"{finished}/{total}",
              f"{(finished / total if total else 1):.0%}", delta_color="off")
    c2.metric(t("status.learning"), sum(s.learning for s in sections))
    c3.metric(f"{ICON['verified']} {t('progress.verified')}", len(verified))
    for s in sections:
        st.progress(s.fraction, text=t("progress.section", section=rm.section(s.section)
                                       .title_in(lang), finished=s.finished, total=s.total,
                                       fraction=s.fraction, verified=s.verified))
        if s.remaining:
            with st.expander(t("progress.remaining", n=len(s.remaining))):
                st.markdown("\n".join(
                    f"- {node_title(rm, n)} (`{n}`, "
                    f"{t('node.hours', hours=rm.nodes[n].estimate_hours)})"
                    for n in s.remaining))
    st.subheader(t("common.timeline"))
    if timeline:
        st.plotly_chart(charts.timeline_figure(timeline, 280, t("status.done")),
                        key="progress_timeline")
    else:
        st.caption(t("progress.nothing_yet"))
    _export_import(store, who)


def _export_import(store: Store, who: str) -> None:
    c1, c2 = st.columns(2)
    with c1:
        st.subheader(f"{ICON['export']} {t('progress.export')}")
        try:
            doc = json.dumps(store.export_user(who), indent=2, sort_keys=True,
                             ensure_ascii=False, default=str) + "\n"
        except RoadmapError as exc:
            st.error(str(exc))
        else:
            st.download_button(t("progress.export_file", user=who), doc,
                               file_name=f"{who}-progress.json", mime="application/json",
                               key="export_btn", icon=ICON["export"])
    with c2:
        st.subheader(f"{ICON['import']} {t('progress.import')}")
        up = st.file_uploader(t("progress.import_file"), type=["json"], key="import_file")
        pasted = st.text_area(t("progress.import_paste"), key="import_text", height=100)
        allow = st.checkbox(t("progress.import_unknown"), key="import_unknown")
        if st.button(t("progress.import"), key="import_btn", icon=ICON["import"],
                     disabled=not (up or pasted)):
            raw = up.getvalue().decode("utf-8", "replace") if up else pasted
            source = up.name if up else t("progress.pasted")
            try:
                data = json.loads(raw)
            except ValueError as exc:
                st.error(t("progress.not_json", source=source, error=exc))
                return
            try:
                rep = store.import_user(data, user=who, allow_unknown=allow, source=source)
            except RoadmapError as exc:
                st.error(t("progress.import_failed", error=exc))
                return
            st.success(t("progress.imported", user=rep.user, statuses=rep.statuses,
                         events=rep.events, runs=rep.lab_runs, duplicates=rep.duplicates)
                       + (t("progress.kept_aside", nodes=", ".join(rep.unknown))
                          if rep.unknown else ""))
