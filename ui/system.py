"""System: Python, torch, CUDA and the GPU; each lab's missing modules; the database."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import threading
import time
from typing import Any

import streamlit as st

import graph
from ui import state, widgets
from ui.i18n import t
from ui.widgets import ICON

DOCTOR = ("import json, sys; sys.path.insert(0, sys.argv[1]); "
          "from cuda_environment import doctor; print(json.dumps(doctor(), default=str))")


def _doctor() -> dict[str, Any]:
    """labs/cuda_environment.doctor() in a subprocess (torch stays out of the app process).

    A failure comes back as ``{"error": (catalogue key, format arguments)}``, translated
    when it is drawn.
    """
    labs = graph.labs_dir()
    if not (labs / "cuda_environment.py").is_file():
        return {"error": ("system.doctor_missing", {})}
    try:
        out = subprocess.run([sys.executable, "-c", DOCTOR, str(labs)], capture_output=True,
                             text=True, timeout=90, cwd=labs)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"error": ("system.doctor_unfinished", {"error": exc})}
    if out.returncode != 0:
        tail = (out.stderr or out.stdout).strip().splitlines()[-1:] or ["?"]
        return {"error": ("system.doctor_failed", {"error": tail[0]})}
    try:
        result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": ("system.doctor_no_json", {})}
    return result


class Probe:
    """The environment check, run once in a background thread (importing torch is slow)."""

    def __init__(self) -> None:
        self.result: dict[str, Any] | None = None
        self.started = time.time()
        threading.Thread(target=self._run, name="doctor", daemon=True).start()

    def _run(self) -> None:
        self.result = _doctor()


@st.cache_resource(show_spinner=False, ttl=3600)
def probe() -> Probe:
    """The app-wide environment probe (refreshed hourly)."""
    return Probe()


def page() -> None:
    """The environment, the labs that cannot run here, where data lives."""
    st.title(f"{ICON['system']} {t('page.system')}")
    _environment(probe())
    _labs()
    _runs()
    st.subheader(f"{ICON['database']} {t('system.database')}")
    st.code(state.db_location() or t("system.db_unparsable"), language=None)
    st.caption(t("system.folders", data=graph.data_dir(), roadmap=state.roadmap_dir()))
    widgets.store()  # says why, when it cannot be opened


@st.cache_data(ttl=30, show_spinner=False)
def _runner_status(url: str) -> tuple[str, bool, str, dict[str, float]]:
    """Whether the configured runner answers (asked at most every 30 s)."""
    s = graph.backend_for(url).status()
    return s.name, s.answers, s.detail, s.resources


def _runs() -> None:
    """The sandbox around learner code and the backend labs run on."""
    st.subheader(f"{ICON['run']} {t('system.runs')}")
    box = graph.sandbox_info()
    if box.active:
        st.success(t("system.sandbox_on", detail=box.detail), icon=ICON["sandbox"])
    else:
        st.warning(t("system.sandbox_off", detail=box.detail, fix=box.fix),
                   icon=ICON["sandbox"])
    try:
        name, answers, detail, resources = _runner_status(graph.runner_url())
    except graph.RoadmapError as exc:  # a ROADMAP_RUNNER that is no runner address
        st.error(str(exc), icon=ICON["cluster"])
        return
    if answers:
        st.info(t("system.runner_ok", name=name, detail=detail), icon=ICON["cluster"])
        if resources:
            st.caption(t("system.runner_resources", resources=", ".join(
                f"{k} {v:g}" for k, v in sorted(resources.items()))))
    else:
        st.error(t("system.runner_down", name=name, detail=detail), icon=ICON["cluster"])


def _environment(p: Probe) -> None:
    if p.result is not None:
        _draw_environment(p.result)
        return

    @st.fragment(run_every=1.0)
    def wait() -> None:  # polls only while the check runs
        if p.result is not None:
            st.rerun()
        c1, c2 = st.columns(2)
        c1.metric("Python", platform.python_version())
        c2.metric("torch", "…")
        st.caption(f"{ICON['waiting']} "
                   + t("system.checking", s=f"{time.time() - p.started:.0f}"))

    wait()


def _draw_environment(d: dict[str, Any]) -> None:
    c1, c2, c3 = st.columns(3)
    c1.metric("Python", platform.python_version())
    c2.metric("torch", d.get("torch") or t("system.not_installed"))
    c3.metric("CUDA", (d.get("torch_cuda_build") or t("system.cpu_build"))
              + (" ✓" if d.get("cuda_available") else ""))
    if d.get("error"):
        key, args = d["error"]
        st.warning(t(key, **args))
    devices = d.get("devices") or []
    if devices:
        st.dataframe([{t("system.col_gpu"): x.get("index"), t("system.col_name"): x.get("name"),
                       t("system.col_memory"): x.get("memory_gib"),
                       t("system.col_capability"): ".".join(map(str, x.get("capability")
                                                                or [])),
                       "bf16": x.get("bf16")} for x in devices], hide_index=True)
    elif not d.get("error"):
        st.info(t("system.no_gpu") + (t("system.driver", driver=d["driver"])
                                      if d.get("driver") else ""))
    for p in d.get("problems") or []:
        st.warning(p)
    if d.get("summary"):
        st.caption(d["summary"])


def _labs() -> None:
    st.subheader(f"{ICON['lab']} {t('system.labs')}")
    rm = widgets.roadmap()
    if rm is None:
        return
    rows: list[dict[str, Any]] = []
    for n in rm.nodes.values():
        if n.lab is None:
            continue
        path = rm.lab_path(n.id)
        missing = graph.missing_requirements(rm, n.id)
        pkgs = sorted({graph.pip_name(m) for m in missing})
        rows.append({"node": n.id, "lab": n.lab.script, "gpu": n.lab.gpu,
                     "script": path is not None and path.is_file(),
                     "missing": ", ".join(missing), "pkgs": pkgs})
    short = [r for r in rows if r["missing"] or not r["script"]]
    if short:
        st.warning(t("system.labs_short", n=len(short), total=len(rows)))
        st.dataframe(_table(short), hide_index=True, width="stretch")
        pkgs = sorted({p for r in short for p in r["pkgs"]})
        if pkgs:
            st.code("pip install " + " ".join(pkgs), language="bash")
    else:
        st.success(t("system.labs_ok", total=len(rows)))
    with st.expander(t("system.all_labs")):
        st.dataframe(_table(rows), hide_index=True, width="stretch")


def _table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Lab rows with translated column names; a missing script says so."""
    return [{t("system.col_node"): r["node"], t("system.col_lab"): r["lab"],
             t("system.col_gpu_use"): t(f"lab.gpu_{r['gpu']}"),
             t("system.col_script"): t("system.script_ok") if r["script"]
             else t("system.script_missing"),
             t("system.col_missing"): r["missing"],
             t("system.col_install"): ("pip install " + " ".join(r["pkgs"]))
             if r["pkgs"] else ""} for r in rows]
