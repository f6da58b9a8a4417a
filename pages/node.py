"""Node: what a node teaches, its prerequisites and unlocks, status, note and the lab card."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import streamlit as st

from graph import RoadmapError, unlocks
from graph.model import Node, Roadmap
from graph.progress import Store
from graph.runner import LabJob, LabRun, missing_requirements, pip_name
from pages import common

LOG_LINES = 300  # lines shown in the live log (the log file has everything)


def page() -> None:
    rm = common.get_roadmap()
    if rm is None:
        return
    store = common.get_store()
    wanted = st.session_state.get("node")
    if not wanted:
        st.title(f"📍 {common.t('node')}")
        st.info(common.t("no_node"))
        _picker(rm)
        return
    try:
        node = rm.get(wanted)
    except RoadmapError:
        _unknown(rm, wanted)
        return
    if st.query_params.get("node") != node.id:
        st.query_params["node"] = node.id
    st.session_state["_node_from_url"] = node.id
    recorded = common.statuses(store)
    _header(rm, node, recorded)
    _status_controls(store, node, recorded)
    _lab_card(rm, store, node)
    _history(store, node)


# --------------------------------------------------------------------------- header
def _header(rm: Roadmap, node: Node, recorded: dict[str, Any]) -> None:
    lang = common.lang()
    sec = rm.section(node.section)
    status = common.status_of(recorded, node.id)
    verified = bool(recorded.get(node.id) and recorded[node.id].verified)
    st.title(f"📍 {node.title_in(lang)}")
    st.caption(f"`{node.id}` · {sec.title_in(lang)} · {node.level} · "
               f"{node.estimate_hours:g} h · {common.status_label(status)}"
               + (f" · ⭐ {common.t('verified')}" if verified else ""))
    st.markdown(node.summary_in(lang))
    if node.tags:
        st.caption("🏷️ " + " · ".join(node.tags))
    left, right = st.columns(2)
    with left:
        st.subheader(common.t("objectives"))
        for o in node.objectives:
            st.markdown(f"- {o}")
        st.subheader(common.t("resources"))
        for r in node.resources:
            st.markdown(f"- [{r.title}]({r.url}) · _{r.type}_")
    with right:
        st.subheader(common.t("prerequisites"))
        if not node.prerequisites:
            st.caption("—")
        missing = []
        for p in node.prerequisites:
            ps = common.status_of(recorded, p)
            if ps not in ("done", "skipped"):
                missing.append(common.title(rm, p))
            common.node_button(rm, p, key=f"pre_{p}",
                               label=f"{common.STATUS_ICON[ps]} {common.title(rm, p)}")
        if missing:
            st.warning(("🔒 Bloqueado porque te falta: " if lang == "es"
                        else "🔒 Locked because you have not done: ") + ", ".join(missing)
                       + (". Puedes empezar igualmente." if lang == "es"
                          else ". You can still start it."))
        st.subheader(common.t("unlocks"))
        nxt = unlocks(rm, node.id)
        if not nxt:
            st.caption("—")
        for u in nxt:
            common.node_button(rm, u, key=f"unl_{u}",
                               label=f"{common.STATUS_ICON[common.status_of(recorded, u)]} "
                                     f"{common.title(rm, u)}")
        if node.related:
            st.caption(common.t("related") + ": " + ", ".join(
                common.title(rm, r) for r in node.related))


def _status_controls(store: Store | None, node: Node, recorded: dict[str, Any]) -> None:
    st.subheader(common.t("status"))
    if store is None:
        st.caption("Progress cannot be saved: the database is not available (see above).")
        return
    who = common.user()
    cur = common.status_of(recorded, node.id)
    cols = st.columns(4)
    for col, (status, label) in zip(cols, [("learning", "📖 learning"), ("done", "✅ done"),
                                           ("skipped", "⏭️ skip"), ("todo", "↩️ reset")],
                                    strict=True):
        text = label if common.lang() == "en" else {
            "learning": "📖 aprendiendo", "done": "✅ hecho", "skipped": "⏭️ omitir",
            "todo": "↩️ reiniciar"}[status]
        if col.button(text, key=f"st_{status}", disabled=cur == status,
                      width="stretch"):
            try:
                store.set_status(who, node.id, status)
                st.toast(f"{node.title_in(common.lang())} → {common.t(status)}")
                st.rerun()
            except RoadmapError as exc:
                st.error(str(exc))
    note_now = recorded[node.id].note if node.id in recorded else ""
    with st.form(f"note_{node.id}", border=False):
        note = st.text_area(common.t("note"), value=note_now, key=f"note_text_{node.id}",
                            height=80)
        if st.form_submit_button(common.t("save_note")):
            try:
                store.set_note(who, node.id, note)
                st.success("✓ " + common.t("save_note"))
            except RoadmapError as exc:
                st.error(str(exc))


# --------------------------------------------------------------------------- lab
def _lab_card(rm: Roadmap, store: Store | None, node: Node) -> None:
    st.subheader(f"🧪 {common.t('lab')}")
    if node.lab is None:
        st.caption("This node has no lab.")
        return
    path = rm.lab_path(node.id)
    if path is None or not path.is_file():
        st.warning(f"The lab script `{node.lab.script}` is missing.")
        return
    missing = missing_requirements(rm, node.id)
    if missing:
        pkgs = " ".join(sorted({pip_name(m) for m in missing}))
        st.warning(f"This lab needs modules that are not installed: {', '.join(missing)}.")
        st.code(f"pip install {pkgs}", language="bash")
    who = common.user()
    reg = common.jobs()
    job = reg.get(who, node.id)
    running = job is not None and not job.done
    st.caption(f"`{node.lab.script}` · GPU: {node.lab.gpu} · timeout {node.lab.timeout_s} s")
    c1, c2, c3, c4 = st.columns([1.2, 1.5, 1, 1], vertical_alignment="bottom")
    devices = ["cpu"] if node.lab.gpu == "no" else ["auto", "cpu", "cuda"]
    device = c1.selectbox(common.t("device"), devices, key="lab_device", disabled=running)
    quick = c2.toggle(common.t("quick"), value=True, key="lab_quick", disabled=running)
    if c3.button(f"▶️ {common.t('run_lab')}", key="lab_run", type="primary",
                 disabled=running or bool(missing)):
        reg.start(rm, who, node.id, device=device, quick=quick)
        st.rerun()
    if c4.button(f"⏹️ {common.t('cancel')}", key="lab_cancel", disabled=not running):
        if job is not None:
            job.cancel()
        st.rerun()
    if job is not None:
        _live(job, who, node.id)
    else:
        last = _last_run(store, who, node.id)
        if last is not None:
            _show_result(last)


def _live(job: LabJob, who: str, node_id: str) -> None:
    """The live log while the job runs (a polling fragment), then its result."""
    if job.done:
        _show_run(job.run)  # type: ignore[arg-type]
        return

    @st.fragment(run_every=0.5)
    def poll() -> None:
        if job.done:
            st.rerun()  # the whole page: stop polling, show the result
        lines = job.snapshot()
        label = ("⏳ waiting for the GPU lock (another GPU lab is running)"
                 if job.waiting_for_gpu else f"⚙️ running {node_id} …")
        with st.status(label, state="running", expanded=True):
            if job.waiting_for_gpu:
                st.warning("waiting for the GPU lock: another GPU lab is running; this one "
                           "starts when it ends (or cancel it).")
            st.code("\n".join(lines[-LOG_LINES:]) or "(starting)", language=None,
                    height=360)

    poll()


def _show_run(run: LabRun | None) -> None:
    if run is None:
        return
    result = run.result or {}
    _status_box(run.status, run.message, run.duration_s, run.tail or [])
    _result_details(result, Path(run.log_path).parent if run.log_path else None)


def _status_box(status: str, message: str, duration: float | None, log: list[str]) -> None:
    icon = common.RUN_ICON.get(status, "❔")
    state = "complete" if status == "pass" else "error"
    label = f"{icon} {status.upper()} · {message}" + (
        f" · {duration:.1f} s" if duration is not None else "")
    with st.status(label, state=state, expanded=status != "pass"):
        st.code("\n".join(log[-LOG_LINES:]) or "(no output)", language=None, height=300)


def _result_details(result: dict[str, Any], run_dir: Path | None) -> None:
    checks = result.get("checks") or []
    if checks:
        st.markdown(f"**{common.t('checks')}** "
                    f"({sum(1 for c in checks if c.get('passed'))}/{len(checks)})")
        st.dataframe([{"": "✅" if c.get("passed") else "❌", "check": c.get("name"),
                       "expected": _s(c.get("expected")), "actual": _s(c.get("actual")),
                       "tolerance": _s(c.get("tolerance")), "message": c.get("message", "")}
                      for c in checks], hide_index=True, width="stretch")
    metrics = result.get("metrics") or []
    if metrics:
        st.markdown(f"**{common.t('metrics')}**")
        st.dataframe([{"metric": m.get("name"), "value": m.get("value"),
                       "unit": m.get("unit", "")} for m in metrics], hide_index=True)
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
    run_dir = Path(r.log_path).parent if r.log_path else None
    log: list[str] = []
    result: dict[str, Any] = {}
    if run_dir is not None:
        try:
            log = (run_dir / "log.txt").read_text(encoding="utf-8",
                                                  errors="replace").splitlines()
        except OSError:
            pass
        try:
            result = json.loads((run_dir / "result.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            result = {}
    st.caption(f"Last run: {r.started_at:%Y-%m-%d %H:%M} UTC")
    msg = (f"{r.checks_passed}/{r.checks_total} checks passed"
           if r.checks_total is not None else "")
    _status_box(r.status, msg, r.duration_s, log)
    _result_details(result if isinstance(result, dict) else {}, run_dir)


def _history(store: Store | None, node: Node) -> None:
    st.subheader(f"🕘 {common.t('history')}")
    if store is None:
        return
    try:
        runs = store.runs(common.user(), node.id)
    except RoadmapError as exc:
        st.error(str(exc))
        return
    if not runs:
        st.caption("No runs yet.")
        return
    st.dataframe([{"": common.RUN_ICON.get(r.status, ""), "status": r.status,
                   "started": f"{r.started_at:%Y-%m-%d %H:%M:%S}",
                   "duration_s": r.duration_s, "device": r.device,
                   "quick": r.quick, "solution": r.solution,
                   "checks": (f"{r.checks_passed}/{r.checks_total}"
                              if r.checks_total is not None else ""),
                   "verified": "⭐" if r.verified else ""} for r in reversed(runs)],
                 hide_index=True, width="stretch")


# --------------------------------------------------------------------------- misc
def _picker(rm: Roadmap) -> None:
    choice = st.selectbox(common.t("open_node"), list(rm.nodes), index=None, key="node_pick",
                          format_func=lambda i: f"{common.title(rm, i)} ({i})")
    if choice:
        st.session_state["node"] = choice
        st.rerun()


def _unknown(rm: Roadmap, wanted: str) -> None:
    st.title(f"📍 {common.t('node')}")
    suggestions = rm.suggest(wanted)
    st.warning(f"There is no node `{wanted}` in the roadmap."
               + (" Did you mean one of these?" if suggestions else
                  " Search for it on the Roadmap page or pick one below."))
    for s in suggestions:
        common.node_button(rm, s, key=f"sugg_{s}",
                           label=f"{common.title(rm, s)} (`{s}`)")
    _picker(rm)


if __name__ == "__main__":  # Streamlit ran this file itself (pages/ folder mode)
    common.use_app_navigation()
