"""Lab runs in the background: one registry of jobs for the whole app.

The registry lives in ``st.cache_resource``, so a run survives reruns, page switches and
new tabs; the Node page polls a job's log with ``st.fragment(run_every=...)``. Every run
is recorded in the progress store by the engine's recorder. A job is one of a kind per user
and node: ``"lab"`` (the lab card's run of the reference) or ``"practice"`` (a check of the
learner's solution), so a check never shows up as, or blocks, a plain run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import streamlit as st

import graph
from graph import LabJob, Roadmap
from ui import state

KINDS = ("lab", "practice")


class JobRegistry:
    """Running and finished lab jobs by (user, node, kind), shared by every session."""

    def __init__(self) -> None:
        self.jobs: dict[tuple[str, str, str], LabJob] = {}
        self.lock = threading.Lock()

    def get(self, who: str, node_id: str, kind: str = "lab") -> LabJob | None:
        """The latest job of ``who`` on ``node_id`` (running or finished), if any."""
        with self.lock:
            return self.jobs.get((who, node_id, kind))

    def running(self, who: str, node_id: str, kind: str = "lab") -> bool:
        """Whether a job of ``kind`` runs for ``who`` on ``node_id`` now."""
        job = self.get(who, node_id, kind)
        return job is not None and not job.done

    def start(self, rm: Roadmap, who: str, node_id: str, *, device: str, quick: bool,
              recorder: Callable[[Any], None] | None = None, kind: str = "lab",
              **run: Any) -> LabJob:
        """Start a run, unless one of this kind and node is already running for ``who``.

        ``run`` goes to :func:`graph.run_lab` (``solution``, ``sandbox``,
        ``require_sandbox`` for a practice check).
        """
        if kind not in KINDS:
            raise ValueError(f"unknown job kind {kind!r} (one of {', '.join(KINDS)})")
        with self.lock:
            job = self.jobs.get((who, node_id, kind))
            if job is not None and not job.done:
                return job  # one run of a kind per node and user at a time
            job = graph.start_lab(rm, node_id, device=device, quick=quick, user=who,
                                  recorder=recorder or graph.store_recorder(state.db_url()),
                                  **run)
            self.jobs[(who, node_id, kind)] = job
            return job


@st.cache_resource(show_spinner=False)
def registry() -> JobRegistry:
    """The app-wide registry of lab jobs (survives reruns, page switches and new tabs)."""
    return JobRegistry()
