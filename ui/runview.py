"""How a lab run shows on a page: its live log while it runs, then its status and log.

Shared by the lab card and the Practice tab of the Node page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import streamlit as st

from graph import LabJob
from ui import widgets
from ui.i18n import t
from ui.widgets import ICON

LOG_LINES = 300  # lines shown in a log (the log file has everything)
POLL_S = 0.5  # how often a running job's log is read


def live(job: LabJob, label: str) -> None:
    """The job's log as it grows (a fragment polling every :data:`POLL_S` seconds); when the
    job ends, the whole page reruns to show the result."""

    @st.fragment(run_every=POLL_S)
    def poll() -> None:
        if job.done:
            st.rerun()  # the whole page: stop polling, show the result
        lines = job.snapshot()
        head = (f"{ICON['waiting']} {t('lab.waiting_gpu')}" if job.waiting_for_gpu
                else f"{ICON['running']} {label}")
        with st.status(head, state="running", expanded=True):
            if job.waiting_for_gpu:
                st.warning(t("lab.waiting_gpu_detail"))
            st.code("\n".join(lines[-LOG_LINES:]) or t("lab.starting"), language=None,
                    height=360)

    poll()


def status_box(status: str, message: str, duration: float | None, log: list[str],
               expanded: bool | None = None) -> None:
    """A run's status, message and duration, with its log inside (open unless it passed)."""
    parts = [widgets.run_label(status)]
    if message:
        parts.append(message)
    if duration is not None:
        parts.append(t("lab.seconds", s=duration))
    with st.status(" · ".join(parts), state="complete" if status == "pass" else "error",
                   expanded=status != "pass" if expanded is None else expanded):
        st.code("\n".join(log[-LOG_LINES:]) or t("lab.no_output"), language=None, height=300)


def run_files(log_path: str | None) -> tuple[Path | None, list[str], dict[str, Any]]:
    """A recorded run's folder, log lines and result JSON (empty when gone from disk)."""
    run_dir = Path(log_path).parent if log_path else None
    log: list[str] = []
    result: dict[str, Any] = {}
    if run_dir is not None:
        try:
            log = (run_dir / "log.txt").read_text(encoding="utf-8",
                                                  errors="replace").splitlines()
        except OSError:
            pass
        try:
            data = json.loads((run_dir / "result.json").read_text(encoding="utf-8"))
            result = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            result = {}
    return run_dir, log, result
