"""The knowledge ledger read from the store: a user's evidence and review queue, a team's
coverage, members' gaps to a role.

Free functions that take the roadmap and the store first, like :mod:`graph.store.team`.
They read runs and statuses through the store's public read API and leave the arithmetic
(retention, reviews, implicit credit, coverage) to :mod:`graph.evidence`. "Now" is
``graph.config.now()`` unless given, so ``ROADMAP_NOW`` ages the ledger.

Examples
--------
>>> from graph import Store, load_roadmap
>>> rm = load_roadmap()
>>> with Store("sqlite://", roadmap=rm) as store:
...     _ = store.add_user("ana")
...     _ = store.set_status("ana", "calculus", "done")
...     user_ledger(rm, store, "ana")["calculus"].evidence
'claimed'
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from operator import itemgetter
from typing import Any

import sqlalchemy as sa

from graph import config
from graph.coverage import (
    RoleGap,
    review_queue,
    role_gap,
    team_coverage,
)
from graph.evidence import (
    NodeEvidence,
    Review,
    RunFact,
    TeamLedger,
    lab_files,
    node_evidence,
    team_words,
)
from graph.model import FINISHED, Roadmap
from graph.store.schema import progress_t, runs_t, users_t
from graph.store.store import Store

__all__ = ["user_facts", "user_ledger", "reviews_due", "team_ledger", "role_gaps"]

_FACT_STATUSES = ("pass", "fail")  # the learner runs the ledger reads
_AT = itemgetter(1)  # a run's time


def user_facts(store: Store, user: str) -> tuple[list[RunFact], dict[str, set[int | None]]]:
    """A user's learner runs as :class:`~graph.evidence.RunFact` (time order), and the
    seeds every run of each node used (reference runs included: their output was seen)."""
    facts: list[RunFact] = []
    seeds: dict[str, set[int | None]] = defaultdict(set)
    for r in store.runs(user):
        seeds[r.node].add(r.seed)
        if r.solution == "learner" and r.status in _FACT_STATUSES:
            at = (r.finished_at or r.started_at).timestamp()
            facts.append(RunFact(r.node, at, r.status, r.seed, r.lab_sha256, r.quick,
                                 r.device, r.solution_sha256))
    facts.sort(key=lambda f: f.at)  # stable: same-time runs stay in recorded order
    return facts, seeds


def user_ledger(roadmap: Roadmap, store: Store, user: str, now: datetime | None = None
                ) -> dict[str, NodeEvidence]:
    """A user's evidence of every node of the roadmap (in roadmap order).

    This is what the Roadmap page marks (stale and invalidated nodes) and what ``roadmap
    progress show`` lists. See :func:`graph.evidence.node_evidence`.

    Raises
    ------
    NodeNotFound
        For an unknown user (the local profile before its first use has no evidence).
    ConfigError
        When ``ROADMAP_NOW`` is not an ISO 8601 time.
    """
    now = now or config.now()
    facts, _seeds = user_facts(store, user)
    statuses = {n: s.status for n, s in store.statuses(user).items()}
    return node_evidence(roadmap, facts, statuses, lab_files(roadmap), now)


def reviews_due(roadmap: Roadmap, store: Store, user: str, now: datetime | None = None
                ) -> list[Review]:
    """What ``user`` should review now, most valuable first, each with the command that
    runs it at a fresh seed. See :func:`graph.coverage.review_queue`."""
    now = now or config.now()
    facts, seeds = user_facts(store, user)
    statuses = {n: s.status for n, s in store.statuses(user).items()}
    labs = lab_files(roadmap)
    ledger = node_evidence(roadmap, facts, statuses, labs, now)
    return review_queue(roadmap, user, ledger, seeds, labs, now)


def team_ledger(roadmap: Roadmap, store: Store, team: str, now: datetime | None = None
                ) -> TeamLedger:
    """Every member's evidence of every node, and the team's coverage of each node.

    Raises
    ------
    NodeNotFound
        For an unknown team (with suggestions).
    """
    now = now or config.now()
    with store.read() as conn:
        member_ids = store.member_ids(conn, team)
        members = dict(conn.execute(
            sa.select(users_t.c.id, users_t.c.name).where(users_t.c.id.in_(member_ids))
            .order_by(users_t.c.name)).all())
        # the runs as the driver's plain tuples, shaped like RunFact (node, at, status,
        # seed, lab_sha256) with the user id last; the database turns the times into
        # POSIX seconds: no Row object and no datetime per run (50,000 runs)
        at = _epoch(conn, sa.func.coalesce(runs_t.c.finished_at, runs_t.c.started_at))
        runs = _raw(conn, sa.select(
            runs_t.c.node_id, at, runs_t.c.status, runs_t.c.seed, runs_t.c.lab_sha256,
            runs_t.c.user_id)
            .where(runs_t.c.user_id.in_(member_ids), runs_t.c.solution == "learner",
                   runs_t.c.status.in_(_FACT_STATUSES))
            .order_by(runs_t.c.id))
        done = _raw(conn, sa.select(progress_t.c.user_id, progress_t.c.node_id).where(
            progress_t.c.user_id.in_(member_ids), progress_t.c.status == "done"))
    per_user: dict[int, list[Any]] = defaultdict(list)
    for row in runs:
        per_user[row[5]].append(row)
    facts: dict[str, list[RunFact]] = {}
    for uid, rows in per_user.items():
        rows.sort(key=_AT)  # recorded order is nearly time order: a quick sort, stable
        facts[members[uid]] = rows
    done_by: dict[str, list[str]] = defaultdict(list)
    for uid, node in done:
        done_by[members[uid]].append(node)
    cells = team_words(roadmap, facts, done_by, lab_files(roadmap), now)
    return team_coverage(roadmap, team, list(members.values()), cells)


def role_gaps(roadmap: Roadmap, store: Store, team: str, role: str,
              ledger: TeamLedger | None = None) -> list[RoleGap]:
    """Each member's gap to ``role`` (by name): the path left by their done and skipped
    nodes, and how much of the role they hold a fresh verified pass of.

    ``ledger`` is the team's :func:`team_ledger` when the caller has it already.

    Raises
    ------
    NodeNotFound
        For an unknown role or team (with suggestions).
    """
    roadmap.role(role)  # an unknown role fails before any query
    ledger = ledger if ledger is not None else team_ledger(roadmap, store, team)
    with store.read() as conn:
        rows = conn.execute(
            sa.select(users_t.c.name, progress_t.c.node_id)
            .join(progress_t, progress_t.c.user_id == users_t.c.id)
            .where(users_t.c.id.in_(store.member_ids(conn, team)),
                   progress_t.c.status.in_(sorted(FINISHED)))).all()
    finished: dict[str, list[str]] = defaultdict(list)
    for name, node in rows:
        finished[name].append(node)
    return [role_gap(roadmap, role, m, finished.get(m, ()), ledger.cells.get(m, {}))
            for m in ledger.members]


def _raw(conn: Any, query: Any) -> list[tuple[Any, ...]]:
    result = conn.execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def _epoch(conn: Any, column: Any) -> Any:
    """``column`` (a UTC time) as POSIX seconds, computed by the database."""
    if conn.dialect.name == "postgresql":
        return sa.cast(sa.extract("epoch", column), sa.Float)
    # SQLite keeps UTC times as text; julianday() reads it in C
    return (sa.func.julianday(column) - 2440587.5) * 86400.0
