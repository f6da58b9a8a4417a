"""The row-level writes and lookups every store operation is made of.

A user's row, a status change with its event (one statement pair per dialect, built
once), a lab run and the verification it brings, the move of progress from an old node
id to its new one. Each function takes an open connection and runs inside the caller's
transaction: :class:`~graph.store.store.Store` and :mod:`graph.store.transfer` compose
them into operations.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Table
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection

from graph import config
from graph.errors import InvalidStatus, NodeNotFound, ProgressError
from graph.model import RUN_STATUSES, SOLUTIONS, is_verified
from graph.store.records import RunSummary, StatusChange, parse_time
from graph.store.schema import VERIFIED, events_t, progress_t, runs_t, users_t

__all__ = [
    "find_user_id",
    "insert_user",
    "inserted_id",
    "unknown_name",
    "progress_row",
    "write_status",
    "run_fields",
    "insert_run",
    "run_summary",
    "move_aliases",
]


def find_user_id(conn: Connection, name: str) -> int | None:
    uid = conn.execute(sa.select(users_t.c.id).where(users_t.c.name == name)).scalar()
    return None if uid is None else int(uid)


def insert_user(conn: Connection, name: str, display_name: str | None,
                 created_at: datetime) -> int:
    return inserted_id(conn.execute(users_t.insert().values(
        name=name, display_name=display_name, created_at=created_at)))


def inserted_id(result: Any) -> int:
    return int(result.inserted_primary_key[0])


def unknown_name(conn: Connection, table: Table, name: str, what: str) -> NodeNotFound:
    names = list(conn.scalars(sa.select(table.c.name)))
    return NodeNotFound(name, difflib.get_close_matches(name, names, n=3, cutoff=0.6),
                        what=what)


def progress_row(conn: Connection, uid: int, node: str) -> Any:
    """A user's row for a node, or None."""
    q = sa.select(progress_t.c.status, progress_t.c.note, progress_t.c.created_at).where(
        progress_t.c.user_id == uid, progress_t.c.node_id == node)
    return conn.execute(q).first()


def _prepared_upsert(dialect: Any) -> Any:
    ins = dialect.insert(progress_t)
    return ins.on_conflict_do_update(
        index_elements=[progress_t.c.user_id, progress_t.c.node_id],
        set_={"status": ins.excluded.status, "note": ins.excluded.note,
              "updated_at": ins.excluded.updated_at})


# Statements of the hot path, built once. SQLite: the user's id and old row in one SELECT
# (writers already take turns: BEGIN IMMEDIATE), then an upsert and the event.
_SEL_CHANGE = (
    sa.select(users_t.c.id, progress_t.c.status, progress_t.c.note)
    .select_from(users_t.outerjoin(progress_t, sa.and_(
        progress_t.c.user_id == users_t.c.id, progress_t.c.node_id == sa.bindparam("node"))))
    .where(users_t.c.name == sa.bindparam("name")))
_UPSERT_SQLITE = _prepared_upsert(sqlite)
_INS_EVENT = events_t.insert()
# PostgreSQL: lock the row itself (FOR UPDATE re-reads the latest committed version after
# a wait, so the old status is always the true one); a node's first change inserts the row
# unless a concurrent transaction just did (then lock that one). The change and its event
# go in one statement.
_PG_SEL_LOCK = (
    sa.select(progress_t.c.user_id, progress_t.c.status, progress_t.c.note)
    .join(users_t, users_t.c.id == progress_t.c.user_id)
    .where(users_t.c.name == sa.bindparam("name"), progress_t.c.node_id == sa.bindparam("node"))
    .with_for_update(of=progress_t))
_PG_INSERT_NEW = sa.text("""
    WITH ins AS (
        INSERT INTO node_progress (user_id, node_id, status, note, created_at, updated_at)
        SELECT id, :node, :status, :note, :at, :at FROM users WHERE name = :name
        ON CONFLICT (user_id, node_id) DO NOTHING
        RETURNING user_id)
    INSERT INTO events (at, user_id, kind, node_id, from_status, to_status, note)
    SELECT :at, user_id, :kind, :node, NULL, :status, :ev_note FROM ins
    RETURNING user_id""")
_PG_UPDATE = sa.text("""
    WITH up AS (
        UPDATE node_progress SET status = :status, note = :note, updated_at = :at
        WHERE user_id = :uid AND node_id = :node
        RETURNING user_id)
    INSERT INTO events (at, user_id, kind, node_id, from_status, to_status, note)
    SELECT :at, user_id, :kind, :node, :from_status, :status, :ev_note FROM up""")


def write_status(conn: Connection, user: str, node: str, status: str | None,
                  note: str | None, verified_at: datetime | None = None
                  ) -> StatusChange | None:
    """Change a user's status and/or note of a node and append the event.

    ``status`` None keeps the status (``todo`` for a new row), ``note`` None keeps the
    note. With ``verified_at``, the change is a lab verification: a ``verified`` event at
    that time, even when the node was done already. Returns None when ``user`` does not
    exist; a change that changes nothing writes nothing.
    """
    pg = conn.dialect.name == "postgresql"
    if pg:
        row = conn.execute(_PG_SEL_LOCK, {"name": user, "node": node}).first()
        if row is None:  # a first change: insert, unless someone else just did
            at = verified_at or config.now()
            new_status, new_note = status or "todo", note or ""
            inserted = conn.execute(_PG_INSERT_NEW, {
                "name": user, "node": node, "status": new_status, "note": new_note,
                "at": at, "kind": "verified" if verified_at else "status",
                "ev_note": (new_note or None) if not verified_at else None}).first()
            if inserted is not None:
                return StatusChange(user, node, None, new_status, new_note, at, True)
            row = conn.execute(_PG_SEL_LOCK, {"name": user, "node": node}).first()
            if row is None:
                return None
    else:
        row = conn.execute(_SEL_CHANGE, {"name": user, "node": node}).first()
        if row is None:
            return None
    uid, old_status, old_note = row
    at = verified_at or config.now()  # taken under the lock: times follow the order of changes
    old_note = old_note if old_status is not None else ""
    new_status = status or old_status or "todo"
    new_note = old_note if note is None else note
    same = old_status == new_status and old_note == new_note
    if same and not verified_at:
        return StatusChange(user, node, old_status, new_status, new_note, at, False)
    kind = "verified" if verified_at else "status" if old_status != new_status else "note"
    event = {"at": at, "user_id": uid, "kind": kind, "node_id": node,
             "from_status": old_status, "to_status": new_status,
             "note": new_note if new_note != old_note else None}
    if same:  # verified, and done already: only the event
        conn.execute(_INS_EVENT, event)
    elif pg:
        conn.execute(_PG_UPDATE, {"uid": uid, "node": node, "status": new_status,
                                  "note": new_note, "at": at, "kind": kind,
                                  "from_status": old_status, "ev_note": event["note"]})
    else:
        conn.execute(_UPSERT_SQLITE, {"user_id": uid, "node_id": node, "status": new_status,
                                      "note": new_note, "created_at": at, "updated_at": at})
        conn.execute(_INS_EVENT, event)
    return StatusChange(user, node, old_status, new_status, new_note, at, True)


def run_fields(run: Any) -> dict[str, Any]:
    """Normalise a LabRun / dict / JSON line into the lab_runs columns (+ ``user``)."""
    if dataclasses.is_dataclass(run) and not isinstance(run, type):
        run = dataclasses.asdict(run)
    if not isinstance(run, Mapping):
        raise ProgressError(f"a lab run must be a LabRun or a mapping, got "
                            f"{type(run).__name__}")
    node, status = run.get("node"), run.get("status")
    if not isinstance(node, str) or not node:
        raise ProgressError("a lab run needs a 'node'")
    if status not in RUN_STATUSES:
        raise InvalidStatus(str(status), RUN_STATUSES, what="lab run status")
    solution = run.get("solution") or "reference"
    if solution not in SOLUTIONS:
        raise InvalidStatus(str(solution), SOLUTIONS, what="solution")
    try:
        started = (parse_time(run["started_at"]) if run.get("started_at") is not None
                   else config.now())
        finished = (parse_time(run["finished_at"]) if run.get("finished_at") is not None
                    else None)
    except ValueError as exc:
        raise ProgressError(f"a lab run has a bad timestamp: {exc}") from None
    result = run.get("result")
    checks = result.get("checks") if isinstance(result, Mapping) else None
    passed = total = None
    if isinstance(checks, list):
        total = len(checks)
        passed = sum(1 for c in checks if isinstance(c, Mapping) and c.get("passed"))
    log_path = run.get("log_path")
    duration = run.get("duration_s")
    rc = run.get("returncode")
    return {
        "user": run.get("user"),
        "node": node,
        "status": status,
        "started_at": started,
        "finished_at": finished,
        "duration_s": float(duration) if isinstance(duration, (int, float)) else None,
        "device": run.get("device"),
        "quick": bool(run.get("quick", False)),
        "solution": solution,
        "solution_sha256": run.get("solution_sha256"),
        "returncode": rc if isinstance(rc, int) else None,
        "checks_passed": passed,
        "checks_total": total,
        "lab_sha256": run.get("lab_sha256"),
        "seed": run.get("seed") if isinstance(run.get("seed"), int) else None,
        "log_path": str(log_path) if log_path is not None else None,
        "result": json.dumps(result, sort_keys=True, default=str) if result is not None
        else None,
    }


def insert_run(conn: Connection, uid: int, user: str, data: dict[str, Any], dedupe: bool
                ) -> tuple[int, bool]:
    """Insert a run (with ``dedupe``, unless recorded already) and verify the node.

    Returns (id, whether it is new).
    """
    data = {k: v for k, v in data.items() if k != "user"}
    node = data.pop("node")
    if dedupe:
        found = conn.execute(sa.select(runs_t.c.id).where(*_same_run(uid, node, data))).scalar()
        if found is not None:
            return int(found), False
    verifies = is_verified(data["status"], data["solution"])
    already = verifies and conn.execute(sa.select(runs_t.c.id).where(
        runs_t.c.user_id == uid, runs_t.c.node_id == node, *VERIFIED).limit(1)
    ).first() is not None
    rid = inserted_id(conn.execute(runs_t.insert().values(user_id=uid, node_id=node, **data)))
    if verifies and not already:
        write_status(conn, user, node, "done", None,
                      verified_at=data["finished_at"] or data["started_at"])
    return rid, True


def _same_run(uid: int, node: str, data: Mapping[str, Any]) -> list[Any]:
    """Where-clauses matching a recorded run: user, node, start, end and status."""
    fin = data.get("finished_at")
    return [runs_t.c.user_id == uid, runs_t.c.node_id == node,
            runs_t.c.started_at == data["started_at"], runs_t.c.status == data["status"],
            runs_t.c.finished_at.is_(None) if fin is None else runs_t.c.finished_at == fin]


def run_summary(r: Any) -> RunSummary:
    return RunSummary(r.id, r.user_name, r.node_id, r.status, r.started_at, r.finished_at,
                      r.duration_s, r.device, bool(r.quick), r.solution, r.solution_sha256,
                      r.returncode, r.checks_passed, r.checks_total, r.log_path, r.lab_sha256,
                      r.seed)


def move_aliases(conn: Connection, alias_map: dict[str, str]) -> int:
    moved = 0
    now = config.now()
    for old, new in alias_map.items():
        rows = conn.execute(sa.select(progress_t).where(progress_t.c.node_id == old)).all()
        for r in rows:
            other = conn.execute(sa.select(progress_t).where(
                progress_t.c.user_id == r.user_id, progress_t.c.node_id == new)).first()
            loser_status = None
            if other is not None:  # progress under both ids: merge, newer status wins
                newer, older = (r, other) if r.updated_at > other.updated_at else (other, r)
                notes = [n for n in (other.note, r.note) if n]
                note = "\n".join(dict.fromkeys(notes))
                conn.execute(progress_t.delete().where(progress_t.c.user_id == r.user_id,
                                                       progress_t.c.node_id == old))
                conn.execute(progress_t.update().where(
                    progress_t.c.user_id == r.user_id, progress_t.c.node_id == new).values(
                    status=newer.status, note=note, updated_at=newer.updated_at,
                    created_at=min(r.created_at, other.created_at)))
                # for the timeline: both rows were counted, the older one goes away
                loser_status = older.status
            else:
                conn.execute(progress_t.update().where(
                    progress_t.c.user_id == r.user_id, progress_t.c.node_id == old
                ).values(node_id=new))
            conn.execute(events_t.update().where(events_t.c.user_id == r.user_id,
                                                 events_t.c.node_id == old).values(node_id=new))
            conn.execute(events_t.insert().values(
                at=now, user_id=r.user_id, kind="alias", node_id=new,
                from_status=loser_status, to_status=None,
                note=f"progress moved from {old!r}"))
            moved += 1
        # history and runs of users without a status under the old id
        conn.execute(events_t.update().where(events_t.c.node_id == old).values(node_id=new))
        for r in conn.execute(sa.select(runs_t.c.id).where(runs_t.c.node_id == old)).all():
            conn.execute(runs_t.update().where(runs_t.c.id == r.id).values(node_id=new))
    return moved


