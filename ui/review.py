"""Review: what is due, most valuable first, each checkable from the page at a fresh seed."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

import graph
from graph import LabJob, Review, Roadmap, RoadmapError
from ui import state, widgets
from ui.i18n import node_title, t
from ui.widgets import ICON

LOG_LINES = 200  # lines of a running check's log shown
UPCOMING = 8  # verified nodes listed by their next review date
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
SHOWN_FOR_S = 900  # a finished check's result stays on the page this long


@dataclass
class _Check:
    job: LabJob
    seed: int
    started: float  # time.monotonic()


@dataclass
class _Checks:
    """Review checks by (user, node): one at a time per node, shared by every session."""

    checks: dict[tuple[str, str], _Check] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, rm: Roadmap, who: str, item: Review) -> None:
        with self.lock:
            found = self.checks.get((who, item.node))
            if found is not None and not found.job.done:
                return
            job = graph.start_lab(
                rm, item.node, device="cpu" if item.quick else "auto", quick=item.quick,
                seed=item.seed, solution=graph.solution_path(who, item.node), user=who,
                recorder=graph.store_recorder(state.db_url()), require_sandbox=_served())
            self.checks[(who, item.node)] = _Check(job, item.seed, time.monotonic())

    def mine(self, who: str) -> dict[str, _Check]:
        """``who``'s checks that run, or ended less than ``SHOWN_FOR_S`` ago, by node."""
        now = time.monotonic()
        with self.lock:
            return {node: c for (u, node), c in self.checks.items()
                    if u == who and (not c.job.done or now - c.started < SHOWN_FOR_S)}


@st.cache_resource(show_spinner=False)
def _checks() -> _Checks:
    return _Checks()


def _served() -> bool:
    """Whether the app listens beyond this machine: learner code then needs the sandbox."""
    address = st.get_option("server.address")
    return str(address or "") not in LOCAL_HOSTS


def page() -> None:
    """The current profile's review queue, a Check per node, and what comes up next."""
    rm = widgets.roadmap()
    if rm is None:
        return
    st.title(f"{ICON['review']} {t('page.review')}")
    store = widgets.store()
    if store is None:
        return
    who = state.user()
    try:
        queue = graph.reviews_due(rm, store, who)
        ledger = graph.user_ledger(rm, store, who)
    except RoadmapError as exc:
        st.error(str(exc))
        return
    st.caption(t("review.help"))
    checks = _checks()
    mine = checks.mine(who)
    due = {i.node for i in queue}
    for node, c in mine.items():  # checks that passed: the node is no longer due
        if node not in due:
            _finished(rm, node, c.job)
    if not queue:
        st.success(t("review.nothing_due"), icon=ICON["saved"])
    for k, item in enumerate(queue, 1):
        _item(rm, who, k, item, checks, mine.get(item.node))
    _upcoming(rm, ledger)


def _item(rm: Roadmap, who: str, k: int, item: Review, checks: _Checks,
          check: _Check | None) -> None:
    with st.container(border=True):
        st.subheader(f"{k}. {node_title(rm, item.node)}")
        why = t("review.why_invalidated") if item.evidence == "invalidated" else t(
            "review.why_stale", retention=item.retention)
        st.caption(" · ".join([f"`{item.node}`", why,
                               t("review.due", date=f"{item.due:%Y-%m-%d}",
                                 days=item.overdue_days),
                               t("review.leads_to", n=item.unlocks)]))
        st.code(item.command, language="bash")
        solution = graph.solution_path(who, item.node)
        has_solution = solution.is_file()
        if not has_solution:
            st.info(t("review.no_solution", node=item.node), icon=ICON["lab"])
        running = check is not None and not check.job.done
        if st.button(t("review.check", seed=item.seed), key=f"review_check_{item.node}",
                     icon=ICON["run"], type="primary", disabled=running or not has_solution):
            checks.start(rm, who, item)
            st.rerun()
        if check is not None and (running or check.seed != item.seed):  # a failed one's
            _live(rm, item.node, check.job)  # seed is used now: the item has a new one


def _live(rm: Roadmap, node: str, job: LabJob) -> None:
    if job.done:
        _finished(rm, node, job)
        return

    @st.fragment(run_every=0.5)
    def poll() -> None:
        if job.done:
            st.rerun()
        with st.status(f"{ICON['running']} {t('lab.running', node=node)}", state="running",
                       expanded=True):
            st.code("\n".join(job.snapshot()[-LOG_LINES:]) or t("lab.starting"),
                    language=None, height=260)

    poll()


def _finished(rm: Roadmap, node: str, job: LabJob) -> None:
    run = job.run
    if run is None:
        return
    title = node_title(rm, node)
    if run.verified:
        st.success(t("review.passed", node=title), icon=widgets.RUN_ICON["pass"])
        return
    parts = [widgets.run_label(run.status), title] + ([run.message] if run.message else [])
    with st.status(" · ".join(parts), state="error", expanded=False):
        st.code("\n".join((run.tail or [])[-LOG_LINES:]) or t("lab.no_output"),
                language=None, height=260)


def _upcoming(rm: Roadmap, ledger: dict[str, Any]) -> None:
    coming = sorted((e for e in ledger.values() if e.evidence == "verified"),
                    key=lambda e: e.due)
    st.subheader(f"{ICON['upcoming']} {t('review.upcoming')}")
    if not coming:
        st.caption(t("review.no_upcoming"))
        return
    st.dataframe([{t("review.col_node"): node_title(rm, e.node),
                   t("review.col_due"): f"{e.due:%Y-%m-%d}",
                   t("review.col_retention"): round(e.retention, 2),
                   t("review.col_interval"): e.interval_days,
                   t("review.col_reviews"): e.reviews} for e in coming[:UPCOMING]],
                 hide_index=True, width="stretch")
