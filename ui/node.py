"""Node: what a node teaches, its prerequisites and unlocks, status, note and the lab card;
the lesson (Learn) and the exercise (Practice, in ``ui.practice``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

import graph
from graph import LabJob, LabRun, Node, Roadmap, RoadmapError, Store, unlocks
from ui import jobs, practice, runview, state, widgets
from ui.i18n import node_title, t
from ui.widgets import ICON

STATUS_ACTIONS = ("learning", "done", "skipped", "todo")  # the status buttons, in order
TABS = ("overview", "learn", "practice")  # the Node page's tabs, in order


def tab_label(name: str) -> str:
    """The label of one of the Node page's :data:`TABS` (its icon and its word)."""
    return f"{ICON['tab_' + name]} {t('node.tab_' + name)}"


def page() -> None:
    """The selected node (``?node=<id>`` or a pick), or a picker when none is selected.

    Under the header, three tabs: Overview (prerequisites, unlocks, resources, status,
    note, the lab card and its history), Learn (the lesson and the objectives) and
    Practice (the exercise). Only the open tab runs (its label is kept in
    ``st.session_state["node_tab"]``).
    """
    rm = widgets.roadmap()
    if rm is None:
        return
    store = widgets.store()
    wanted = state.selected_node()
    if not wanted:
        st.title(f"{ICON['node']} {t('page.node')}")
        st.info(t("node.none_selected"))
        _picker(rm)
        return
    try:
        node = rm.get(wanted)
    except RoadmapError:
        _unknown(rm, wanted)
        return
    state.shown_node_in_url(node.id)
    recorded = state.statuses(store)
    _header(rm, node, recorded)
    overview, learn, exercise = st.tabs([tab_label(n) for n in TABS], key="node_tab",
                                        on_change="rerun")
    if overview.open:
        with overview:
            _overview(rm, node, recorded)
            _status_controls(store, node, recorded)
            _lab_card(rm, store, node)
            _history(store, node)
    if learn.open:
        with learn:
            practice.learn(rm, node)
    if exercise.open:
        with exercise:
            practice.practice(rm, store, node)


# --------------------------------------------------------------------------- header
def _header(rm: Roadmap, node: Node, recorded: dict[str, Any]) -> None:
    lang = state.lang()
    sec = rm.section(node.section)
    status = state.status_of(recorded, node.id)
    st.title(f"{ICON['node']} {node.title_in(lang)}")
    facts = [f"`{node.id}`", sec.title_in(lang), t(f"level.{node.level}"),
             t("node.hours", hours=node.estimate_hours), widgets.status_label(status)]
    if state.verified(recorded, node.id):
        facts.append(f"{ICON['verified']} {t('status.verified')}")
    st.caption(" · ".join(facts))
    st.markdown(node.summary_in(lang))
    if node.tags:
        st.caption(f"{ICON['tags']} " + " · ".join(node.tags))


def _overview(rm: Roadmap, node: Node, recorded: dict[str, Any]) -> None:
    left, right = st.columns(2)
    with left:
        st.subheader(t("node.objectives"))
        for o in node.objectives:
            st.markdown(f"- {o}")
        st.subheader(t("node.resources"))
        for r in node.resources:
            st.markdown(f"- [{r.title}]({r.url}) · _{t(f'resource.{r.type}')}_")
    with right:
        st.subheader(t("node.prerequisites"))
        if not node.prerequisites:
            st.caption("—")
        missing = []
        for p in node.prerequisites:
            if state.status_of(recorded, p) not in ("done", "skipped"):
                missing.append(node_title(rm, p))
            widgets.status_button(rm, recorded, p, key=f"pre_{p}")
        if missing:
            st.warning(t("node.locked", missing=", ".join(missing)), icon=ICON["locked"])
        st.subheader(t("node.unlocks"))
        nxt = unlocks(rm, node.id)
        if not nxt:
            st.caption("—")
        for u in nxt:
            widgets.status_button(rm, recorded, u, key=f"unl_{u}")
        if node.related:
            st.caption(t("node.related", nodes=", ".join(node_title(rm, r)
                                                         for r in node.related)))


def _status_controls(store: Store | None, node: Node, recorded: dict[str, Any]) -> None:
    st.subheader(t("node.status"))
    if store is None:
        st.caption(t("node.cannot_save"))
        return
    who = state.user()
    cur = state.status_of(recorded, node.id)
    for col, status in zip(st.columns(len(STATUS_ACTIONS)), STATUS_ACTIONS, strict=True):
        if col.button(t(f"node.set_{status}"), key=f"st_{status}", disabled=cur == status,
                      icon=widgets.STATUS_ACTION_ICON[status], width="stretch"):
            try:
                store.set_status(who, node.id, status)
                st.toast(t("node.status_set", node=node.title_in(state.lang()),
                           status=t(f"status.{status}")), icon=widgets.STATUS_ICON[status])
                st.rerun()
            except RoadmapError as exc:
                st.error(str(exc))
    note_now = recorded[node.id].note if node.id in recorded else ""
    with st.form(f"note_{node.id}", border=False):
        note = st.text_area(t("node.note"), value=note_now, key=f"note_text_{node.id}",
                            height=80)
        if st.form_submit_button(t("node.save_note")):
            try:
                store.set_note(who, node.id, note)
                st.success(t("node.note_saved"), icon=ICON["saved"])
            except RoadmapError as exc:
                st.error(str(exc))


# --------------------------------------------------------------------------- lab
def _lab_card(rm: Roadmap, store: Store | None, node: Node) -> None:
    st.subheader(f"{ICON['lab']} {t('lab.title')}")
    if node.lab is None:
        st.caption(t("lab.none"))
        return
    path = rm.lab_path(node.id)
    if path is None or not path.is_file():
        st.warning(t("lab.script_missing", script=node.lab.script))
        return
    missing = graph.missing_requirements(rm, node.id)
    if missing:
        pkgs = " ".join(sorted({graph.pip_name(m) for m in missing}))
        st.warning(t("lab.needs_modules", modules=", ".join(missing)))
        st.code(f"pip install {pkgs}", language="bash")
    who = state.user()
    reg = jobs.registry()
    job = reg.get(who, node.id)
    running = job is not None and not job.done
    st.caption(t("lab.facts", script=node.lab.script, gpu=t(f"lab.gpu_{node.lab.gpu}"),
                 timeout=node.lab.timeout_s))
    c1, c2, c3, c4 = st.columns([1.2, 1.5, 1, 1], vertical_alignment="bottom")
    devices = ["cpu"] if node.lab.gpu == "no" else ["auto", "cpu", "cuda"]
    device = c1.selectbox(t("lab.device"), devices, key="lab_device", disabled=running)
    quick = c2.toggle(t("lab.quick"), value=True, key="lab_quick", disabled=running)
    if c3.button(t("lab.run"), key="lab_run", type="primary", icon=ICON["run"],
                 disabled=running or bool(missing)):
        reg.start(rm, who, node.id, device=device, quick=quick)
        st.rerun()
    if c4.button(t("lab.cancel"), key="lab_cancel", icon=ICON["cancel"],
                 disabled=not running):
        if job is not None:
            job.cancel()
        st.rerun()
    if job is not None:
        _live(job, node.id)
    else:
        last = _last_run(store, who, node.id)
        if last is not None:
            _show_result(last)


def _live(job: LabJob, node_id: str) -> None:
    """The live log while the job runs, then its result."""
    if job.done:
        _show_run(job.run)
        return
    runview.live(job, t("lab.running", node=node_id))


def _show_run(run: LabRun | None) -> None:
    if run is None:
        return
    runview.status_box(run.status, run.message, run.duration_s, run.tail or [])
    _result_details(run.result or {}, Path(run.log_path).parent if run.log_path else None)


def _result_details(result: dict[str, Any], run_dir: Path | None) -> None:
    checks = result.get("checks") or []
    if checks:
        passed = sum(1 for c in checks if c.get("passed"))
        st.markdown(f"**{t('lab.checks')}** ({passed}/{len(checks)})")
        st.dataframe([{t("lab.col_passed"): bool(c.get("passed")),
                       t("lab.col_check"): c.get("name"),
                       t("lab.col_expected"): _s(c.get("expected")),
                       t("lab.col_actual"): _s(c.get("actual")),
                       t("lab.col_tolerance"): _s(c.get("tolerance")),
                       t("lab.col_message"): c.get("message", "")}
                      for c in checks], hide_index=True, width="stretch")
    metrics = result.get("metrics") or []
    if metrics:
        st.markdown(f"**{t('lab.metrics')}**")
        st.dataframe([{t("lab.col_metric"): m.get("name"), t("lab.col_value"): m.get("value"),
                       t("lab.col_unit"): m.get("unit", "")} for m in metrics],
                     hide_index=True)
    images = [a for a in result.get("artifacts") or [] if a.get("kind") == "image"]
    if images and run_dir is not None:
        cols = st.columns(min(3, len(images)))
        for k, a in enumerate(images):
            p = Path(a.get("path", ""))
            p = p if p.is_absolute() else run_dir / p
            try:
                inside = p.resolve().is_relative_to(run_dir.resolve())
            except OSError:
                inside = False
            if inside and p.is_file():
                cols[k % len(cols)].image(str(p), caption=p.name)


def _s(v: Any) -> str:
    return "" if v is None else str(v)


def _last_run(store: Store | None, who: str, node_id: str) -> Any:
    if store is None:
        return None
    try:
        runs = store.runs(who, node_id)
    except RoadmapError:
        return None
    return runs[-1] if runs else None


def _show_result(r: Any) -> None:
    """The last recorded run of this node (from its folder on disk, when still there)."""
    run_dir, log, result = runview.run_files(r.log_path)
    st.caption(t("lab.last_run", when=f"{r.started_at:%Y-%m-%d %H:%M}"))
    msg = (t("lab.checks_passed", passed=r.checks_passed, total=r.checks_total)
           if r.checks_total is not None else "")
    runview.status_box(r.status, msg, r.duration_s, log)
    _result_details(result, run_dir)


def _history(store: Store | None, node: Node) -> None:
    st.subheader(f"{ICON['history']} {t('lab.history')}")
    if store is None:
        return
    try:
        runs = store.runs(state.user(), node.id)
    except RoadmapError as exc:
        st.error(str(exc))
        return
    if not runs:
        st.caption(t("lab.no_runs"))
        return
    st.dataframe([{t("lab.col_status"): t(f"run.{r.status}"),
                   t("lab.col_started"): f"{r.started_at:%Y-%m-%d %H:%M:%S}",
                   t("lab.col_duration"): r.duration_s,
                   t("lab.col_device"): r.device,
                   t("lab.col_quick"): r.quick,
                   t("lab.col_solution"): t(f"solution.{r.solution}"),
                   t("lab.col_checks"): (f"{r.checks_passed}/{r.checks_total}"
                                          if r.checks_total is not None else ""),
                   t("status.verified"): r.verified} for r in reversed(runs)],
                 hide_index=True, width="stretch")


# --------------------------------------------------------------------------- misc
def _picker(rm: Roadmap) -> None:
    choice = widgets.node_picker(rm, t("common.open_node"), key="node_pick")
    if choice:
        state.select_node(choice)
        st.rerun()


def _unknown(rm: Roadmap, wanted: str) -> None:
    st.title(f"{ICON['node']} {t('page.node')}")
    suggestions = rm.suggest(wanted)
    st.warning(t("node.unknown_suggest" if suggestions else "node.unknown", node=wanted))
    for s in suggestions:
        widgets.node_button(rm, s, key=f"sugg_{s}", label=f"{node_title(rm, s)} (`{s}`)")
    _picker(rm)
