"""The connection to the progress database: URL to engine, SQLite settings, transactions.

:class:`Database` turns a URL into a SQLAlchemy engine (a SQLite file in WAL mode, or
PostgreSQL through psycopg 3) and gives callers one public way to run code on a
connection, as datasette's ``execute_fn`` does: ``with db.read() as conn`` and ``with
db.write() as conn``, each one transaction, with a database error turned into a
:class:`~graph.errors.ProgressError` that says what is wrong in words. Writers to a SQLite
file take turns on a lock file beside it first (:meth:`Database.writer_turn`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url

from graph.config import resolve_db_url
from graph.errors import ProgressError

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows; SQLite's busy timeout still works
    fcntl = None  # type: ignore[assignment]

__all__ = ["Database", "describe_db_error"]


class Database:
    """One progress database: its engine, its location in words, its transactions.

    Parameters
    ----------
    url
        SQLAlchemy URL or a SQLite file path (see :func:`graph.config.resolve_db_url`).
    busy_timeout_s
        How long a SQLite writer waits for another one before giving up.

    Raises
    ------
    ProgressError
        For a file that cannot be a database (a directory, read-only, in a read-only
        folder) or an unsupported kind of database.
    """

    def __init__(self, url: str | None = None, *, busy_timeout_s: float = 30.0) -> None:
        self.url = resolve_db_url(url)
        self.busy_timeout_s = busy_timeout_s
        self._lock_path: Path | None = None
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        self.location = parsed.render_as_string(hide_password=True)
        if self.dialect == "sqlite":
            db = parsed.database or ""
            self.location = db or ":memory:"
            _check_sqlite_file(db)
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

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a database error inside the block into a ProgressError in words."""
        try:
            yield
        except sa.exc.DBAPIError as exc:
            raise ProgressError(describe_db_error(exc, self.location)) from None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a read transaction (a consistent snapshot)."""
        with self.guard(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in a write transaction: all of the block is committed, or none."""
        with self.guard(), self.writer_turn(), self.engine.connect() as conn:
            conn.execution_options(roadmap_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def writer_turn(self) -> Iterator[None]:
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


def describe_db_error(exc: BaseException, where: str) -> str:
    """A database error in words: what is wrong with the database at ``where``."""
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


def _check_sqlite_file(db: str) -> None:
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
