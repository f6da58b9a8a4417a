"""Fixtures of the progress store's tests: a small roadmap and a store on each database.

Every store test runs against SQLite and, when ``ROADMAP_TEST_PG_URL`` is set (see
``scripts/pg-test-server.sh``), against that PostgreSQL server too, each test in a schema
of its own. Import the fixtures with ``from tests.progress_fixtures import *``.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from graph.loader import load_roadmap
from graph.model import Roadmap
from graph.progress import Store

__all__ = ["ROOT", "PG_ENV", "small_roadmap", "roadmap_dir", "db_url", "store",
           "other_url", "fresh_url", "pg_skip_reason", "write_roadmap", "SMALL"]

ROOT = Path(__file__).resolve().parents[1]
PG_ENV = "ROADMAP_TEST_PG_URL"
PYTHON = sys.executable

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
    """Creates one schema per test on the server in ROADMAP_TEST_PG_URL; drops them after."""

    def __init__(self, url: str) -> None:
        self.url = sa.engine.make_url(url)
        if self.url.drivername == "postgresql":
            self.url = self.url.set(drivername="postgresql+psycopg")
        self.engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        try:
            with self.engine.connect():
                pass
        except sa.exc.OperationalError as exc:  # set but unreachable: that is a failure
            raise RuntimeError(f"{PG_ENV} is set but the server cannot be reached: "
                               f"{str(exc.orig).strip()}") from None

    def new(self) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        with self.engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        url = self.url.update_query_dict({"options": f"-csearch_path={name}"})
        return url.render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = sa.engine.make_url(url).query["options"].split("=", 1)[1]
        with self.engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))


_pg: _PgSchemas | None = None


def _fresh(kind: str, tmp: Path, request: pytest.FixtureRequest, name: str) -> str:
    global _pg
    if kind == "sqlite":
        return f"sqlite:///{tmp / name}"
    reason = pg_skip_reason()
    if reason:
        pytest.skip(reason)
    if _pg is None:
        _pg = _PgSchemas(os.environ[PG_ENV])
    url = _pg.new()
    pg = _pg
    request.addfinalizer(lambda: pg.drop(url))
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database's URL: a SQLite file, or a fresh schema on the PostgreSQL server."""
    return _fresh(request.param, tmp_path, request, "progress.sqlite3")


@pytest.fixture
def other_url(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> str:
    """A second empty database of the same kind as ``db_url``."""
    kind = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    return _fresh(kind, tmp_path, request, "other.sqlite3")


@pytest.fixture
def fresh_url(request: pytest.FixtureRequest, db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A factory of further empty databases of the same kind as ``db_url``."""
    kind = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    count = iter(range(1000))
    return lambda: _fresh(kind, tmp_path, request, f"db{next(count)}.sqlite3")


@pytest.fixture
def store(db_url: str, small_roadmap: Roadmap) -> Iterator[Store]:
    s = Store(db_url, roadmap=small_roadmap)
    yield s
    s.close()
