"""Lab runs in the background: one registry of jobs for the whole app.

The registry lives in ``st.cache_resource``, so a run survives reruns, page switches and
new tabs; the Node page polls a job's log with ``st.fragment(run_every=...)``. Every run
is recorded in the progress store by the engine's recorder.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import streamlit as st

import graph
from graph import LabJob, Roadmap
from ui import state


class JobRegistry:
    """Running and finished lab jobs by (user, node), shared by every session of the app."""

    def __init__(self) -> None:
        self.jobs: dict[tuple[str, str], LabJob] = {}
        self.lock = threading.Lock()

    def get(self, who: str, node_id: str) -> LabJob | None:
        """The latest job of ``who`` on ``node_id`` (running or finished), if any."""
        with self.lock:
            return self.jobs.get((who, node_id))

    def start(self, rm: Roadmap, who: str, node_id: str, *, device: str, quick: bool,
              recorder: Callable[[Any], None] | None = None) -> LabJob:
        """Start a run, unless one of this node is already running for ``who``."""
        with self.lock:
            job = self.jobs.get((who, node_id))
            if job is not None and not job.done:
                return job  # one run of a node per user at a time
            job = graph.start_lab(rm, node_id, device=device, quick=quick, user=who,
                                  recorder=recorder or graph.store_recorder(state.db_url()))
            self.jobs[(who, node_id)] = job
            return job


@st.cache_resource(show_spinner=False)
def registry() -> JobRegistry:
    """The app-wide registry of lab jobs (survives reruns, page switches and new tabs)."""
    return JobRegistry()
