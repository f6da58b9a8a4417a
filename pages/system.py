"""System: Python, torch, CUDA and the GPU; each lab's missing modules; the database."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

import streamlit as st

from graph.runner import data_dir, missing_requirements, pip_name
from pages import common

ROOT = Path(__file__).resolve().parent.parent
DOCTOR = ("import json, sys; sys.path.insert(0, sys.argv[1]); "
          "from cuda_environment import doctor; print(json.dumps(doctor(), default=str))")


def _doctor() -> dict:
    """labs/cuda_environment.doctor() in a subprocess (torch stays out of the app process)."""
    labs = ROOT / "labs"
    if not (labs / "cuda_environment.py").is_file():
        return {"error": "labs/cuda_environment.py is not there"}
    try:
        out = subprocess.run([sys.executable, "-c", DOCTOR, str(labs)], capture_output=True,
                             text=True, timeout=90, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"error": f"the environment check did not finish: {exc}"}
    if out.returncode != 0:
        tail = (out.stderr or out.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"error": f"the environment check failed: {tail[0]}"}
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": "the environment check printed no JSON"}


class Probe:
    """The environment check, run once in a background thread (importing torch is slow)."""

    def __init__(self) -> None:
        self.result: dict | None = None
        self.started = time.time()
        threading.Thread(target=self._run, name="doctor", daemon=True).start()

    def _run(self) -> None:
        self.result = _doctor()


@st.cache_resource(show_spinner=False, ttl=3600)
def probe() -> Probe:
    """The app-wide environment probe (refreshed hourly)."""
    return Probe()


def page() -> None:
    st.title(f"🖥️ {common.t('system')}")
    _environment(probe())
    _labs()
    st.subheader("🗄️ " + ("Base de datos" if common.lang() == "es" else "Database"))
    st.code(common.db_location(), language=None)
    st.caption(f"Data folder (runs, logs): `{data_dir()}` · roadmap: `{common.roadmap_dir()}`")
    common.get_store()  # says why, when it cannot be opened


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
        st.caption(f"⏳ Checking torch, CUDA and the GPU … ({time.time() - p.started:.0f} s)")

    wait()


def _draw_environment(d: dict) -> None:
    c1, c2, c3 = st.columns(3)
    c1.metric("Python", platform.python_version())
    c2.metric("torch", d.get("torch") or "not installed")
    c3.metric("CUDA", (d.get("torch_cuda_build") or "CPU build")
              + (" ✓" if d.get("cuda_available") else ""))
    if d.get("error"):
        st.warning(d["error"])
    devices = d.get("devices") or []
    if devices:
        st.dataframe([{"GPU": x.get("index"), "name": x.get("name"),
                       "memory (GiB)": x.get("memory_gib"),
                       "capability": ".".join(map(str, x.get("capability") or [])),
                       "bf16": x.get("bf16")} for x in devices], hide_index=True)
    elif not d.get("error"):
        st.info("No CUDA GPU is visible: labs run on the CPU."
                + (f" Driver: {d['driver']}." if d.get("driver") else ""))
    for p in d.get("problems") or []:
        st.warning(p)
    if d.get("summary"):
        st.caption(d["summary"])



def _labs() -> None:
    st.subheader("🧪 Labs")
    rm = common.get_roadmap()
    if rm is not None:
        rows = []
        for n in rm.nodes.values():
            if n.lab is None:
                continue
            path = rm.lab_path(n.id)
            missing = missing_requirements(rm, n.id)
            rows.append({"node": n.id, "lab": n.lab.script, "gpu": n.lab.gpu,
                         "script": "✅" if path is not None and path.is_file() else "❌ missing",
                         "missing": ", ".join(missing),
                         "install": ("pip install " + " ".join(sorted({pip_name(m)
                                                                       for m in missing})))
                         if missing else ""})
        short = [r for r in rows if r["missing"] or r["script"] != "✅"]
        if short:
            st.warning(f"{len(short)} of {len(rows)} labs cannot run here yet:")
            st.dataframe(short, hide_index=True, width="stretch")
            pkgs = sorted({p for r in short for p in r["install"].split()[2:]})
            if pkgs:
                st.code("pip install " + " ".join(pkgs), language="bash")
        else:
            st.success(f"All {len(rows)} labs have what they need.")
        with st.expander("All labs"):
            st.dataframe(rows, hide_index=True, width="stretch")


if __name__ == "__main__":  # Streamlit ran this file itself (pages/ folder mode)
    common.use_app_navigation()
