"""My progress: per-section bars with what remains, a timeline, verified labs, export/import."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import streamlit as st

from graph import RoadmapError
from graph.progress import completions_over_time, section_progress
from pages import common


def page() -> None:
    rm = common.get_roadmap()
    if rm is None:
        return
    st.title(f"📈 {common.t('progress')}")
    store = common.get_store()
    if store is None:
        return
    who, lang = common.user(), common.lang()
    try:
        sections = section_progress(rm, store, who)
        timeline = completions_over_time(store, user=who, roadmap=rm)
        verified = store.verified(who) & set(rm.nodes)
    except RoadmapError as exc:
        st.error(str(exc))
        return
    total = sum(s.total for s in sections)
    finished = sum(s.finished for s in sections)
    c1, c2, c3 = st.columns(3)
    c1.metric(common.t("done") + " + " + common.t("skipped"), f"{finished}/{total}",
              f"{(finished / total if total else 1):.0%}", delta_color="off")
    c2.metric(common.t("learning"), sum(s.learning for s in sections))
    c3.metric("⭐ " + ("Verificados con laboratorio" if lang == "es" else "Verified by lab"),
              len(verified))
    for s in sections:
        title = rm.section(s.section).title_in(lang)
        st.progress(s.fraction, text=f"**{title}** — {s.finished}/{s.total}"
                                      f" ({s.fraction:.0%}) · ⭐ {s.verified}")
        if s.remaining:
            with st.expander(f"{common.t('remaining')}: {len(s.remaining)}"):
                st.markdown("\n".join(
                    f"- {common.title(rm, n)} (`{n}`, {rm.nodes[n].estimate_hours:g} h)"
                    for n in s.remaining))
    st.subheader(common.t("timeline"))
    if timeline:
        fig = go.Figure(go.Scatter(x=_days(timeline), y=[0] + [p.cumulative for p in timeline],
                                   mode="lines+markers", line_shape="hv",
                                   hovertemplate="%{x}: %{y}<extra></extra>"))
        fig.update_layout(height=280, xaxis={"type": "date", "tickformat": "%Y-%m-%d"},
                          margin={"l": 10, "r": 10, "t": 10, "b": 10},
                          yaxis_title=common.t("done"))
        st.plotly_chart(fig, key="progress_timeline")
    else:
        st.caption("Nothing finished yet." if lang == "en" else "Nada terminado todavía.")
    _export_import(store, who)


def _export_import(store, who: str) -> None:  # type: ignore[no-untyped-def]
    c1, c2 = st.columns(2)
    with c1:
        st.subheader("⬇️ " + common.t("export"))
        try:
            doc = json.dumps(store.export_user(who), indent=2, sort_keys=True,
                             ensure_ascii=False, default=str) + "\n"
        except RoadmapError as exc:
            st.error(str(exc))
        else:
            st.download_button(f"{who}-progress.json", doc, file_name=f"{who}-progress.json",
                               mime="application/json", key="export_btn")
    with c2:
        st.subheader("⬆️ " + common.t("import"))
        up = st.file_uploader("JSON", type=["json"], key="import_file")
        pasted = st.text_area("… or paste JSON", key="import_text", height=100)
        allow = st.checkbox("Keep progress on unknown nodes aside", key="import_unknown")
        if st.button(common.t("import"), key="import_btn", disabled=not (up or pasted)):
            raw = up.getvalue().decode("utf-8", "replace") if up else pasted
            source = up.name if up else "pasted JSON"
            try:
                data = json.loads(raw)
            except ValueError as exc:
                st.error(f"{source} is not JSON: {exc}. Nothing was imported.")
                return
            try:
                rep = store.import_user(data, user=who, allow_unknown=allow, source=source)
            except RoadmapError as exc:
                st.error(str(exc))
                return
            st.success(f"Imported into {rep.user}: {rep.statuses} statuses, {rep.events} "
                       f"events, {rep.lab_runs} lab runs ({rep.duplicates} already there)."
                       + (f" Kept aside: {', '.join(rep.unknown)}." if rep.unknown else ""))


if __name__ == "__main__":  # Streamlit ran this file itself (pages/ folder mode)
    common.use_app_navigation()


def _days(timeline: list) -> list:  # type: ignore[type-arg]
    """The days of a timeline, starting from zero the day before the first one."""
    import datetime as dt

    return [timeline[0].day - dt.timedelta(days=1)] + [p.day for p in timeline]
