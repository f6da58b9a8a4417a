"""The progress store: users, teams, node statuses, their history and lab runs.

SQLAlchemy 2 Core over a SQLite file in the user's data directory (WAL mode) by default;
``ROADMAP_DB_URL`` (or an explicit URL) points a team at PostgreSQL (psycopg 3).

Statuses advise, they never lock a node: any node may be set to any status at any time.
Every change is appended to ``events`` (who, what, when), so timelines can be drawn. A lab
run that passes with the learner's own solution marks the node *verified* (and done).

The schema is versioned with a small migration table (``schema_migrations``), not Alembic:
the schema is a handful of tables, every migration so far is additive, and a migration
table needs no ``alembic.ini``, no script folder shipped as package data and no extra
dependency, while still letting an older database upgrade itself when it is opened.
Each migration's tables are declared once, by the same function that defines them for
queries, so the migrated schema and the one the code queries cannot drift apart.

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

import dataclasses
import difflib
import json
import os
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    event,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.types import TypeDecorator

from graph.errors import NodeNotFound, ProgressError

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows; SQLite's busy timeout still works
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:  # pragma: no cover
    from graph.model import Roadmap

__all__ = [
    "STATUSES",
    "FINISHED",
    "ROLES",
    "RUN_STATUSES",
    "SCHEMA_VERSION",
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "DEFAULT_USER",
    "InvalidStatus",
    "ImportFileError",
    "UnknownNodesError",
    "UserInfo",
    "Member",
    "TeamInfo",
    "NodeStatus",
    "StatusChange",
    "Event",
    "RunSummary",
    "ImportReport",
    "HistoryImport",
    "SectionProgress",
    "Cell",
    "SkillMatrix",
    "Helper",
    "CompletionPoint",
    "Store",
    "open_store",
    "store_recorder",
    "data_dir",
    "default_db_url",
    "resolve_db_url",
    "lab_history_path",
    "current_user",
    "done_for",
    "record_lab_run",
    "section_progress",
    "user_learning_path",
    "user_next_up",
    "skill_matrix",
    "uncovered_nodes",
    "who_can_help",
    "completions_over_time",
]

STATUSES = ("todo", "learning", "done", "skipped")
FINISHED = frozenset({"done", "skipped"})  # what counts towards progress
ROLES = ("admin", "member")
RUN_STATUSES = ("pass", "fail", "error", "timeout", "cancelled")
SOLUTIONS = ("reference", "learner")
EVENT_KINDS = ("status", "note", "verified", "alias")
SCHEMA_VERSION = 2
EXPORT_FORMAT = "roadmap-lab-progress"
EXPORT_VERSION = 1
DEFAULT_USER = "local"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_PG_LOCK_KEY = 7_265_331  # pg_advisory_xact_lock key that serialises migrations
_CHUNK = 500  # rows per executemany in bulk imports


# --------------------------------------------------------------------------- errors


class InvalidStatus(ProgressError):
    """A status that is not one of todo, learning, done, skipped."""

    def __init__(self, status: str, allowed: tuple[str, ...] = STATUSES,
                 what: str = "status") -> None:
        close = difflib.get_close_matches(str(status), allowed, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        super().__init__(f"invalid {what} {status!r}: expected one of "
                         f"{', '.join(allowed)}{hint}")


class ImportFileError(ProgressError):
    """A progress file that cannot be imported; ``field`` names the wrong field."""

    def __init__(self, source: str, field: str, message: str) -> None:
        self.source, self.field = source, field
        where = f"field {field!r}: " if field else ""
        super().__init__(f"{source}: {where}{message}; nothing was imported")


class UnknownNodesError(ImportFileError):
    """A progress file names nodes that are not in the roadmap; ``nodes`` lists them."""

    def __init__(self, source: str, nodes: list[str], fields: dict[str, str]) -> None:
        self.nodes = nodes
        listed = ", ".join(f"{n!r} ({fields[n]})" for n in nodes)
        super().__init__(source, "", f"{len(nodes)} unknown node id(s): {listed} "
                         "(pass --allow-unknown to keep them aside)")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class UserInfo:
    """A user (a learner's profile)."""

    name: str
    display_name: str | None
    created_at: datetime


@dataclass(frozen=True)
class Member:
    """A team member and their role."""

    name: str
    role: str
    joined_at: datetime


@dataclass(frozen=True)
class TeamInfo:
    """A team and its members (admins first, then by name)."""

    name: str
    created_at: datetime
    members: list[Member]


@dataclass(frozen=True)
class NodeStatus:
    """A user's status of one node."""

    node: str
    status: str
    note: str
    created_at: datetime
    updated_at: datetime
    verified: bool = False


@dataclass(frozen=True)
class StatusChange:
    """What :meth:`Store.set_status` did; ``changed`` is False for a no-op."""

    user: str
    node: str
    old: str | None
    new: str
    note: str
    at: datetime
    changed: bool


@dataclass(frozen=True)
class Event:
    """One entry of the history: who (``user``), what (``kind``, node, statuses), when."""

    at: datetime
    user: str
    kind: str
    node: str | None
    from_status: str | None
    to_status: str | None
    note: str | None


@dataclass(frozen=True)
class RunSummary:
    """A recorded lab run."""

    id: int
    user: str
    node: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    duration_s: float | None
    device: str | None
    quick: bool
    solution: str
    solution_sha256: str | None
    returncode: int | None
    checks_passed: int | None
    checks_total: int | None
    log_path: str | None

    @property
    def verified(self) -> bool:
        """A pass with the learner's own solution."""
        return self.status == "pass" and self.solution == "learner"


@dataclass
class ImportReport:
    """What an import brought in."""

    user: str
    statuses: int = 0
    events: int = 0
    lab_runs: int = 0
    duplicates: int = 0
    unknown: list[str] = field(default_factory=list)  # kept aside (--allow-unknown)
    renamed: dict[str, str] = field(default_factory=dict)  # old id -> current id


@dataclass
class HistoryImport:
    """What the import of the runner's JSON-lines history brought in."""

    path: str
    imported: int = 0
    duplicates: int = 0
    bad_lines: list[int] = field(default_factory=list)  # 1-based line numbers


@dataclass(frozen=True)
class SectionProgress:
    """A user's progress in one section; ``remaining`` lists what is left, in order."""

    section: str
    title: str
    colour: str
    total: int
    done: int
    skipped: int
    learning: int
    verified: int
    remaining: list[str]

    @property
    def finished(self) -> int:
        """Done + skipped."""
        return self.done + self.skipped

    @property
    def fraction(self) -> float:
        """(done + skipped) / total; 1.0 for an empty section."""
        return self.finished / self.total if self.total else 1.0


@dataclass(frozen=True)
class Cell:
    """One cell of the skill matrix."""

    status: str = "todo"
    verified: bool = False


@dataclass
class SkillMatrix:
    """Members x nodes.

    ``cells`` maps a member to their recorded cells by node (a status or a verified run);
    every other cell is todo and unverified.
    """

    team: str
    members: list[str]
    nodes: list[str]
    cells: dict[str, dict[str, Cell]]

    def cell(self, member: str, node: str) -> Cell:
        """The cell of ``member`` and ``node`` (todo when nothing is recorded)."""
        return self.cells.get(member, _NOTHING).get(node, _TODO)

    def row(self, member: str) -> list[Cell]:
        """A member's cells in node order."""
        mine = self.cells.get(member, _NOTHING)
        return [mine.get(n, _TODO) for n in self.nodes]


_TODO = Cell()
_NOTHING: dict[str, Cell] = {}
_CELLS = {(s, v): Cell(s, v) for s in STATUSES for v in (False, True)}  # shared, immutable


@dataclass(frozen=True)
class Helper:
    """Someone who has done a node (verified ones are listed first)."""

    user: str
    status: str
    verified: bool
    updated_at: datetime


@dataclass(frozen=True)
class CompletionPoint:
    """Net completions (nodes that became done or skipped) on ``day``, and the total then."""

    day: date
    completed: int
    cumulative: int


# --------------------------------------------------------------------------- schema


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _schema_v1(md: MetaData) -> None:
    """Version 1: users, teams, membership, node statuses and their events."""
    Table("users", md,
          Column("id", Integer, primary_key=True),
          Column("name", String(64), nullable=False, unique=True),
          Column("display_name", String(200)),
          Column("created_at", UTCDateTime, nullable=False))
    Table("teams", md,
          Column("id", Integer, primary_key=True),
          Column("name", String(64), nullable=False, unique=True),
          Column("created_at", UTCDateTime, nullable=False))
    Table("team_members", md,
          Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"),
                 primary_key=True),
          Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"),
                 primary_key=True),
          Column("role", String(16), nullable=False),
          Column("joined_at", UTCDateTime, nullable=False),
          Index("ix_team_members_user", "user_id"))
    Table("node_progress", md,
          Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"),
                 primary_key=True),
          Column("node_id", String(128), primary_key=True),
          Column("status", String(16), nullable=False),
          Column("note", Text, nullable=False, default=""),
          Column("created_at", UTCDateTime, nullable=False),
          Column("updated_at", UTCDateTime, nullable=False),
          Index("ix_node_progress_node", "node_id"),
          sqlite_with_rowid=False)  # rows clustered by (user, node): a user's are adjacent
    Table("events", md,
          Column("id", Integer, primary_key=True),
          Column("at", UTCDateTime, nullable=False),
          Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"),
                 nullable=False),
          Column("kind", String(16), nullable=False),
          Column("node_id", String(128)),
          Column("from_status", String(16)),
          Column("to_status", String(16)),
          Column("note", Text),
          Index("ix_events_node", "node_id"))


def _schema_v2(md: MetaData) -> None:
    """Version 2: lab runs, store metadata, and a timeline index on events."""
    Table("lab_runs", md,
          Column("id", Integer, primary_key=True),
          Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"),
                 nullable=False),
          Column("node_id", String(128), nullable=False),
          Column("status", String(16), nullable=False),
          Column("started_at", UTCDateTime, nullable=False),
          Column("finished_at", UTCDateTime),
          Column("duration_s", Float),
          Column("device", String(64)),
          Column("quick", Boolean, nullable=False, default=False),
          Column("solution", String(16), nullable=False, default="reference"),
          Column("solution_sha256", String(64)),
          Column("returncode", Integer),
          Column("checks_passed", Integer),
          Column("checks_total", Integer),
          Column("log_path", Text),
          Column("result", Text),  # the lab's result JSON, as text
          Index("ix_lab_runs_user_node", "user_id", "node_id", "started_at"),
          Index("ix_lab_runs_node", "node_id"))
    Table("store_meta", md,
          Column("key", String(255), primary_key=True),
          Column("value", Text, nullable=False))
    events = md.tables["events"]
    Index("ix_events_user_at", events.c.user_id, events.c.at)


# (version, description, schema function). A schema function declares what its version
# adds; it may return a callable(conn) for steps that are not "create what is new"
# (data moves, ALTERs). Never edit a released entry: append a new one.
MIGRATIONS: list[tuple[int, str, Callable[[MetaData], Callable[[Connection], None] | None]]] = [
    (1, "users, teams, node statuses and events", _schema_v1),
    (2, "lab runs, store metadata, events timeline index", _schema_v2),
]
assert MIGRATIONS[-1][0] == SCHEMA_VERSION

METADATA = MetaData()
for _v, _d, _fn in MIGRATIONS:
    _fn(METADATA)
MIGRATION_TABLE = Table("schema_migrations", MetaData(),
                        Column("version", Integer, primary_key=True),
                        Column("description", String(200), nullable=False),
                        Column("applied_at", UTCDateTime, nullable=False))
users_t = METADATA.tables["users"]
teams_t = METADATA.tables["teams"]
members_t = METADATA.tables["team_members"]
progress_t = METADATA.tables["node_progress"]
events_t = METADATA.tables["events"]
runs_t = METADATA.tables["lab_runs"]
meta_t = METADATA.tables["store_meta"]


def _migrate(conn: Connection, upto: int = SCHEMA_VERSION) -> list[int]:
    """Bring the schema from its recorded version to ``upto``; return the versions applied.

    Must run inside a write transaction (it takes the migration lock on PostgreSQL).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    MIGRATION_TABLE.create(conn, checkfirst=True)
    current = conn.execute(sa.select(sa.func.max(MIGRATION_TABLE.c.version))).scalar() or 0
    if current > SCHEMA_VERSION:
        raise ProgressError(
            f"the progress database has schema version {current}, newer than this "
            f"Roadmap Lab understands ({SCHEMA_VERSION}); upgrade Roadmap Lab")
    applied = []
    md = MetaData()
    for version, description, schema in MIGRATIONS:
        before_tables = set(md.tables)
        before_ix = {ix.name for t in md.tables.values() for ix in t.indexes}
        extra = schema(md)
        if version <= current or version > upto:
            continue
        for name, table in md.tables.items():
            if name not in before_tables:
                table.create(conn)
        for table in md.tables.values():
            if table.name in before_tables:
                for ix in table.indexes:
                    if ix.name not in before_ix:
                        ix.create(conn)
        if extra is not None:
            extra(conn)
        conn.execute(MIGRATION_TABLE.insert().values(
            version=version, description=description, applied_at=_now()))
        applied.append(version)
    return applied


# --------------------------------------------------------------------------- helpers


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return dt.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _parse_time(value: Any) -> datetime:
    """A datetime from a datetime, an ISO 8601 string or a POSIX timestamp (UTC)."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        dt = datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str):
        dt = datetime.fromisoformat(value.strip())
    else:
        raise ValueError(f"expected a timestamp, got {type(value).__name__}")
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def data_dir() -> Path:
    """The user's Roadmap Lab data directory (``ROADMAP_DATA_DIR`` overrides it)."""
    env = os.environ.get("ROADMAP_DATA_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("roadmap-lab", appauthor=False))


def default_db_url() -> str:
    """``sqlite:///<data dir>/progress.sqlite3``."""
    return f"sqlite:///{data_dir() / 'progress.sqlite3'}"


def lab_history_path() -> Path:
    """Where the runner wrote JSON lines before the store existed."""
    return data_dir() / "lab-history.jsonl"


def resolve_db_url(url: str | None = None) -> str:
    """The database URL: ``url``, else ``ROADMAP_DB_URL``, else the default SQLite file.

    A bare path means a SQLite file; ``postgresql://`` and ``postgres://`` use psycopg 3.

    Examples
    --------
    >>> resolve_db_url("postgresql://u@db/roadmap")
    'postgresql+psycopg://u@db/roadmap'
    >>> resolve_db_url("/tmp/p.sqlite3")
    'sqlite:////tmp/p.sqlite3'
    """
    url = url or os.environ.get("ROADMAP_DB_URL") or default_db_url()
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def current_user(user_opt: str | None = None) -> str:
    """The current user: ``user_opt``, else ``ROADMAP_USER``, else the local profile.

    Examples
    --------
    >>> current_user("ana")
    'ana'
    """
    return user_opt or os.environ.get("ROADMAP_USER") or DEFAULT_USER


def _check_name(name: str, what: str) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ProgressError(f"invalid {what} name {name!r}: use 1-64 letters, digits, "
                            "'.', '_', '@' or '-', starting with a letter or digit")
    return name


def _check_status(status: str) -> str:
    if status not in STATUSES:
        raise InvalidStatus(status)
    return status


def _describe_db_error(exc: BaseException, where: str) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    low = text.lower()
    if "not a database" in low or "malformed" in low:
        return f"{where} is not a SQLite database (or is damaged): {text}"
    if "readonly" in low or "read-only" in low or "read only" in low:
        return f"{where} is read-only: progress cannot be saved ({text})"
    if "unable to open" in low:
        return f"cannot open {where}: {text}"
    if "connection" in low and ("failed" in low or "refused" in low or "timeout" in low):
        return f"cannot connect to the progress database {where}: {text}"
    if "locked" in low or "busy" in low:
        return f"{where} is busy (locked by another process for too long): {text}"
    return f"progress database {where}: {text}"


# --------------------------------------------------------------------------- the store


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
        self.url = resolve_db_url(url)
        self.roadmap = roadmap
        self.busy_timeout_s = busy_timeout_s
        self._lock_path: Path | None = None
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        self.location = parsed.render_as_string(hide_password=True)
        if self.dialect == "sqlite":
            db = parsed.database or ""
            self.location = db or ":memory:"
            self._check_sqlite_file(db)
            if db and db != ":memory:" and not db.startswith("file:"):
                self._lock_path = Path(db + "-writer.lock")
            self.engine = sa.create_engine(
                self.url, connect_args={"timeout": busy_timeout_s, "check_same_thread": False})
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        elif self.dialect == "postgresql":
            self.engine = sa.create_engine(self.url, pool_pre_ping=True,
                                           connect_args={"connect_timeout": 10})
        else:
            raise ProgressError(f"unsupported database {self.dialect!r} in {self.location}: "
                                "use a SQLite file or postgresql://")
        try:
            self._open()
        except BaseException:
            self.engine.dispose()
            raise

    # -- opening -----------------------------------------------------------------------

    def _check_sqlite_file(self, db: str) -> None:
        if not db or db == ":memory:" or db.startswith("file:"):
            return
        path = Path(db)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProgressError(f"cannot create the data directory {path.parent}: "
                                f"{exc.strerror or exc}") from None
        if path.is_dir():
            raise ProgressError(f"{path} is a directory, not a progress database")
        if path.exists() and not os.access(path, os.W_OK):
            raise ProgressError(f"{path} is read-only: progress cannot be saved "
                                "(make it writable, or choose another file with --db)")
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise ProgressError(f"the folder {path.parent} is read-only: SQLite needs to "
                                "write its journal beside the database")

    def _open(self) -> None:
        with self._guard():
            with self._read() as conn:
                ok = _schema_version(conn) == SCHEMA_VERSION
            if not ok:
                with self._write() as conn:
                    _migrate(conn)
            if self.roadmap is not None and self.roadmap.alias_map:
                self.apply_aliases(self.roadmap.alias_map)

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.location!r})"

    @property
    def schema_version(self) -> int:
        """The schema version recorded in the database."""
        with self._guard(), self._read() as conn:
            return _schema_version(conn)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sa.exc.DBAPIError as exc:
            raise ProgressError(_describe_db_error(exc, self.location)) from None

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._writer_turn(), self.engine.connect() as conn:
            conn.execution_options(roadmap_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _writer_turn(self) -> Iterator[None]:
        """On a SQLite file, wait for our turn to write on a lock file beside it.

        SQLite's own busy handler backs off to sleeps of 25-100 ms when several processes
        want to write, so eight busy writers spend most of their time asleep. An flock
        polled every 0.2-2 ms hands the turn over quickly; a process killed while writing
        loses its lock with its file descriptors. SQLite's locking still protects the
        file from writers that do not take this lock.
        """
        if self._lock_path is None or fcntl is None:
            yield
            return
        try:
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError:  # cannot create it (someone else's database): SQLite's lock only
            yield
            return
        try:
            delay, deadline = 0.0002, time.monotonic() + self.busy_timeout_s
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise ProgressError(
                            f"{self.location} is busy: another process has been writing for "
                            f"more than {self.busy_timeout_s:g} s") from None
                    time.sleep(delay)
                    delay = min(delay * 2, 0.002)
            yield
        finally:
            os.close(fd)  # releases the lock

    # -- users ---------------------------------------------------------------------------

    def add_user(self, name: str, display_name: str | None = None) -> UserInfo:
        """Add a user.

        Raises
        ------
        ProgressError
            If the name is invalid or taken.
        """
        _check_name(name, "user")
        with self._guard(), self._write() as conn:
            if _user_id(conn, name) is not None:
                raise ProgressError(f"user {name!r} already exists")
            now = _now()
            conn.execute(users_t.insert().values(name=name, display_name=display_name,
                                                 created_at=now))
        return UserInfo(name, display_name, now)

    def users(self) -> list[UserInfo]:
        """Every user, by name."""
        with self._guard(), self._read() as conn:
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
        with self._guard(), self._read() as conn:
            row = conn.execute(sa.select(users_t.c.name, users_t.c.display_name,
                                         users_t.c.created_at)
                               .where(users_t.c.name == name)).first()
            if row is None:
                raise _unknown(conn, users_t, name, "user")
            return UserInfo(*row)

    def rename_user(self, old: str, new: str) -> None:
        """Rename a user; their progress, history and teams follow."""
        _check_name(new, "user")
        with self._guard(), self._write() as conn:
            uid = self._uid(conn, old, create_default=False)
            if _user_id(conn, new) is not None:
                raise ProgressError(f"user {new!r} already exists")
            conn.execute(users_t.update().where(users_t.c.id == uid).values(name=new))

    def _uid(self, conn: Connection, name: str, create_default: bool = True) -> int:
        uid = _user_id(conn, name)
        if uid is None:
            if create_default and name == DEFAULT_USER:
                return _insert_user(conn, name, None, _now())
            raise _unknown(conn, users_t, name, "user")
        return uid

    # -- teams ---------------------------------------------------------------------------

    def add_team(self, name: str, admin: str | None = None) -> TeamInfo:
        """Create a team; ``admin`` (a user) becomes its first admin."""
        _check_name(name, "team")
        with self._guard(), self._write() as conn:
            if conn.execute(sa.select(teams_t.c.id).where(teams_t.c.name == name)).first():
                raise ProgressError(f"team {name!r} already exists")
            now = _now()
            tid = _inserted_id(conn.execute(teams_t.insert().values(name=name,
                                                                     created_at=now)))
            if admin is not None:
                conn.execute(members_t.insert().values(
                    team_id=tid, user_id=self._uid(conn, admin), role="admin", joined_at=now))
        return self.team(name)

    def teams(self) -> list[str]:
        """Every team name."""
        with self._guard(), self._read() as conn:
            return list(conn.scalars(sa.select(teams_t.c.name).order_by(teams_t.c.name)))

    def join_team(self, team: str, user: str, role: str = "member") -> None:
        """Add ``user`` to ``team`` with ``role`` (admin or member); a member's role changes."""
        if role not in ROLES:
            raise InvalidStatus(role, ROLES, what="role")
        with self._guard(), self._write() as conn:
            tid, uid = self._tid(conn, team), self._uid(conn, user)
            found = conn.execute(sa.select(members_t.c.role).where(
                members_t.c.team_id == tid, members_t.c.user_id == uid)).first()
            if found is None:
                conn.execute(members_t.insert().values(team_id=tid, user_id=uid, role=role,
                                                       joined_at=_now()))
            elif found.role != role:
                conn.execute(members_t.update().where(
                    members_t.c.team_id == tid, members_t.c.user_id == uid).values(role=role))

    def leave_team(self, team: str, user: str) -> None:
        """Remove ``user`` from ``team``."""
        with self._guard(), self._write() as conn:
            tid, uid = self._tid(conn, team), self._uid(conn, user, create_default=False)
            gone = conn.execute(members_t.delete().where(
                members_t.c.team_id == tid, members_t.c.user_id == uid)).rowcount
            if not gone:
                raise ProgressError(f"user {user!r} is not a member of team {team!r}")

    def team(self, name: str) -> TeamInfo:
        """A team and its members (admins first)."""
        with self._guard(), self._read() as conn:
            tid = self._tid(conn, name)
            created = conn.execute(sa.select(teams_t.c.created_at)
                                   .where(teams_t.c.id == tid)).scalar_one()
            rows = conn.execute(
                sa.select(users_t.c.name, members_t.c.role, members_t.c.joined_at)
                .join(users_t, users_t.c.id == members_t.c.user_id)
                .where(members_t.c.team_id == tid)
                .order_by(members_t.c.role, users_t.c.name))
            return TeamInfo(name, created, [Member(*r) for r in rows])

    def _tid(self, conn: Connection, name: str) -> int:
        tid = conn.execute(sa.select(teams_t.c.id).where(teams_t.c.name == name)).scalar()
        if tid is None:
            raise _unknown(conn, teams_t, name, "team")
        return int(tid)

    # -- statuses ------------------------------------------------------------------------

    def resolve_node(self, node: str) -> str:
        """The current id of ``node`` (an alias maps to it).

        Raises
        ------
        NodeNotFound
            If the store has a roadmap and ``node`` is not in it.
        """
        if self.roadmap is None:
            if not isinstance(node, str) or not re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", node):
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
        _check_status(status)
        node = self.resolve_node(node)
        with self._guard(), self._write() as conn:
            return self._change(conn, user, node, status, note)

    def set_note(self, user: str, node: str, note: str) -> StatusChange:
        """Change only the note of a node (its status stays, ``todo`` if it had none)."""
        node = self.resolve_node(node)
        with self._guard(), self._write() as conn:
            return self._change(conn, user, node, None, note)

    def _change(self, conn: Connection, user: str, node: str, status: str | None,
                note: str | None) -> StatusChange:
        ch = _write_status(conn, user, node, status, note)
        if ch is None:  # no such user
            self._uid(conn, user)  # raises, or adds the local profile
            ch = _write_status(conn, user, node, status, note)
            assert ch is not None
        return ch

    def statuses(self, user: str) -> dict[str, NodeStatus]:
        """A user's recorded statuses by node id (nodes never touched are absent)."""
        with self._guard(), self._read() as conn:
            uid = self._uid_read(conn, user)
            if uid is None:
                return {}
            verified = _verified_nodes(conn, [uid]).get(uid, set())
            rows = conn.execute(
                sa.select(progress_t.c.node_id, progress_t.c.status, progress_t.c.note,
                          progress_t.c.created_at, progress_t.c.updated_at)
                .where(progress_t.c.user_id == uid).order_by(progress_t.c.node_id))
            return {r.node_id: NodeStatus(r.node_id, r.status, r.note, r.created_at,
                                          r.updated_at, r.node_id in verified) for r in rows}

    def status(self, user: str, node: str) -> str:
        """A user's status of one node (``todo`` when none is recorded)."""
        node = self.resolve_node(node)
        with self._guard(), self._read() as conn:
            uid = self._uid_read(conn, user)
            row = _progress_row(conn, uid, node) if uid is not None else None
            return row.status if row is not None else "todo"

    def _uid_read(self, conn: Connection, user: str) -> int | None:
        """The user's id; None for the not-yet-created default profile."""
        uid = _user_id(conn, user)
        if uid is None and user != DEFAULT_USER:
            raise _unknown(conn, users_t, user, "user")
        return uid

    def events(self, user: str | None = None, node: str | None = None,
               since: datetime | None = None) -> list[Event]:
        """The history, oldest first, optionally for one user and/or node."""
        with self._guard(), self._read() as conn:
            q = (sa.select(events_t.c.at, users_t.c.name, events_t.c.kind, events_t.c.node_id,
                           events_t.c.from_status, events_t.c.to_status, events_t.c.note)
                 .join(users_t, users_t.c.id == events_t.c.user_id)
                 .order_by(events_t.c.at, events_t.c.id))
            if user is not None:
                uid = self._uid_read(conn, user)
                if uid is None:
                    return []
                q = q.where(events_t.c.user_id == uid)
            if node is not None:
                q = q.where(events_t.c.node_id == self.resolve_node(node))
            if since is not None:
                q = q.where(events_t.c.at >= since)
            return [Event(*r) for r in conn.execute(q)]

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
        data = _run_fields(run)
        name = _check_name(user or data.pop("user", None) or current_user(None), "user")
        data.pop("user", None)
        with self._guard(), self._write() as conn:
            uid = _user_id(conn, name)
            if uid is None:
                uid = _insert_user(conn, name, None, _now())
            rid, _new = _insert_run(conn, uid, name, data, dedupe=False)
            return rid

    def runs(self, user: str | None = None, node: str | None = None) -> list[RunSummary]:
        """Recorded lab runs, oldest first."""
        with self._guard(), self._read() as conn:
            q = (sa.select(runs_t, users_t.c.name.label("user_name"))
                 .join(users_t, users_t.c.id == runs_t.c.user_id)
                 .order_by(runs_t.c.started_at, runs_t.c.id))
            if user is not None:
                uid = self._uid_read(conn, user)
                if uid is None:
                    return []
                q = q.where(runs_t.c.user_id == uid)
            if node is not None:
                q = q.where(runs_t.c.node_id == self.resolve_node(node))
            return [_run_summary(r) for r in conn.execute(q)]

    def last_runs(self, user: str | None = None) -> dict[str, RunSummary]:
        """The latest recorded run of each node (of ``user``, or of anyone)."""
        latest: dict[str, RunSummary] = {}
        for r in self.runs(user):  # oldest first: later ones replace earlier ones
            latest[r.node] = r
        return latest

    def verified(self, user: str) -> set[str]:
        """Nodes a user has passed with their own solution."""
        with self._guard(), self._read() as conn:
            uid = self._uid_read(conn, user)
            return _verified_nodes(conn, [uid]).get(uid, set()) if uid is not None else set()

    def import_lab_history(self, path: str | Path | None = None) -> HistoryImport:
        """Import the runner's JSON-lines history once.

        The byte offset read so far is remembered in the store, so lines appended later
        are imported on a later call and no line twice; a run already recorded (same
        node, start, end and status) is not duplicated if the file is read again. Lines
        that are not a run are reported by number, not dropped silently.
        """
        path = Path(path) if path is not None else lab_history_path()
        report = HistoryImport(str(path))
        if not path.is_file():
            return report
        key = _history_key(path)
        with self._guard(), self._read() as conn:  # nothing new: no write lock taken
            done = conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == key)).scalar()
        if done is not None and int(done) == path.stat().st_size:
            return report
        with self._guard(), self._write() as conn:
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
                    data = _run_fields(json.loads(raw))
                except (ValueError, TypeError, ProgressError):
                    report.bad_lines.append(first_line + i)
                    continue
                name = data.pop("user", None) or current_user(None)
                if not NAME_PATTERN.match(name):
                    report.bad_lines.append(first_line + i)
                    continue
                uid = _user_id(conn, name)
                if uid is None:
                    uid = _insert_user(conn, name, None, _now())
                if self.roadmap is not None:
                    data["node"] = self.roadmap.alias_map.get(data["node"], data["node"])
                _rid, new = _insert_run(conn, uid, name, data, dedupe=True)
                if new:
                    report.imported += 1
                else:
                    report.duplicates += 1
            _set_meta(conn, key, str(offset + end))
        return report

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
        with self._guard():
            with self._read() as conn:
                hit = conn.execute(sa.select(sa.or_(*(
                    sa.exists().where(t.c.node_id.in_(olds))
                    for t in (progress_t, events_t, runs_t))))).scalar()
            if not hit:
                return 0
            with self._write() as conn:
                return _apply_aliases(conn, {o: alias_map[o] for o in olds})

    # -- export / import -----------------------------------------------------------------

    def export_user(self, user: str) -> dict[str, Any]:
        """A user's statuses, notes, events and lab-run summaries as a versioned dict.

        The result is deterministic: exporting, importing into an empty store and
        exporting again gives the same data.
        """
        with self._guard(), self._read() as conn:
            uid = self._uid_read(conn, user)
            if uid is None:  # the default profile, never used
                return _export_doc(UserInfo(user, None, _now()), [], [], [])
            info = conn.execute(sa.select(users_t.c.name, users_t.c.display_name,
                                          users_t.c.created_at)
                                .where(users_t.c.id == uid)).one()
            statuses = conn.execute(sa.select(progress_t).where(progress_t.c.user_id == uid)
                                    .order_by(progress_t.c.node_id)).all()
            events = conn.execute(sa.select(events_t).where(events_t.c.user_id == uid)
                                  .order_by(events_t.c.at, events_t.c.id)).all()
            runs = conn.execute(sa.select(runs_t).where(runs_t.c.user_id == uid)
                                .order_by(runs_t.c.started_at, runs_t.c.node_id)).all()
        return _export_doc(UserInfo(*info), statuses, events, runs)

    def export_file(self, user: str, path: str | Path) -> Path:
        """Write :meth:`export_user` to ``path`` as JSON (sorted keys, UTF-8)."""
        path = Path(path)
        text = json.dumps(self.export_user(user), indent=2, sort_keys=True,
                          ensure_ascii=False) + "\n"
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ProgressError(f"cannot write {path}: {exc.strerror or exc}") from None
        return path

    def import_user(self, data: Any, *, user: str | None = None,
                    allow_unknown: bool = False, source: str = "progress file",
                    on_progress: Callable[[int, int], None] | None = None) -> ImportReport:
        """Import an export (see :meth:`export_user`) in one transaction.

        Parameters
        ----------
        data
            The parsed file.
        user
            Import into this user instead of the file's (created when missing).
        allow_unknown
            Keep progress on nodes the roadmap does not have, aside (stored, listed by
            :meth:`unknown_nodes`, not counted); without it such a file is rejected.
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
        doc = _validate_doc(data, source)
        name = user or doc["user"]["name"]
        _check_name(name, "user")
        report = ImportReport(name)
        self._map_nodes(doc, source, allow_unknown, report)
        total = len(doc["statuses"]) + len(doc["events"]) + len(doc["lab_runs"])
        written = 0

        def tick(n: int) -> None:
            nonlocal written
            written += n
            if on_progress is not None:
                on_progress(written, total)

        with self._guard(), self._write() as conn:
            uid = _user_id(conn, name)
            if uid is None:
                u = doc["user"]
                uid = _insert_user(conn, name, u.get("display_name"),
                                   u.get("created_at") or _now())
            existing = {r.node_id: r.updated_at for r in conn.execute(
                sa.select(progress_t.c.node_id, progress_t.c.updated_at)
                .where(progress_t.c.user_id == uid))}
            rows = []
            for s in doc["statuses"]:
                old = existing.get(s["node"])
                if old is not None and old >= s["updated_at"]:
                    report.duplicates += 1
                    continue
                rows.append({"user_id": uid, "node_id": s["node"], "status": s["status"],
                             "note": s["note"], "created_at": s["created_at"],
                             "updated_at": s["updated_at"]})
            for part in _chunks(rows):
                conn.execute(progress_t.delete().where(
                    progress_t.c.user_id == uid,
                    progress_t.c.node_id.in_([r["node_id"] for r in part])))
                conn.execute(progress_t.insert(), part)
                tick(len(part))
            report.statuses = len(rows)

            seen = {_event_key(r) for r in conn.execute(
                sa.select(events_t).where(events_t.c.user_id == uid))}
            rows = []
            for e in doc["events"]:
                row = {"user_id": uid, "at": e["at"], "kind": e["kind"], "node_id": e["node"],
                       "from_status": e["from"], "to_status": e["to"], "note": e["note"]}
                key = _event_key(row)
                if key in seen:
                    report.duplicates += 1
                    continue
                seen.add(key)
                rows.append(row)
            for part in _chunks(rows):
                conn.execute(events_t.insert(), part)
                tick(len(part))
            report.events = len(rows)

            have = {_run_key(r.node_id, r._mapping) for r in conn.execute(
                sa.select(runs_t.c.node_id, runs_t.c.started_at, runs_t.c.finished_at,
                          runs_t.c.status).where(runs_t.c.user_id == uid))}
            rows = []
            for r in doc["lab_runs"]:
                key = _run_key(r["node"], r)
                if key in have:
                    report.duplicates += 1
                    continue
                have.add(key)
                rows.append({"user_id": uid, "node_id": r["node"],
                             **{k: r[k] for k in _RUN_EXPORT if k != "node"}})
            for part in _chunks(rows):
                conn.execute(runs_t.insert(), part)
                tick(len(part))
            report.lab_runs = len(rows)
        return report

    def import_file(self, path: str | Path, **kwargs: Any) -> ImportReport:
        """Read a JSON progress file and :meth:`import_user` it."""
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
        return self.import_user(data, **kwargs)

    def _map_nodes(self, doc: dict[str, Any], source: str, allow_unknown: bool,
                   report: ImportReport) -> None:
        """Map aliases to current ids; reject (or list) nodes the roadmap lacks."""
        if self.roadmap is None:
            return
        nodes, aliases = self.roadmap.nodes, self.roadmap.alias_map
        unknown: dict[str, str] = {}
        for part in ("statuses", "events", "lab_runs"):
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


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy's recipe: we emit BEGIN ourselves
    cur = dbapi_conn.cursor()
    try:
        mode = cur.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "memory" and mode != "wal":
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")  # durable across crashes in WAL mode
        cur.execute("PRAGMA foreign_keys=ON")
    finally:
        cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the lock up front (BEGIN IMMEDIATE) so that it waits for other
    # writers (busy timeout) instead of failing when it upgrades a read snapshot.
    write = conn.get_execution_options().get("roadmap_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


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

            history_recorder(lab_history_path())(run)
            raise

    return record


def record_lab_run(store: Store, user: str | None, run: Any) -> int:
    """Record a runner ``LabRun`` (or dict) for ``user``; see :meth:`Store.record_run`."""
    return store.record_run(user, run)


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


# --------------------------------------------------------------------------- SQL helpers


def _schema_version(conn: Connection) -> int:
    """The recorded schema version; 0 for a database without the migration table."""
    if conn.dialect.name == "postgresql":  # in the search path, as unqualified names are
        exists = conn.execute(sa.text("SELECT to_regclass('schema_migrations')")).scalar()
    else:
        exists = conn.execute(sa.text(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        )).scalar()
    if not exists:
        return 0
    return int(conn.execute(sa.select(sa.func.max(MIGRATION_TABLE.c.version))).scalar() or 0)


def _user_id(conn: Connection, name: str) -> int | None:
    uid = conn.execute(sa.select(users_t.c.id).where(users_t.c.name == name)).scalar()
    return None if uid is None else int(uid)


def _insert_user(conn: Connection, name: str, display_name: str | None,
                 created_at: datetime) -> int:
    return _inserted_id(conn.execute(users_t.insert().values(
        name=name, display_name=display_name, created_at=created_at)))


def _inserted_id(result: Any) -> int:
    return int(result.inserted_primary_key[0])


def _unknown(conn: Connection, table: Table, name: str, what: str) -> NodeNotFound:
    names = list(conn.scalars(sa.select(table.c.name)))
    return NodeNotFound(name, difflib.get_close_matches(name, names, n=3, cutoff=0.6),
                        what=what)


def _progress_row(conn: Connection, uid: int, node: str) -> Any:
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


def _write_status(conn: Connection, user: str, node: str, status: str | None,
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
            at = verified_at or _now()
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
    at = verified_at or _now()  # taken under the lock: times follow the order of changes
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


def _verified_nodes(conn: Connection, uids: Iterable[int] | None) -> dict[int, set[str]]:
    q = sa.select(runs_t.c.user_id, runs_t.c.node_id).distinct().where(
        runs_t.c.status == "pass", runs_t.c.solution == "learner")
    if uids is not None:
        q = q.where(runs_t.c.user_id.in_(list(uids)))
    out: dict[int, set[str]] = defaultdict(set)
    for uid, node in conn.execute(q):
        out[uid].add(node)
    return out


_RUN_EXPORT = ("node", "status", "started_at", "finished_at", "duration_s", "device", "quick",
               "solution", "solution_sha256", "returncode", "checks_passed", "checks_total")


def _run_fields(run: Any) -> dict[str, Any]:
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
        started = _parse_time(run["started_at"]) if run.get("started_at") is not None else _now()
        finished = (_parse_time(run["finished_at"]) if run.get("finished_at") is not None
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
        "log_path": str(log_path) if log_path is not None else None,
        "result": json.dumps(result, sort_keys=True, default=str) if result is not None
        else None,
    }


def _insert_run(conn: Connection, uid: int, user: str, data: dict[str, Any], dedupe: bool
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
    verifies = data["status"] == "pass" and data["solution"] == "learner"
    already = verifies and conn.execute(sa.select(runs_t.c.id).where(
        runs_t.c.user_id == uid, runs_t.c.node_id == node, runs_t.c.status == "pass",
        runs_t.c.solution == "learner").limit(1)).first() is not None
    rid = _inserted_id(conn.execute(runs_t.insert().values(user_id=uid, node_id=node, **data)))
    if verifies and not already:
        _write_status(conn, user, node, "done", None,
                      verified_at=data["finished_at"] or data["started_at"])
    return rid, True


def _same_run(uid: int, node: str, data: Mapping[str, Any]) -> list[Any]:
    """Where-clauses matching a recorded run: user, node, start, end and status."""
    fin = data.get("finished_at")
    return [runs_t.c.user_id == uid, runs_t.c.node_id == node,
            runs_t.c.started_at == data["started_at"], runs_t.c.status == data["status"],
            runs_t.c.finished_at.is_(None) if fin is None else runs_t.c.finished_at == fin]


def _run_key(node: str, r: Any) -> tuple[Any, ...]:
    return (node, r["started_at"], r.get("finished_at"), r["status"])


def _run_summary(r: Any) -> RunSummary:
    return RunSummary(r.id, r.user_name, r.node_id, r.status, r.started_at, r.finished_at,
                      r.duration_s, r.device, bool(r.quick), r.solution, r.solution_sha256,
                      r.returncode, r.checks_passed, r.checks_total, r.log_path)


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


def _apply_aliases(conn: Connection, alias_map: dict[str, str]) -> int:
    moved = 0
    now = _now()
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


def _chunks(rows: list[dict[str, Any]], n: int = _CHUNK) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), n):
        yield rows[i:i + n]


def _event_key(r: Any) -> tuple[Any, ...]:
    get = r.get if isinstance(r, dict) else r._mapping.get
    return (get("at"), get("kind"), get("node_id"), get("from_status"), get("to_status"),
            get("note"))


# --------------------------------------------------------------------------- export format


def _export_doc(user: UserInfo, statuses: Iterable[Any], events: Iterable[Any],
                runs: Iterable[Any]) -> dict[str, Any]:
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "user": {"name": user.name, "display_name": user.display_name,
                 "created_at": _iso(user.created_at)},
        "statuses": [{"node": s.node_id, "status": s.status, "note": s.note,
                      "created_at": _iso(s.created_at), "updated_at": _iso(s.updated_at)}
                     for s in statuses],
        "events": [{"at": _iso(e.at), "kind": e.kind, "node": e.node_id,
                    "from": e.from_status, "to": e.to_status, "note": e.note}
                   for e in events],
        "lab_runs": [{"node": r.node_id, "status": r.status,
                      "started_at": _iso(r.started_at), "finished_at": _iso(r.finished_at),
                      "duration_s": r.duration_s, "device": r.device, "quick": bool(r.quick),
                      "solution": r.solution, "solution_sha256": r.solution_sha256,
                      "returncode": r.returncode, "checks_passed": r.checks_passed,
                      "checks_total": r.checks_total}
                     for r in runs],
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
            return _parse_time(v)
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
        if not re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", s):
            raise self.fail(path, f"{s!r} is not a node id (kebab-case)")
        return s


def _jtype(v: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "null"}.get(type(v), type(v).__name__)


def _validate_doc(data: Any, source: str) -> dict[str, Any]:
    """Check an import document field by field; return it normalised (datetimes parsed)."""
    f = _Fields(source)
    top = f.obj(data, "", ("format", "version", "user", "statuses", "events", "lab_runs"))
    if top["format"] != EXPORT_FORMAT:
        raise f.fail("format", f"{top['format']!r} is not a Roadmap Lab progress file "
                     f"(expected {EXPORT_FORMAT!r})")
    version = top["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version != EXPORT_VERSION:
        raise f.fail("version", f"unsupported version {version!r} (this Roadmap Lab reads "
                     f"version {EXPORT_VERSION})")
    u = f.obj(top["user"], "user", ("name",), ("display_name", "created_at"))
    user = {"name": f.str_(u["name"], "user.name", max_len=64),
            "display_name": f.str_(u.get("display_name"), "user.display_name", True, 200),
            "created_at": f.time(u.get("created_at"), "user.created_at", True)}
    if not NAME_PATTERN.match(str(user["name"])):
        raise f.fail("user.name", f"{user['name']!r} is not a valid user name")
    out: dict[str, Any] = {"user": user, "statuses": [], "events": [], "lab_runs": []}
    for part in ("statuses", "events", "lab_runs"):
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
            "checks_total": f.num(r.get("checks_total"), f"{p}.checks_total", int)})
    return out


# --------------------------------------------------------------------------- queries


def section_progress(roadmap: Roadmap, store: Store, user: str) -> list[SectionProgress]:
    """A user's progress per section: (done + skipped) / total and what remains.

    Sections come in roadmap order; ``remaining`` lists the nodes neither done nor
    skipped, in roadmap order. Progress on nodes the roadmap lacks is not counted.
    """
    statuses = store.statuses(user)
    out = []
    for sec in roadmap.sections:
        ids = [n.id for n in roadmap.nodes.values() if n.section == sec.id]
        st = {i: statuses[i] for i in ids if i in statuses}
        count: dict[str, int] = defaultdict(int)
        for s in st.values():
            count[s.status] += 1
        out.append(SectionProgress(
            sec.id, sec.title, sec.colour, len(ids), count["done"], count["skipped"],
            count["learning"], sum(1 for s in st.values() if s.verified),
            [i for i in ids if i not in st or st[i].status not in FINISHED]))
    return out


def user_learning_path(roadmap: Roadmap, store: Store, user: str, target: str) -> Any:
    """``graph.queries.learning_path`` for ``target``, skipping what ``user`` has done."""
    from graph import queries

    return queries.learning_path(roadmap, target, done=done_for(store, user))


def user_next_up(roadmap: Roadmap, store: Store, user: str) -> Any:
    """``graph.queries.next_up`` given what ``user`` has done or skipped."""
    from graph import queries

    return queries.next_up(roadmap, done_for(store, user))


def _team_members(conn: Connection, store: Store, team: str) -> list[tuple[int, str]]:
    tid = store._tid(conn, team)
    return [(r.id, r.name) for r in conn.execute(
        sa.select(users_t.c.id, users_t.c.name)
        .join(members_t, members_t.c.user_id == users_t.c.id)
        .where(members_t.c.team_id == tid).order_by(users_t.c.name))]


def skill_matrix(roadmap: Roadmap, store: Store, team: str) -> SkillMatrix:
    """The team's members x the roadmap's nodes, each cell a status and a verified flag.

    Examples
    --------
    >>> m = skill_matrix(roadmap, store, "ml-team")  # doctest: +SKIP
    >>> m.cell("ana", "backpropagation")             # doctest: +SKIP
    Cell(status='done', verified=True)
    """
    nodes = list(roadmap.nodes)
    known = set(nodes)
    with store._guard(), store._read() as conn:
        tid = store._tid(conn, team)
        member_ids = (sa.select(members_t.c.user_id).where(members_t.c.team_id == tid)
                      .scalar_subquery())
        members = dict(conn.execute(
            sa.select(users_t.c.id, users_t.c.name).where(users_t.c.id.in_(member_ids))
            .order_by(users_t.c.name)).all())
        # a todo row draws like no row: leave them out. The rows are fetched as the
        # driver's plain tuples: a Row object per cell would triple the time of a
        # 1,000-member team's 30,000 cells
        result = conn.execute(
            sa.select(progress_t.c.user_id, progress_t.c.node_id, progress_t.c.status)
            .where(progress_t.c.user_id.in_(member_ids), progress_t.c.status != "todo"))
        try:
            rows = result.cursor.fetchall()
        finally:
            result.close()
        verified = conn.execute(
            sa.select(runs_t.c.user_id, runs_t.c.node_id).distinct().where(
                runs_t.c.user_id.in_(member_ids), runs_t.c.status == "pass",
                runs_t.c.solution == "learner")).all()
    by_uid: dict[int, dict[str, Cell]] = {uid: {} for uid in members}
    plain = {s: _CELLS[s, False] for s in STATUSES}
    for uid, node, status in rows:
        if node in known:
            by_uid[uid][node] = plain[status]
    for uid, node in verified:
        if node in known:
            mine = by_uid[uid]
            mine[node] = _CELLS[mine[node].status if node in mine else "todo", True]
    return SkillMatrix(team, list(members.values()), nodes,
                       {members[uid]: mine for uid, mine in by_uid.items()})


def uncovered_nodes(roadmap: Roadmap, store: Store, team: str) -> list[str]:
    """The roadmap's nodes that nobody on ``team`` has done (in roadmap order)."""
    with store._guard(), store._read() as conn:
        uids = [u for u, _ in _team_members(conn, store, team)]
        done = set(conn.scalars(sa.select(progress_t.c.node_id).distinct().where(
            progress_t.c.user_id.in_(uids), progress_t.c.status == "done")))
    return [n for n in roadmap.nodes if n not in done]


def who_can_help(roadmap: Roadmap, store: Store, node: str, team: str | None = None
                 ) -> list[Helper]:
    """The users who have done ``node`` (verified first, then most recent first).

    Raises
    ------
    NodeNotFound
        For an unknown node (with suggestions) or team.
    """
    node = roadmap.get(node).id
    with store._guard(), store._read() as conn:
        q = (sa.select(users_t.c.id, users_t.c.name, progress_t.c.status,
                       progress_t.c.updated_at)
             .join(progress_t, progress_t.c.user_id == users_t.c.id)
             .where(progress_t.c.node_id == node, progress_t.c.status == "done"))
        if team is not None:
            uids = [u for u, _ in _team_members(conn, store, team)]
            q = q.where(users_t.c.id.in_(uids))
        rows = conn.execute(q).all()
        verified = _verified_nodes(conn, [r.id for r in rows])
    helpers = [Helper(r.name, r.status, node in verified.get(r.id, ()), r.updated_at)
               for r in rows]
    helpers.sort(key=lambda h: (not h.verified, -h.updated_at.timestamp(), h.user))
    return helpers


def completions_over_time(store: Store, *, user: str | None = None, team: str | None = None,
                          roadmap: Roadmap | None = None) -> list[CompletionPoint]:
    """Per day: how many nodes became done or skipped (net), and the running total.

    Computed from the events, so it is the history as it happened. ``user`` or ``team``
    narrows it; with a ``roadmap``, nodes it lacks are left out.
    """
    with store._guard(), store._read() as conn:
        q = sa.select(events_t.c.at, events_t.c.node_id, events_t.c.from_status,
                      events_t.c.to_status).order_by(events_t.c.at, events_t.c.id)
        if user is not None:
            uid = store._uid_read(conn, user)
            if uid is None:
                return []
            q = q.where(events_t.c.user_id == uid)
        if team is not None:
            q = q.where(events_t.c.user_id.in_(
                [u for u, _ in _team_members(conn, store, team)]))
        rows = conn.execute(q).all()
    per_day: dict[date, int] = {}
    for at, node, frm, to in rows:
        if roadmap is not None and node not in roadmap.nodes:
            continue
        delta = (to in FINISHED) - (frm in FINISHED)
        if delta:
            per_day[at.date()] = per_day.get(at.date(), 0) + delta
    out, total = [], 0
    for day in sorted(per_day):
        if per_day[day]:
            total += per_day[day]
            out.append(CompletionPoint(day, per_day[day], total))
    return out
