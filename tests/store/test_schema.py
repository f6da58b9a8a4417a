"""The schema and its migrations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from graph import ProgressError, Store
from graph.store.schema import (
    METADATA,
    MIGRATION_TABLE,
    SCHEMA_VERSION,
    migrate,
    progress_t,
    users_t,
)
from tests.store.fixtures import *  # noqa: F401,F403 - the fixtures
from tests.store.test_store import run_dict


def test_fresh_schema_matches_the_code(empty_db_url: str) -> None:
    with Store(empty_db_url) as s:
        assert s.schema_version == SCHEMA_VERSION
        insp = sa.inspect(s.engine)
        for name, table in METADATA.tables.items():
            assert {c["name"] for c in insp.get_columns(name)} == set(table.c.keys()), name
            assert {i["name"] for i in insp.get_indexes(name)} >= {
                i.name for i in table.indexes}, name


def test_older_database_is_migrated_when_opened(empty_db_url: str) -> None:
    engine = sa.create_engine(empty_db_url)
    now = datetime(2024, 6, 1, tzinfo=UTC)
    with engine.begin() as conn:
        assert migrate(conn, upto=1) == [1]
        conn.execute(users_t.insert().values(id=1, name="old", created_at=now))
        conn.execute(progress_t.insert().values(user_id=1, node_id="intro", status="done",
                                                   note="v1", created_at=now, updated_at=now))
    with engine.connect() as conn:
        assert not sa.inspect(conn).has_table("lab_runs")
    engine.dispose()
    with Store(empty_db_url) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.statuses("old")["intro"].note == "v1"
        s.record_run("old", run_dict("intro", "pass", "learner"))
        assert s.verified("old") == {"intro"}


def test_a_version_2_database_keeps_its_runs_and_gains_lab_hash_seed_and_attempts(
        empty_db_url: str) -> None:
    engine = sa.create_engine(empty_db_url)
    now = datetime(2025, 6, 1, tzinfo=UTC)
    with engine.begin() as conn:
        assert migrate(conn, upto=2) == [1, 2]
        conn.execute(users_t.insert().values(id=1, name="old", created_at=now))
        conn.execute(sa.text(
            "INSERT INTO lab_runs (user_id, node_id, status, started_at, quick, solution) "
            "VALUES (1, 'intro', 'pass', :at, false, 'learner')"),
            {"at": now.replace(tzinfo=None)})
    engine.dispose()
    with Store(empty_db_url) as s:
        assert s.schema_version == SCHEMA_VERSION == 3
        (run,) = s.runs("old")
        assert run.status == "pass" and run.lab_sha256 is None and run.seed is None
        s.record_run("old", {**run_dict("intro", "fail", "learner"), "lab_sha256": "ab" * 32,
                             "seed": 7})
        assert {(r.lab_sha256, r.seed) for r in s.runs("old")} == {(None, None),
                                                                 ("ab" * 32, 7)}
    with sa.create_engine(empty_db_url).connect() as conn:
        assert sa.inspect(conn).has_table("attempts")


def test_newer_database_is_refused(empty_db_url: str) -> None:
    Store(empty_db_url).close()
    engine = sa.create_engine(empty_db_url)
    with engine.begin() as conn:
        conn.execute(MIGRATION_TABLE.insert().values(
            version=99, description="future", applied_at=datetime.now(UTC)))
    engine.dispose()
    with pytest.raises(ProgressError, match="schema version 99, newer than"):
        Store(empty_db_url)
