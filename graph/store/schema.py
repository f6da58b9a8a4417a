"""The progress store's tables and their migrations.

The schema is versioned with a small migration table (``schema_migrations``), not Alembic:
the schema is a handful of tables, every migration so far is additive, and a migration
table needs no ``alembic.ini``, no script folder shipped as package data and no extra
dependency, while still letting an older database upgrade itself when it is opened.
Each migration's tables are declared once, by the same function that defines them for
queries, so the migrated schema and the one the code queries cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

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
)
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

from graph import config
from graph.errors import ProgressError
from graph.model import VERIFIED_RUN

__all__ = ["SCHEMA_VERSION", "MIGRATIONS", "METADATA", "migrate", "schema_version"]

SCHEMA_VERSION = 3
_PG_LOCK_KEY = 7_265_331  # pg_advisory_xact_lock key that serialises migrations


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


def _schema_v3(md: MetaData) -> Callable[[Connection], None]:
    """Version 3: what a run checked (the lab file's hash, the seed) and practice attempts."""
    runs = md.tables["lab_runs"]
    added: list[Column[Any]] = [Column("lab_sha256", String(64)), Column("seed", Integer)]
    for column in added:
        runs.append_column(column)
    Table("attempts", md,
          Column("id", Integer, primary_key=True),
          Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"),
                 nullable=False),
          Column("node_id", String(128), nullable=False),
          Column("created_at", UTCDateTime, nullable=False),
          Column("code", Text, nullable=False),
          Column("code_sha256", String(64), nullable=False),
          Column("status", String(16)),  # the run's status once checked
          Column("run_id", Integer, ForeignKey("lab_runs.id", ondelete="SET NULL")),
          Index("ix_attempts_user_node", "user_id", "node_id", "created_at"))

    def add_columns(conn: Connection) -> None:
        for column in added:
            kind = column.type.compile(dialect=conn.dialect)
            conn.execute(sa.text(f"ALTER TABLE lab_runs ADD COLUMN {column.name} {kind}"))
    return add_columns


# (version, description, schema function). A schema function declares what its version
# adds; it may return a callable(conn) for steps that are not "create what is new"
# (data moves, ALTERs). Never edit a released entry: append a new one.
MIGRATIONS: list[tuple[int, str, Callable[[MetaData], Callable[[Connection], None] | None]]] = [
    (1, "users, teams, node statuses and events", _schema_v1),
    (2, "lab runs, store metadata, events timeline index", _schema_v2),
    (3, "lab runs record the lab file's hash and the seed; practice attempts", _schema_v3),
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
attempts_t = METADATA.tables["attempts"]
meta_t = METADATA.tables["store_meta"]
# the runs that verify a node (see graph.model.is_verified), as where-clauses
VERIFIED = [runs_t.c[column] == value for column, value in VERIFIED_RUN.items()]


def migrate(conn: Connection, upto: int = SCHEMA_VERSION) -> list[int]:
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
            version=version, description=description, applied_at=config.now()))
        applied.append(version)
    return applied


def schema_version(conn: Connection) -> int:
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
