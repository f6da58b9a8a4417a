"""My progress: per-section bars with what remains and the evidence of each node (verified,
stale, claimed ... with retention and the next review), a timeline, export/import."""

from __future__ import annotations

import json

import streamlit as st

import graph
from graph import NodeEvidence, Roadmap, RoadmapError, Store
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
        ledger = graph.user_ledger(rm, store, who)
    except RoadmapError as exc:
        st.error(str(exc))
        return
    evidence = {e.section: e for e in graph.section_evidence(rm, ledger)}
    total = sum(s.total for s in sections)
    finished = sum(s.finished for s in sections)
    c1, c2, c3 = st.columns(3)
    c1.metric(t("progress.finished"), f"{finished}/{total}",
              f"{(finished / total if total else 1):.0%}", delta_color="off")
    c2.metric(t("status.learning"), sum(s.learning for s in sections))
    c3.metric(f"{ICON['verified']} {t('progress.verified')}", len(verified))
    counts = {w: sum(1 for e in ledger.values() if e.evidence == w) for w in graph.EVIDENCE}
    st.caption(" · ".join(f"{t(f'evidence.{w}')} {counts[w]}" for w in graph.EVIDENCE
                          if w != "none") + " · " + t("progress.evidence_help"))
    for s in sections:
        ev = evidence[s.section]
        st.progress(s.fraction, text=t("progress.section", section=rm.section(s.section)
                                       .title_in(lang), finished=s.finished, total=s.total,
                                       fraction=s.fraction, verified=ev.fraction("verified"),
                                       claimed=ev.fraction("claimed")))
        if s.remaining:
            with st.expander(t("progress.remaining", n=len(s.remaining))):
                st.markdown("\n".join(
                    f"- {node_title(rm, n)} (`{n}`, "
                    f"{t('node.hours', hours=rm.nodes[n].estimate_hours)})"
                    for n in s.remaining))
    _evidence_table(rm, ledger)
    st.subheader(t("common.timeline"))
    if timeline:
        st.plotly_chart(charts.timeline_figure(timeline, 280, t("status.done")),
                        key="progress_timeline")
    else:
        st.caption(t("progress.nothing_yet"))
    _export_import(store, who)


def _evidence_table(rm: Roadmap, ledger: dict[str, NodeEvidence]) -> None:
    """Every node with a status or some evidence: evidence, retention, next review."""
    st.subheader(f"{ICON['verified']} {t('progress.evidence')}")
    shown = [e for e in ledger.values() if e.evidence != "none" or e.status != "todo"]
    if not shown:
        st.caption(t("progress.no_evidence"))
        return
    col_ret = t("progress.col_retention")
    st.dataframe(
        [{t("progress.col_node"): node_title(rm, e.node),
          t("progress.col_status"): t(f"status.{e.status}"),
          t("progress.col_evidence"): t(f"evidence.{e.evidence}"),
          col_ret: e.retention,
          t("progress.col_due"): _next(e)} for e in shown],
        hide_index=True, width="stretch",
        column_config={col_ret: st.column_config.ProgressColumn(
            col_ret, min_value=0.0, max_value=1.0, format="%.2f")})


def _next(e: NodeEvidence) -> str:
    if e.evidence == "invalidated":
        return t("progress.recheck")
    if e.evidence == "inferred":
        return t("progress.via", nodes=", ".join(e.via))
    if e.due is None:
        return ""
    return t("progress.due_on" if e.evidence == "verified" else "progress.due_since",
             date=f"{e.due:%Y-%m-%d}")


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
