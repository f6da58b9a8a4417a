"""Practice attempts: the code a learner checked in the app, and how each check ended.

Free functions over a :class:`Store`, through its public read/write API. An attempt is
saved when a check starts (so the code is never lost, even if the run crashes the page)
and finished with the run's status and id when it ends (:func:`practice_recorder` does both
for the runner).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from graph import config
from graph.errors import ProgressError
from graph.model import RUN_STATUSES
from graph.store.records import Attempt, check_name
from graph.store.rows import find_user_id, insert_user, inserted_id, run_fields
from graph.store.schema import attempts_t, users_t
from graph.store.store import Store

__all__ = ["save_attempt", "finish_attempt", "attempts", "practice_recorder", "MAX_CODE"]

MAX_CODE = 1_000_000  # characters of code an attempt may hold


def save_attempt(store: Store, user: str, node: str, code: str) -> Attempt:
    """Record the code ``user`` is about to check for ``node``; returns the new attempt.

    Examples
    --------
    >>> with Store("sqlite://") as s:
    ...     a = save_attempt(s, "ana", "calculus", "def f(): ...")
    ...     finish_attempt(s, a.id, "fail")
    ...     [x.status for x in attempts(s, "ana", "calculus")]
    ['fail']
    """
    name = check_name(user, "user")
    node = store.resolve_node(node)
    if len(code) > MAX_CODE:
        raise ProgressError(f"the code is {len(code):,} characters long; an attempt keeps at "
                            f"most {MAX_CODE:,}")
    at = config.now()
    digest = hashlib.sha256(code.encode("utf-8")).hexdigest()
    with store.write() as conn:
        uid = find_user_id(conn, name)
        if uid is None:
            uid = insert_user(conn, name, None, at)
        aid = inserted_id(conn.execute(attempts_t.insert().values(
            user_id=uid, node_id=node, created_at=at, code=code, code_sha256=digest)))
    return Attempt(aid, name, node, at, code, digest, None, None)


def finish_attempt(store: Store, attempt_id: int, status: str,
                   run_id: int | None = None) -> None:
    """Record how the check of an attempt ended (a run status) and its recorded run."""
    if status not in RUN_STATUSES:
        raise ProgressError(f"unknown run status {status!r} (one of {', '.join(RUN_STATUSES)})")
    with store.write() as conn:
        done = conn.execute(attempts_t.update().where(attempts_t.c.id == attempt_id)
                            .values(status=status, run_id=run_id))
        if done.rowcount == 0:
            raise ProgressError(f"no practice attempt with id {attempt_id}")


def attempts(store: Store, user: str, node: str, limit: int = 10) -> list[Attempt]:
    """The user's latest attempts at ``node``, newest first."""
    node = store.resolve_node(node)
    with store.read() as conn:
        rows = conn.execute(
            sa.select(attempts_t, users_t.c.name.label("user_name"))
            .join(users_t, users_t.c.id == attempts_t.c.user_id)
            .where(users_t.c.name == user, attempts_t.c.node_id == node)
            .order_by(attempts_t.c.created_at.desc(), attempts_t.c.id.desc())
            .limit(limit)).all()
    return [Attempt(r.id, r.user_name, r.node_id, r.created_at, r.code, r.code_sha256,
                    r.status, r.run_id) for r in rows]


def practice_recorder(attempt_id: int, url: str | None = None) -> Callable[[Any], None]:
    """A recorder for ``graph.runner.run_lab`` that records the run of a practice check and
    finishes attempt ``attempt_id`` with the run's status and id.

    The run is recorded first, as :func:`graph.store.store_recorder` does (a pass with the
    learner's own solution marks the node verified); when the store cannot be written the
    run goes to the JSON-lines history instead and the error is raised for the runner to
    report, and the attempt stays unfinished.

    Examples
    --------
    >>> import tempfile
    >>> url = f"sqlite:///{tempfile.mkdtemp()}/p.sqlite3"
    >>> with Store(url) as s:
    ...     a = save_attempt(s, "ana", "calculus", "def f(): ...")
    >>> practice_recorder(a.id, url)({"node": "calculus", "user": "ana", "status": "pass",
    ...                                "solution": "learner"})
    >>> with Store(url) as s:
    ...     got = attempts(s, "ana", "calculus")[0]
    ...     (got.status, got.run_id is not None, sorted(s.verified("ana")))
    ('pass', True, ['calculus'])
    """

    def record(run: Any) -> None:
        try:
            with Store(url) as store:
                run_id = store.record_run(None, run)
        except ProgressError:
            from graph.runner import history_recorder

            history_recorder(config.lab_history_path())(run)
            raise
        with Store(url) as store:
            finish_attempt(store, attempt_id, str(run_fields(run)["status"]), run_id)

    return record
