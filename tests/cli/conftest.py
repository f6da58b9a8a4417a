"""Fixtures of the CLI's tests: a three-node roadmap, and the store on each database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factory import make, node_yaml, write_alpha_lab
from tests.store.fixtures import *  # noqa: F401,F403 - the store's fixtures


@pytest.fixture()
def rm_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """alpha -> beta -> gamma, with a real lab for alpha; data and database in tmp_path."""
    monkeypatch.setenv("ROADMAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ROADMAP_USER", raising=False)
    monkeypatch.delenv("ROADMAP_DB_URL", raising=False)
    files = {"basics/alpha.yaml": node_yaml("alpha"),
             "basics/beta.yaml": node_yaml("beta", ["alpha"]),
             "more/gamma.yaml": node_yaml("gamma", ["beta"])}
    root = make(tmp_path, files, labs=False)
    write_alpha_lab(tmp_path)
    return root


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The store at ``db_url`` (SQLite, and PostgreSQL when configured) for every command."""
    monkeypatch.setenv("ROADMAP_DB_URL", db_url)
    monkeypatch.setenv("ROADMAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("ROADMAP_USER", raising=False)
    return db_url
