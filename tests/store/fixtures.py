"""Fixtures of the progress store's tests: a small roadmap and a store on each database.

Every store test runs against SQLite and, when ``ROADMAP_TEST_PG_URL`` is set (see
``scripts/pg-test-server.sh``), against that PostgreSQL server too, each test in a schema
of its own. Import the fixtures with ``from tests.store.fixtures import *``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from graph import Roadmap, Store, load_roadmap
from graph.store.schema import METADATA

__all__ = ["ROOT", "PG_ENV", "small_roadmap", "roadmap_dir", "pg_schemas", "db_url",
           "empty_db_url", "other_url", "store", "pg_skip_reason", "write_roadmap", "SMALL"]

ROOT = Path(__file__).resolve().parents[2]
PG_ENV = "ROADMAP_TEST_PG_URL"

SECTIONS = """\
sections:
  - {id: basics, title: Basics, order: 1, colour: "#1f77b4"}
  - {id: more, title: More, order: 2, colour: "#ff7f0e"}
"""

# id -> (section, prerequisites, aliases)
SMALL: dict[str, tuple[str, list[str], list[str]]] = {
    "intro": ("basics", [], []),
    "tensors": ("basics", ["intro"], []),
    "autograd": ("basics", ["tensors"], ["gradients"]),
    "linear": ("basics", ["intro"], []),
    "training": ("more", ["autograd", "linear"], []),
    "deploy": ("more", [], ["shipping"]),
}


def write_roadmap(root: Path, nodes: dict[str, tuple[str, list[str], list[str]]] = SMALL
                  ) -> Path:
    """Write a roadmap folder (no labs) and return it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "sections.yaml").write_text(SECTIONS)
    for nid, (section, prereqs, aliases) in nodes.items():
        (root / section).mkdir(exist_ok=True)
        (root / section / f"{nid}.yaml").write_text(
            f"id: {nid}\ntitle: Title of {nid}\nsummary: What {nid} is about.\n"
            f"level: beginner\nestimate_hours: 2\nprerequisites: {prereqs}\n"
            f"aliases: {aliases}\n")
    return root


@pytest.fixture(scope="session")
def roadmap_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_roadmap(tmp_path_factory.mktemp("roadmap") / "rm")


@pytest.fixture(scope="session")
def small_roadmap(roadmap_dir: Path) -> Roadmap:
    return load_roadmap(roadmap_dir)


def pg_skip_reason() -> str | None:
    """Why the PostgreSQL variant cannot run here, or None."""
    if not os.environ.get(PG_ENV):
        return (f"PostgreSQL tests skipped: {PG_ENV} is not set (start a server with "
                "scripts/pg-test-server.sh start and export its URL)")
    return None


class _PgSchemas:
    """Schemas on the server in ROADMAP_TEST_PG_URL, one per use; all dropped at the end.

    ``empty()`` is a new schema with nothing in it (for the migration tests); ``reused()``
    is a migrated schema kept for the session and emptied (DELETE) before each test,
    which is much quicker than migrating a new one every time.
    """

    def __init__(self, url: str) -> None:
        self.url = sa.engine.make_url(url)
        if self.url.drivername == "postgresql":
            self.url = self.url.set(drivername="postgresql+psycopg")
        self.engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        self.created: list[str] = []
        self.reusable: dict[str, str] = {}

    def _url(self, name: str) -> str:
        url = self.url.update_query_dict({"options": f"-csearch_path={name}"})
        return url.render_as_string(hide_password=False)

    def empty(self) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        except sa.exc.OperationalError as exc:  # set but unreachable: that is a failure
            raise RuntimeError(f"{PG_ENV} is set but the server cannot be reached: "
                               f"{str(exc.orig).strip()}") from None
        self.created.append(name)
        return self._url(name)

    def reused(self, tag: str) -> str:
        url = self.reusable.get(tag)
        if url is None:
            url = self.reusable[tag] = self.empty()
            Store(url).close()  # migrate once
            return url
        name = sa.engine.make_url(url).query["options"].split("=", 1)[1]
        with self.engine.begin() as conn:  # DELETE: quicker than TRUNCATE on tiny tables
            for table in reversed(METADATA.sorted_tables):
                conn.execute(sa.text(f'DELETE FROM "{name}"."{table.name}"'))
        return url

    def drop_all(self) -> None:
        if not self.created:
            return
        with self.engine.begin() as conn:
            for name in self.created:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        self.engine.dispose()


@pytest.fixture(scope="session")
def pg_schemas() -> Iterator[_PgSchemas | None]:
    """The PostgreSQL schemas of this session (None when ROADMAP_TEST_PG_URL is unset)."""
    if pg_skip_reason():
        yield None
        return
    pg = _PgSchemas(os.environ[PG_ENV])
    yield pg
    pg.drop_all()


def _pg(pg_schemas: _PgSchemas | None) -> _PgSchemas:
    if pg_schemas is None:
        pytest.skip(pg_skip_reason() or "")
    return pg_schemas


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, pg_schemas) -> str:
    """An empty, migrated database: a SQLite file, or a schema on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'progress.sqlite3'}"
    return _pg(pg_schemas).reused("main")


@pytest.fixture
def empty_db_url(db_url: str, tmp_path: Path, pg_schemas) -> str:
    """A database with nothing in it, not even the schema, of the same kind as ``db_url``."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    return _pg(pg_schemas).empty()


@pytest.fixture
def other_url(db_url: str, tmp_path: Path, pg_schemas) -> str:
    """A second empty database of the same kind as ``db_url``."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'other.sqlite3'}"
    return _pg(pg_schemas).reused("other")


@pytest.fixture
def store(db_url: str, small_roadmap: Roadmap) -> Iterator[Store]:
    s = Store(db_url, roadmap=small_roadmap)
    yield s
    s.close()
