"""The progress store: users, teams, node statuses, their history, lab runs and renames.

Statuses advise, they never lock a node: any node may be set to any status at any time.
Every change is appended to ``events`` (who, what, when), so timelines can be drawn. A lab
run that passes with the learner's own solution marks the node *verified* (and done).

Examples
--------
>>> store = Store("sqlite://")
>>> _ = store.add_user("ana")
>>> store.set_status("ana", "calculus", "learning").new
'learning'
>>> store.statuses("ana")["calculus"].status
'learning'
>>> store.close()
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import Table
from sqlalchemy.engine import Connection

from graph import config
from graph.errors import InvalidStatus, NodeNotFound, ProgressError
from graph.model import (
    FINISHED,
    ID_PATTERN,
    STATUSES,
)
from graph.store import transfer
from graph.store.engine import Database
from graph.store.records import (
    ROLES,
    Event,
    HistoryImport,
    ImportReport,
    Member,
    NodeStatus,
    RunSummary,
    StatusChange,
    TeamInfo,
    UserInfo,
    check_name,
)
from graph.store.rows import (
    find_user_id,
    insert_run,
    insert_user,
    inserted_id,
    move_aliases,
    progress_row,
    run_fields,
    run_summary,
    unknown_name,
    write_status,
)
from graph.store.schema import (
    SCHEMA_VERSION,
    VERIFIED,
    events_t,
    members_t,
    migrate,
    progress_t,
    runs_t,
    schema_version,
    teams_t,
    users_t,
)

if TYPE_CHECKING:  # pragma: no cover
    from graph.model import Roadmap

__all__ = ["Store", "open_store", "store_recorder", "done_for"]

_Q = TypeVar("_Q", bound=sa.Select[Any])


class Store:
    """The progress store.

    Parameters
    ----------
    url
        SQLAlchemy URL or a SQLite file path; default: ``ROADMAP_DB_URL``, then the SQLite
        file in :func:`data_dir`.
    roadmap
        When given, node ids are checked against it (with "did you mean"), and progress
        recorded under a node's ``aliases`` moves to its current id when the store opens.
    busy_timeout_s
        How long a SQLite writer waits for another one before giving up.

    Raises
    ------
    ProgressError
        When the database cannot be opened (not a database, read-only, unreachable,
        a newer schema).
    """

    def __init__(self, url: str | None = None, *, roadmap: Roadmap | None = None,
                 busy_timeout_s: float = 30.0) -> None:
        self.db = Database(url, busy_timeout_s=busy_timeout_s)
        self.url, self.location, self.dialect = self.db.url, self.db.location, self.db.dialect
        self.engine = self.db.engine
        self.roadmap = roadmap
        try:
            with self.read() as conn:
                current = schema_version(conn) == SCHEMA_VERSION
            if not current:
                with self.write() as conn:
                    migrate(conn)
            if roadmap is not None and roadmap.alias_map:
                self.apply_aliases(roadmap.alias_map)
        except BaseException:
            self.db.close()
            raise

    def close(self) -> None:
        """Release every connection."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.location!r})"

    @property
    def schema_version(self) -> int:
        """The schema version recorded in the database."""
        with self.read() as conn:
            return schema_version(conn)

    # -- the public way to run SQL on the store -------------------------------------------

    def read(self) -> AbstractContextManager[Connection]:
        """A connection in one read transaction (see :meth:`Database.read`).

        Queries built on the store (``graph.store.team``) run through it, with the
        tables of ``graph.store.schema`` and the lookups below.
        """
        return self.db.read()

    def write(self) -> AbstractContextManager[Connection]:
        """A connection in one write transaction: all of it is committed, or none."""
        return self.db.write()

    def user_id(self, conn: Connection, name: str) -> int | None:
        """The id of user ``name``; None for the local profile before its first use.

        Raises
        ------
        NodeNotFound
            ``unknown user id ...; did you mean ...``.
        """
        uid = find_user_id(conn, name)
        if uid is None and name != config.DEFAULT_USER:
            raise unknown_name(conn, users_t, name, "user")
        return uid

    def team_id(self, conn: Connection, name: str) -> int:
        """The id of team ``name`` (NodeNotFound with suggestions when there is none)."""
        tid = conn.execute(sa.select(teams_t.c.id).where(teams_t.c.name == name)).scalar()
        if tid is None:
            raise unknown_name(conn, teams_t, name, "team")
        return int(tid)

    def member_ids(self, conn: Connection, team: str) -> sa.ScalarSelect[Any]:
        """The user ids of ``team``'s members, as a subquery for ``column.in_(...)``."""
        tid = self.team_id(conn, team)
        return sa.select(members_t.c.user_id).where(members_t.c.team_id == tid).scalar_subquery()

    def narrow(self, conn: Connection, query: _Q, table: Table, user: str | None = None,
               node: str | None = None) -> _Q | None:
        """``query`` narrowed to ``user``'s and ``node``'s rows of ``table``.

        None when ``user`` is the local profile before its first use: it has no rows.
        """
        if user is not None:
            uid = self.user_id(conn, user)
            if uid is None:
                return None
            query = query.where(table.c.user_id == uid)
        if node is not None:
            query = query.where(table.c.node_id == self.resolve_node(node))
        return query

    def verified_nodes(self, conn: Connection, user_ids: Any = None) -> dict[int, set[str]]:
        """The nodes each user has verified (by user id); ``user_ids`` narrows it."""
        q = sa.select(runs_t.c.user_id, runs_t.c.node_id).distinct().where(*VERIFIED)
        if user_ids is not None:
            q = q.where(runs_t.c.user_id.in_(user_ids))
        out: dict[int, set[str]] = defaultdict(set)
        for uid, node in conn.execute(q):
            out[uid].add(node)
        return out

    # -- users ---------------------------------------------------------------------------

    def add_user(self, name: str, display_name: str | None = None) -> UserInfo:
        """Add a user.

        Raises
        ------
        ProgressError
            If the name is invalid or taken.
        """
        check_name(name, "user")
        with self.write() as conn:
            if find_user_id(conn, name) is not None:
                raise ProgressError(f"user {name!r} already exists")
            now = config.now()
            conn.execute(users_t.insert().values(name=name, display_name=display_name,
                                                 created_at=now))
        return UserInfo(name, display_name, now)

    def users(self) -> list[UserInfo]:
        """Every user, by name."""
        with self.read() as conn:
            rows = conn.execute(sa.select(users_t.c.name, users_t.c.display_name,
                                          users_t.c.created_at).order_by(users_t.c.name))
            return [UserInfo(*r) for r in rows]

    def user(self, name: str) -> UserInfo:
        """One user.

        Raises
        ------
        NodeNotFound
            ``unknown user id ...; did you mean ...``.
        """
        with self.read() as conn:
            row = conn.execute(sa.select(users_t.c.name, users_t.c.display_name,
                                         users_t.c.created_at)
                               .where(users_t.c.name == name)).first()
            if row is None:
                raise unknown_name(conn, users_t, name, "user")
            return UserInfo(*row)

    def rename_user(self, old: str, new: str) -> None:
        """Rename a user; their progress, history and teams follow."""
        check_name(new, "user")
        with self.write() as conn:
            uid = self._uid(conn, old, create_default=False)
            if find_user_id(conn, new) is not None:
                raise ProgressError(f"user {new!r} already exists")
            conn.execute(users_t.update().where(users_t.c.id == uid).values(name=new))

    def _uid(self, conn: Connection, name: str, create_default: bool = True) -> int:
        uid = find_user_id(conn, name)
        if uid is None:
            if create_default and name == config.DEFAULT_USER:
                return insert_user(conn, name, None, config.now())
            raise unknown_name(conn, users_t, name, "user")
        return uid

    # -- teams ---------------------------------------------------------------------------

    def add_team(self, name: str, admin: str | None = None) -> TeamInfo:
        """Create a team; ``admin`` (a user) becomes its first admin."""
        check_name(name, "team")
        with self.write() as conn:
            if conn.execute(sa.select(teams_t.c.id).where(teams_t.c.name == name)).first():
                raise ProgressError(f"team {name!r} already exists")
            now = config.now()
            tid = inserted_id(conn.execute(teams_t.insert().values(name=name,
                                                                     created_at=now)))
            if admin is not None:
                conn.execute(members_t.insert().values(
                    team_id=tid, user_id=self._uid(conn, admin), role="admin", joined_at=now))
        return self.team(name)

    def teams(self) -> list[str]:
        """Every team name."""
        with self.read() as conn:
            return list(conn.scalars(sa.select(teams_t.c.name).order_by(teams_t.c.name)))

    def join_team(self, team: str, user: str, role: str = "member") -> None:
        """Add ``user`` to ``team`` with ``role`` (admin or member); a member's role changes."""
        if role not in ROLES:
            raise InvalidStatus(role, ROLES, what="role")
        with self.write() as conn:
            tid, uid = self.team_id(conn, team), self._uid(conn, user)
            found = conn.execute(sa.select(members_t.c.role).where(
                members_t.c.team_id == tid, members_t.c.user_id == uid)).first()
            if found is None:
                conn.execute(members_t.insert().values(team_id=tid, user_id=uid, role=role,
                                                       joined_at=config.now()))
            elif found.role != role:
                conn.execute(members_t.update().where(
                    members_t.c.team_id == tid, members_t.c.user_id == uid).values(role=role))

    def leave_team(self, team: str, user: str) -> None:
        """Remove ``user`` from ``team``."""
        with self.write() as conn:
            tid, uid = self.team_id(conn, team), self._uid(conn, user, create_default=False)
            gone = conn.execute(members_t.delete().where(
                members_t.c.team_id == tid, members_t.c.user_id == uid)).rowcount
            if not gone:
                raise ProgressError(f"user {user!r} is not a member of team {team!r}")

    def team(self, name: str) -> TeamInfo:
        """A team and its members (admins first)."""
        with self.read() as conn:
            tid = self.team_id(conn, name)
            created = conn.execute(sa.select(teams_t.c.created_at)
                                   .where(teams_t.c.id == tid)).scalar_one()
            rows = conn.execute(
                sa.select(users_t.c.name, members_t.c.role, members_t.c.joined_at)
                .join(users_t, users_t.c.id == members_t.c.user_id)
                .where(members_t.c.team_id == tid)
                .order_by(members_t.c.role, users_t.c.name))
            return TeamInfo(name, created, [Member(*r) for r in rows])

    # -- statuses ------------------------------------------------------------------------

    def resolve_node(self, node: str) -> str:
        """The current id of ``node`` (an alias maps to it).

        Raises
        ------
        NodeNotFound
            If the store has a roadmap and ``node`` is not in it.
        """
        if self.roadmap is None:
            if not isinstance(node, str) or not ID_PATTERN.match(node):
                raise NodeNotFound(str(node), [])
            return node
        return self.roadmap.get(node).id

    def set_status(self, user: str, node: str, status: str,
                   note: str | None = None) -> StatusChange:
        """Set a user's status of a node (``note=None`` keeps the current note).

        Statuses advise; any node may be set to anything, whatever its prerequisites.
        A change appends an event; setting the same status and note again does nothing.

        Raises
        ------
        InvalidStatus, NodeNotFound
            For an unknown status, node or user.
        """
        if status not in STATUSES:
            raise InvalidStatus(status, STATUSES)
        node = self.resolve_node(node)
        with self.write() as conn:
            return self._change(conn, user, node, status, note)

    def set_note(self, user: str, node: str, note: str) -> StatusChange:
        """Change only the note of a node (its status stays, ``todo`` if it had none)."""
        node = self.resolve_node(node)
        with self.write() as conn:
            return self._change(conn, user, node, None, note)

    def _change(self, conn: Connection, user: str, node: str, status: str | None,
                note: str | None) -> StatusChange:
        ch = write_status(conn, user, node, status, note)
        if ch is None:  # no such user
            self._uid(conn, user)  # raises, or adds the local profile
            ch = write_status(conn, user, node, status, note)
            assert ch is not None
        return ch

    def statuses(self, user: str) -> dict[str, NodeStatus]:
        """A user's recorded statuses by node id (nodes never touched are absent)."""
        with self.read() as conn:
            uid = self.user_id(conn, user)
            if uid is None:
                return {}
            verified = self.verified_nodes(conn, [uid]).get(uid, set())
            rows = conn.execute(
                sa.select(progress_t.c.node_id, progress_t.c.status, progress_t.c.note,
                          progress_t.c.created_at, progress_t.c.updated_at)
                .where(progress_t.c.user_id == uid).order_by(progress_t.c.node_id))
            return {r.node_id: NodeStatus(r.node_id, r.status, r.note, r.created_at,
                                          r.updated_at, r.node_id in verified) for r in rows}

    def status(self, user: str, node: str) -> str:
        """A user's status of one node (``todo`` when none is recorded)."""
        node = self.resolve_node(node)
        with self.read() as conn:
            uid = self.user_id(conn, user)
            row = progress_row(conn, uid, node) if uid is not None else None
            return row.status if row is not None else "todo"

    def events(self, user: str | None = None, node: str | None = None,
               since: datetime | None = None) -> list[Event]:
        """The history, oldest first, optionally for one user and/or node."""
        with self.read() as conn:
            q = (sa.select(events_t.c.at, users_t.c.name, events_t.c.kind, events_t.c.node_id,
                           events_t.c.from_status, events_t.c.to_status, events_t.c.note)
                 .join(users_t, users_t.c.id == events_t.c.user_id)
                 .order_by(events_t.c.at, events_t.c.id))
            mine = self.narrow(conn, q, events_t, user, node)
            if mine is None:
                return []
            if since is not None:
                mine = mine.where(events_t.c.at >= since)
            return [Event(*r) for r in conn.execute(mine)]

    def unknown_nodes(self, user: str) -> list[str]:
        """Node ids with progress for ``user`` that the roadmap does not have (kept aside)."""
        if self.roadmap is None:
            return []
        return sorted(n for n in self.statuses(user) if n not in self.roadmap.nodes)

    # -- lab runs ------------------------------------------------------------------------

    def record_run(self, user: str | None, run: Any) -> int:
        """Record a lab run (a ``graph.runner.LabRun`` or a dict of its fields).

        A pass with the learner's own solution marks the node verified and, unless it is
        already done, sets it to done (one ``verified`` event). ``user`` None means the
        run's own ``user`` field, else the current user; a user not yet in the store is
        added (a run is never lost for want of a profile).

        Returns
        -------
        int
            The run's id in the store.
        """
        data = run_fields(run)
        name = check_name(user or data.pop("user", None) or config.current_user(), "user")
        data.pop("user", None)
        with self.write() as conn:
            uid = find_user_id(conn, name)
            if uid is None:
                uid = insert_user(conn, name, None, config.now())
            rid, _new = insert_run(conn, uid, name, data, dedupe=False)
            return rid

    def runs(self, user: str | None = None, node: str | None = None) -> list[RunSummary]:
        """Recorded lab runs, oldest first."""
        with self.read() as conn:
            q = (sa.select(runs_t, users_t.c.name.label("user_name"))
                 .join(users_t, users_t.c.id == runs_t.c.user_id)
                 .order_by(runs_t.c.started_at, runs_t.c.id))
            mine = self.narrow(conn, q, runs_t, user, node)
            return [] if mine is None else [run_summary(r) for r in conn.execute(mine)]

    def last_runs(self, user: str | None = None) -> dict[str, RunSummary]:
        """The latest recorded run of each node (of ``user``, or of anyone)."""
        latest: dict[str, RunSummary] = {}
        for r in self.runs(user):  # oldest first: later ones replace earlier ones
            latest[r.node] = r
        return latest

    def verified(self, user: str) -> set[str]:
        """Nodes a user has passed with their own solution."""
        with self.read() as conn:
            uid = self.user_id(conn, user)
            return self.verified_nodes(conn, [uid]).get(uid, set()) if uid is not None else set()

    # -- renames -------------------------------------------------------------------------

    def apply_aliases(self, alias_map: Mapping[str, str]) -> int:
        """Move progress, history and runs recorded under old ids to the current ids.

        When a user has progress under both ids, the more recently updated status wins
        and both notes are kept; an ``alias`` event records every move. Nothing is lost.

        Returns
        -------
        int
            How many (user, node) statuses moved.
        """
        olds = [o for o, n in alias_map.items() if o != n]
        if not olds:
            return 0
        with self.read() as conn:
            hit = conn.execute(sa.select(sa.or_(*(
                sa.exists().where(t.c.node_id.in_(olds))
                for t in (progress_t, events_t, runs_t))))).scalar()
        if not hit:
            return 0
        with self.write() as conn:
            return move_aliases(conn, {o: alias_map[o] for o in olds})

    # -- export / import (graph.store.transfer) -------------------------------------------

    def export_user(self, user: str) -> dict[str, Any]:
        """A user's progress as a versioned dict; see :func:`transfer.export_user`."""
        return transfer.export_user(self, user)

    def export_file(self, user: str, path: str | Path) -> Path:
        """Write :meth:`export_user` to ``path`` as JSON; see :func:`transfer.export_file`."""
        return transfer.export_file(self, user, path)

    def import_user(self, data: Any, **kwargs: Any) -> ImportReport:
        """Import an export in one transaction; see :func:`transfer.import_user`."""
        return transfer.import_user(self, data, **kwargs)

    def import_file(self, path: str | Path, **kwargs: Any) -> ImportReport:
        """Read a JSON progress file and import it; see :func:`transfer.import_file`."""
        return transfer.import_file(self, path, **kwargs)

    def import_lab_history(self, path: str | Path | None = None) -> HistoryImport:
        """Import the runner's JSON-lines history once; see
        :func:`transfer.import_lab_history`."""
        return transfer.import_lab_history(self, path)


def open_store(url: str | None = None, *, roadmap: Roadmap | None = None,
               import_history: bool = True) -> Store:
    """Open the store the CLI and the app use, importing the runner's old history once.

    Parameters
    ----------
    url
        See :class:`Store`.
    roadmap
        See :class:`Store`.
    import_history
        Import ``<data dir>/lab-history.jsonl`` (new lines only).
    """
    store = Store(url, roadmap=roadmap)
    if import_history:
        store.import_lab_history()
    return store


def store_recorder(url: str | None = None) -> Callable[[Any], None]:
    """A recorder for ``graph.runner.run_lab``: each run goes into the progress store.

    When the store cannot be written (a database server down, a read-only file), the run
    is appended to the JSON-lines history instead, which the store imports the next time
    it opens, so no run is lost; the error is still raised for the runner to report.
    """

    def record(run: Any) -> None:
        try:
            with Store(url) as store:
                store.record_run(None, run)
        except ProgressError:
            from graph.runner import history_recorder

            history_recorder(config.lab_history_path())(run)
            raise

    return record


def done_for(store: Store, user: str, roadmap: Roadmap | None = None) -> set[str]:
    """The nodes ``user`` has done or skipped (what ``path`` and ``next`` treat as known).

    With a roadmap (given, or the store's), ids recorded under an alias count for the
    current id and only nodes of the roadmap are returned.
    """
    roadmap = roadmap if roadmap is not None else store.roadmap
    ids = {n for n, s in store.statuses(user).items() if s.status in FINISHED}
    if roadmap is not None:
        ids = {roadmap.alias_map.get(n, n) for n in ids} & set(roadmap.nodes)
    return ids
