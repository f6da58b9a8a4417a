"""Moving progress in and out of the store: export files, imports, the runner's history.

An export is one JSON document per user (``format``, ``version``, ``user``, ``statuses``,
``events``, ``lab_runs``) that round-trips exactly: export, import into an empty store,
export again, and the two files are the same. An import is checked field by field first
(every error names its field, ``statuses[2].note``) and then written in one transaction,
so an import that fails changes nothing.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import Table
from sqlalchemy.engine import Connection

from graph import config
from graph.errors import ImportFileError, ProgressError, UnknownNodesError
from graph.model import ID_PATTERN, RUN_STATUSES, SOLUTIONS, STATUSES
from graph.store.records import (
    EVENT_KINDS,
    EXPORT_FORMAT,
    EXPORT_VERSION,
    NAME_PATTERN,
    READABLE_VERSIONS,
    HistoryImport,
    ImportReport,
    UserInfo,
    check_name,
    iso,
    parse_time,
)
from graph.store.rows import find_user_id, insert_run, insert_user, run_fields
from graph.store.schema import attempts_t, events_t, meta_t, progress_t, runs_t, users_t

if TYPE_CHECKING:  # pragma: no cover
    from graph.store.store import Store

__all__ = [
    "export_user",
    "export_file",
    "import_user",
    "import_file",
    "import_lab_history",
    "validate_export",
]

_CHUNK = 500  # rows per executemany in bulk imports
_PARTS = ("statuses", "events", "lab_runs", "attempts")  # an export's lists of records
_RUN_EXPORT = ("node", "status", "started_at", "finished_at", "duration_s", "device", "quick",
               "solution", "solution_sha256", "returncode", "checks_passed", "checks_total",
               "lab_sha256", "seed")
_ATTEMPT_EXPORT = ("node", "created_at", "code", "code_sha256", "status")


# --------------------------------------------------------------------------- export


def export_user(store: Store, user: str) -> dict[str, Any]:
    """A user's statuses, notes, events, lab-run summaries and practice attempts, as a
    versioned dict.

    The result is deterministic: exporting, importing into an empty store and
    exporting again gives the same data.
    """
    with store.read() as conn:
        uid = store.user_id(conn, user)
        if uid is None:  # the default profile, never used
            return _export_doc(UserInfo(user, None, config.now()), [], [], [], [])
        info = conn.execute(sa.select(users_t.c.name, users_t.c.display_name,
                                      users_t.c.created_at)
                            .where(users_t.c.id == uid)).one()
        statuses = conn.execute(sa.select(progress_t).where(progress_t.c.user_id == uid)
                                .order_by(progress_t.c.node_id)).all()
        events = conn.execute(sa.select(events_t).where(events_t.c.user_id == uid)
                              .order_by(events_t.c.at, events_t.c.id)).all()
        runs = conn.execute(sa.select(runs_t).where(runs_t.c.user_id == uid)
                            .order_by(runs_t.c.started_at, runs_t.c.node_id)).all()
        attempts = conn.execute(sa.select(attempts_t).where(attempts_t.c.user_id == uid)
                                .order_by(attempts_t.c.created_at, attempts_t.c.id)).all()
    return _export_doc(UserInfo(*info), statuses, events, runs, attempts)


def export_file(store: Store, user: str, path: str | Path) -> Path:
    """Write :func:`export_user` to ``path`` as JSON (sorted keys, UTF-8)."""
    path = Path(path)
    text = json.dumps(export_user(store, user), indent=2, sort_keys=True,
                      ensure_ascii=False) + "\n"
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ProgressError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def import_user(store: Store, data: Any, *, user: str | None = None,
                allow_unknown: bool = False, source: str = "progress file",
                on_progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import an export (see :func:`export_user`) in one transaction.

    Parameters
    ----------
    data
        The parsed file.
    user
        Import into this user instead of the file's (created when missing).
    allow_unknown
        Keep progress on nodes the roadmap does not have, aside (stored, listed by
        :meth:`Store.unknown_nodes`, not counted); without it such a file is rejected.
    source
        The file's name, for messages.
    on_progress
        Called with (rows written, rows in all) after each chunk of a bulk import.

    Merging into existing progress: a status replaces the stored one when it is
    newer; events and runs already present are not duplicated.

    Raises
    ------
    ImportFileError
        Naming the wrong field; nothing is changed.
    UnknownNodesError
        Listing the unknown node ids (without ``allow_unknown``); nothing is changed.
    """
    doc = validate_export(data, source)
    name = check_name(user or doc["user"]["name"], "user")
    report = ImportReport(name)
    _map_nodes(store, doc, source, allow_unknown, report)
    total = sum(len(doc[part]) for part in _PARTS)
    written = 0

    def tick(n: int) -> None:
        nonlocal written
        written += n
        if on_progress is not None:
            on_progress(written, total)

    with store.write() as conn:
        uid = find_user_id(conn, name)
        if uid is None:
            u = doc["user"]
            uid = insert_user(conn, name, u.get("display_name"),
                              u.get("created_at") or config.now())
        newer = {r.node_id: r.updated_at for r in conn.execute(
            sa.select(progress_t.c.node_id, progress_t.c.updated_at)
            .where(progress_t.c.user_id == uid))}
        events = {_event_key(r) for r in conn.execute(
            sa.select(events_t).where(events_t.c.user_id == uid))}
        runs = {_run_key(r.node_id, r._mapping) for r in conn.execute(
            sa.select(runs_t.c.node_id, runs_t.c.started_at, runs_t.c.finished_at,
                      runs_t.c.status).where(runs_t.c.user_id == uid))}
        report.statuses = _merge(
            conn, progress_t, [_status_row(uid, s) for s in doc["statuses"]],
            lambda r: r["node_id"] not in newer or newer[r["node_id"]] < r["updated_at"],
            report, tick, replace=lambda part: progress_t.delete().where(
                progress_t.c.user_id == uid,
                progress_t.c.node_id.in_([r["node_id"] for r in part])))
        report.events = _merge(conn, events_t, [_event_row(uid, e) for e in doc["events"]],
                               _first_time(events, _event_key), report, tick)
        report.lab_runs = _merge(
            conn, runs_t, [_run_row(uid, r) for r in doc["lab_runs"]],
            _first_time(runs, lambda r: _run_key(r["node_id"], r)), report, tick)
        attempts = {(r.node_id, r.created_at, r.code_sha256) for r in conn.execute(
            sa.select(attempts_t.c.node_id, attempts_t.c.created_at, attempts_t.c.code_sha256)
            .where(attempts_t.c.user_id == uid))}
        report.attempts = _merge(
            conn, attempts_t, [_attempt_row(uid, a) for a in doc["attempts"]],
            _first_time(attempts, lambda r: (r["node_id"], r["created_at"], r["code_sha256"])),
            report, tick)
    return report


def _merge(conn: Connection, table: Table, rows: list[dict[str, Any]],
           is_new: Callable[[dict[str, Any]], bool], report: ImportReport,
           tick: Callable[[int], None],
           replace: Callable[[list[dict[str, Any]]], Any] | None = None) -> int:
    """Insert the ``rows`` that ``is_new`` accepts, in chunks; count the others as duplicates.

    ``replace(chunk)`` is a statement run before each chunk is inserted (to delete the rows
    it supersedes). Returns how many rows were inserted.
    """
    fresh = [r for r in rows if is_new(r)]
    report.duplicates += len(rows) - len(fresh)
    for part in _chunks(fresh):
        if replace is not None:
            conn.execute(replace(part))
        conn.execute(table.insert(), part)
        tick(len(part))
    return len(fresh)


def _first_time(seen: set[Any], key: Callable[[Any], Any]) -> Callable[[dict[str, Any]], bool]:
    """A test that accepts a row whose key is not in ``seen`` (then adds it there)."""

    def is_new(row: dict[str, Any]) -> bool:
        k = key(row)
        if k in seen:
            return False
        seen.add(k)
        return True

    return is_new


def _status_row(uid: int, s: dict[str, Any]) -> dict[str, Any]:
    return {"user_id": uid, "node_id": s["node"], "status": s["status"], "note": s["note"],
            "created_at": s["created_at"], "updated_at": s["updated_at"]}


def _event_row(uid: int, e: dict[str, Any]) -> dict[str, Any]:
    return {"user_id": uid, "at": e["at"], "kind": e["kind"], "node_id": e["node"],
            "from_status": e["from"], "to_status": e["to"], "note": e["note"]}


def _run_row(uid: int, r: dict[str, Any]) -> dict[str, Any]:
    return {"user_id": uid, "node_id": r["node"],
            **{k: r[k] for k in _RUN_EXPORT if k != "node"}}


def _attempt_row(uid: int, a: dict[str, Any]) -> dict[str, Any]:
    return {"user_id": uid, "node_id": a["node"],
            **{k: a[k] for k in _ATTEMPT_EXPORT if k != "node"}}


def import_file(store: Store, path: str | Path, **kwargs: Any) -> ImportReport:
    """Read a JSON progress file and :func:`import_user` it (``kwargs`` are its options)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ImportFileError(str(path), "", f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ImportFileError(str(path), "", "not a UTF-8 text file") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(str(path), "", f"not JSON (line {exc.lineno}, column "
                              f"{exc.colno}: {exc.msg})") from None
    kwargs.setdefault("source", str(path))
    return import_user(store, data, **kwargs)


def _map_nodes(store: Store, doc: dict[str, Any], source: str, allow_unknown: bool,
               report: ImportReport) -> None:
    """Map aliases to current ids; reject (or list) nodes the roadmap lacks."""
    if store.roadmap is None:
        return
    nodes, aliases = store.roadmap.nodes, store.roadmap.alias_map
    unknown: dict[str, str] = {}
    for part in _PARTS:
        for i, item in enumerate(doc[part]):
            nid = item["node"]
            if nid is None:
                continue
            if nid in aliases:
                report.renamed[nid] = item["node"] = aliases[nid]
            elif nid not in nodes:
                unknown.setdefault(nid, f"{part}[{i}].node")
    if unknown and not allow_unknown:
        raise UnknownNodesError(source, sorted(unknown), unknown)
    report.unknown = sorted(unknown)
    statuses: dict[str, dict[str, Any]] = {}
    for s in doc["statuses"]:  # two entries that now name one node: the newer wins
        prev = statuses.get(s["node"])
        if prev is None or s["updated_at"] > prev["updated_at"]:
            statuses[s["node"]] = s
    doc["statuses"] = list(statuses.values())


# --------------------------------------------------------------------------- lab history


def import_lab_history(store: Store, path: str | Path | None = None) -> HistoryImport:
    """Import the runner's JSON-lines history once.

    The byte offset read so far is remembered in the store, so lines appended later
    are imported on a later call and no line twice; a run already recorded (same
    node, start, end and status) is not duplicated if the file is read again. Lines
    that are not a run are reported by number, not dropped silently.
    """
    path = Path(path) if path is not None else config.lab_history_path()
    report = HistoryImport(str(path))
    if not path.is_file():
        return report
    key = _history_key(path)
    with store.read() as conn:  # nothing new: no write lock taken
        done = conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == key)).scalar()
    if done is not None and int(done) == path.stat().st_size:
        return report
    with store.write() as conn:
        offset = int(conn.execute(sa.select(meta_t.c.value)
                                  .where(meta_t.c.key == key)).scalar() or 0)
        with path.open("rb") as f:
            size = f.seek(0, os.SEEK_END)
            if offset > size:  # the file was replaced: read it again (no duplicates)
                offset = 0
            f.seek(offset)
            chunk = f.read()
        end = chunk.rfind(b"\n") + 1  # only whole lines; a line being written waits
        first_line = 1 + _count_lines(path, offset)
        for i, raw in enumerate(chunk[:end].splitlines()):
            if not raw.strip():
                continue
            try:
                data = run_fields(json.loads(raw))
            except (ValueError, TypeError, ProgressError):
                report.bad_lines.append(first_line + i)
                continue
            name = data.pop("user", None) or config.current_user()
            if not NAME_PATTERN.match(name):
                report.bad_lines.append(first_line + i)
                continue
            uid = find_user_id(conn, name)
            if uid is None:
                uid = insert_user(conn, name, None, config.now())
            if store.roadmap is not None:
                data["node"] = store.roadmap.alias_map.get(data["node"], data["node"])
            _rid, new = insert_run(conn, uid, name, data, dedupe=True)
            if new:
                report.imported += 1
            else:
                report.duplicates += 1
        _set_meta(conn, key, str(offset + end))
    return report


def _set_meta(conn: Connection, key: str, value: str) -> None:
    if conn.execute(meta_t.update().where(meta_t.c.key == key).values(value=value)).rowcount:
        return
    conn.execute(meta_t.insert().values(key=key, value=value))


def _history_key(path: Path) -> str:
    """The store_meta key of a history file's offset: host, path and its first line.

    A team's PostgreSQL store hears from many machines, where one path may hold different
    files; a file replaced by another starts with another line, so it is read afresh.
    """
    import hashlib
    import socket

    with path.open("rb") as f:
        first = f.readline(4096)
    digest = hashlib.sha256(first).hexdigest()[:16]
    return f"lab_history_offset:{digest}:{socket.gethostname()}:{path.resolve()}"[:255]


def _count_lines(path: Path, upto: int) -> int:
    if upto <= 0:
        return 0
    with path.open("rb") as f:
        return f.read(upto).count(b"\n")


def _chunks(rows: list[dict[str, Any]], n: int = _CHUNK) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), n):
        yield rows[i:i + n]


def _run_key(node: str, r: Any) -> tuple[Any, ...]:
    return (node, r["started_at"], r.get("finished_at"), r["status"])


def _event_key(r: Any) -> tuple[Any, ...]:
    get = r.get if isinstance(r, dict) else r._mapping.get
    return (get("at"), get("kind"), get("node_id"), get("from_status"), get("to_status"),
            get("note"))




# --------------------------------------------------------------------------- file format


def _export_doc(user: UserInfo, statuses: Iterable[Any], events: Iterable[Any],
                runs: Iterable[Any], attempts: Iterable[Any]) -> dict[str, Any]:
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "user": {"name": user.name, "display_name": user.display_name,
                 "created_at": iso(user.created_at)},
        "statuses": [{"node": s.node_id, "status": s.status, "note": s.note,
                      "created_at": iso(s.created_at), "updated_at": iso(s.updated_at)}
                     for s in statuses],
        "events": [{"at": iso(e.at), "kind": e.kind, "node": e.node_id,
                    "from": e.from_status, "to": e.to_status, "note": e.note}
                   for e in events],
        "lab_runs": [{"node": r.node_id, "status": r.status,
                      "started_at": iso(r.started_at), "finished_at": iso(r.finished_at),
                      "duration_s": r.duration_s, "device": r.device, "quick": bool(r.quick),
                      "solution": r.solution, "solution_sha256": r.solution_sha256,
                      "returncode": r.returncode, "checks_passed": r.checks_passed,
                      "checks_total": r.checks_total, "lab_sha256": r.lab_sha256,
                      "seed": r.seed}
                     for r in runs],
        "attempts": [{"node": a.node_id, "created_at": iso(a.created_at), "code": a.code,
                      "code_sha256": a.code_sha256, "status": a.status}
                     for a in attempts],
    }


class _Fields:
    """Checks of one import document; every error names the field (``statuses[2].note``)."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, msg: str) -> ImportFileError:
        return ImportFileError(self.source, path, msg)

    def obj(self, v: Any, path: str, required: tuple[str, ...],
            optional: tuple[str, ...] = ()) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise self.fail(path, f"expected an object, got {_jtype(v)}")
        for k in required:
            if k not in v:
                raise self.fail(f"{path}.{k}" if path else k, "required field is missing")
        allowed = set(required) | set(optional)
        for k in v:
            if k not in allowed:
                close = difflib.get_close_matches(k, sorted(allowed), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise self.fail(f"{path}.{k}" if path else k, f"unknown field{hint}")
        return v

    def str_(self, v: Any, path: str, nullable: bool = False, max_len: int = 100_000
             ) -> str | None:
        if v is None and nullable:
            return None
        if not isinstance(v, str):
            raise self.fail(path, f"expected a string, got {_jtype(v)}")
        if len(v) > max_len:
            raise self.fail(path, f"longer than {max_len} characters")
        return v

    def choice(self, v: Any, path: str, allowed: tuple[str, ...], nullable: bool = False
               ) -> str | None:
        if v is None and nullable:
            return None
        if v not in allowed:
            raise self.fail(path, f"{v!r} is not one of {', '.join(allowed)}")
        return str(v)

    def time(self, v: Any, path: str, nullable: bool = False) -> datetime | None:
        if v is None and nullable:
            return None
        if not isinstance(v, str):
            raise self.fail(path, f"expected an ISO 8601 timestamp, got {_jtype(v)}")
        try:
            return parse_time(v)
        except ValueError:
            raise self.fail(path, f"{v!r} is not an ISO 8601 timestamp") from None

    def num(self, v: Any, path: str, kind: type = float) -> Any:
        if v is None:
            return None
        ok = (isinstance(v, int) if kind is int else isinstance(v, (int, float))) and not (
            isinstance(v, bool))
        if not ok:
            raise self.fail(path, f"expected {'an integer' if kind is int else 'a number'}, "
                            f"got {_jtype(v)}")
        return float(v) if kind is float else int(v)

    def node(self, v: Any, path: str, nullable: bool = False) -> str | None:
        if v is None and nullable:
            return None
        s = self.str_(v, path, max_len=128)
        assert s is not None
        if not ID_PATTERN.match(s):
            raise self.fail(path, f"{s!r} is not a node id (kebab-case)")
        return s


def _jtype(v: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "null"}.get(type(v), type(v).__name__)


def validate_export(data: Any, source: str) -> dict[str, Any]:
    """Check an export document field by field; return it normalised (datetimes parsed).

    Raises
    ------
    ImportFileError
        Naming the first wrong field (``statuses[2].note``) and what is wrong with it.
    """
    f = _Fields(source)
    top = f.obj(data, "", ("format", "version", "user", "statuses", "events", "lab_runs"),
                ("attempts",))
    if top["format"] != EXPORT_FORMAT:
        raise f.fail("format", f"{top['format']!r} is not a Roadmap Lab progress file "
                     f"(expected {EXPORT_FORMAT!r})")
    version = top["version"]
    if (not isinstance(version, int) or isinstance(version, bool)
            or version not in READABLE_VERSIONS):
        raise f.fail("version", f"unsupported version {version!r} (this Roadmap Lab reads "
                     f"versions {', '.join(map(str, READABLE_VERSIONS))})")
    u = f.obj(top["user"], "user", ("name",), ("display_name", "created_at"))
    user = {"name": f.str_(u["name"], "user.name", max_len=64),
            "display_name": f.str_(u.get("display_name"), "user.display_name", True, 200),
            "created_at": f.time(u.get("created_at"), "user.created_at", True)}
    if not NAME_PATTERN.match(str(user["name"])):
        raise f.fail("user.name", f"{user['name']!r} is not a valid user name")
    out: dict[str, Any] = {"user": user, **{part: [] for part in _PARTS}}
    top.setdefault("attempts", [])
    for part in _PARTS:
        if not isinstance(top[part], list):
            raise f.fail(part, f"expected a list, got {_jtype(top[part])}")
    seen: set[str] = set()
    for i, s in enumerate(top["statuses"]):
        p = f"statuses[{i}]"
        f.obj(s, p, ("node", "status", "updated_at"), ("note", "created_at"))
        node = f.node(s["node"], f"{p}.node")
        if node in seen:
            raise f.fail(f"{p}.node", f"{node!r} is listed twice")
        seen.add(node or "")
        updated = f.time(s["updated_at"], f"{p}.updated_at")
        out["statuses"].append({
            "node": node, "status": f.choice(s["status"], f"{p}.status", STATUSES),
            "note": f.str_(s.get("note", ""), f"{p}.note"),
            "created_at": f.time(s.get("created_at"), f"{p}.created_at", True) or updated,
            "updated_at": updated})
    for i, e in enumerate(top["events"]):
        p = f"events[{i}]"
        f.obj(e, p, ("at", "kind"), ("node", "from", "to", "note"))
        out["events"].append({
            "at": f.time(e["at"], f"{p}.at"),
            "kind": f.choice(e["kind"], f"{p}.kind", EVENT_KINDS),
            "node": f.node(e.get("node"), f"{p}.node", True),
            "from": f.choice(e.get("from"), f"{p}.from", STATUSES, True),
            "to": f.choice(e.get("to"), f"{p}.to", STATUSES, True),
            "note": f.str_(e.get("note"), f"{p}.note", True)})
    for i, r in enumerate(top["lab_runs"]):
        p = f"lab_runs[{i}]"
        f.obj(r, p, ("node", "status", "started_at"),
              tuple(k for k in _RUN_EXPORT if k not in ("node", "status", "started_at")))
        quick = r.get("quick", False)
        if not isinstance(quick, bool):
            raise f.fail(f"{p}.quick", f"expected true or false, got {_jtype(quick)}")
        out["lab_runs"].append({
            "node": f.node(r["node"], f"{p}.node"),
            "status": f.choice(r["status"], f"{p}.status", RUN_STATUSES),
            "started_at": f.time(r["started_at"], f"{p}.started_at"),
            "finished_at": f.time(r.get("finished_at"), f"{p}.finished_at", True),
            "duration_s": f.num(r.get("duration_s"), f"{p}.duration_s"),
            "device": f.str_(r.get("device"), f"{p}.device", True, 64),
            "quick": quick,
            "solution": f.choice(r.get("solution", "reference"), f"{p}.solution", SOLUTIONS),
            "solution_sha256": f.str_(r.get("solution_sha256"), f"{p}.solution_sha256",
                                      True, 64),
            "returncode": f.num(r.get("returncode"), f"{p}.returncode", int),
            "checks_passed": f.num(r.get("checks_passed"), f"{p}.checks_passed", int),
            "checks_total": f.num(r.get("checks_total"), f"{p}.checks_total", int),
            "lab_sha256": f.str_(r.get("lab_sha256"), f"{p}.lab_sha256", True, 64),
            "seed": f.num(r.get("seed"), f"{p}.seed", int)})
    for i, a in enumerate(top["attempts"]):
        p = f"attempts[{i}]"
        f.obj(a, p, ("node", "created_at", "code", "code_sha256"), ("status",))
        out["attempts"].append({
            "node": f.node(a["node"], f"{p}.node"),
            "created_at": f.time(a["created_at"], f"{p}.created_at"),
            "code": f.str_(a["code"], f"{p}.code", max_len=1_000_000),
            "code_sha256": f.str_(a["code_sha256"], f"{p}.code_sha256", max_len=64),
            "status": f.choice(a.get("status"), f"{p}.status", RUN_STATUSES, True)})
    return out


