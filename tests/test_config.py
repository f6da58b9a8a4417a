"""graph.config: the one place for paths and environment."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph import (
    ConfigError,
    config,
    load_roadmap,
    open_store,
    run_lab,
    store_recorder,
)

from .factory import make, node_yaml, write_alpha_lab


def test_current_user_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROADMAP_USER", raising=False)
    assert config.current_user(None) == config.DEFAULT_USER
    monkeypatch.setenv("ROADMAP_USER", "env-user")
    assert config.current_user(None) == "env-user"
    assert config.current_user("opt") == "opt"


def test_tilde_data_dir_holds_database_run_logs_and_gpu_lock(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ROADMAP_DATA_DIR="~/rl" puts everything in $HOME/rl, nothing in a folder named '~'."""
    home, cwd = tmp_path / "home", tmp_path / "cwd"
    home.mkdir()
    cwd.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("ROADMAP_DATA_DIR", "~/rl")
    monkeypatch.delenv("ROADMAP_DB_URL", raising=False)
    monkeypatch.chdir(cwd)
    root = make(tmp_path, {"basics/alpha.yaml": node_yaml("alpha")}, labs=False)
    write_alpha_lab(tmp_path)
    gpu = root / "basics" / "alpha.yaml"  # a GPU lab asked for CUDA takes the GPU lock
    gpu.write_text(gpu.read_text().replace('gpu: "no"', 'gpu: "optional"'))
    rm = load_roadmap(root)

    run = run_lab(rm, "alpha", device="cuda", quick=True, recorder=store_recorder())

    data = home / "rl"
    assert config.data_dir() == data
    assert Path(run.log_path).is_relative_to(data / "runs" / "alpha")
    assert Path(run.log_path).read_text().startswith("$ ")
    assert (data / "gpu.lock").is_file()
    assert (data / "progress.sqlite3").is_file()
    with open_store() as store:
        assert store.location == str(data / "progress.sqlite3")
        assert [r.node for r in store.runs()] == ["alpha"]
    assert not (cwd / "~").exists() and not (tmp_path / "~").exists()


def test_now_follows_roadmap_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROADMAP_NOW", "2025-03-01T12:00:00")
    assert config.now() == datetime(2025, 3, 1, 12, tzinfo=UTC)
    monkeypatch.setenv("ROADMAP_NOW", "next tuesday")
    with pytest.raises(ConfigError, match="ROADMAP_NOW='next tuesday' is not an ISO 8601"):
        config.now()
    monkeypatch.delenv("ROADMAP_NOW")
    assert abs((config.now() - datetime.now(UTC)).total_seconds()) < 5


def test_store_and_runner_take_their_times_from_the_clock(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROADMAP_NOW", "2024-02-29T08:30:00Z")
    monkeypatch.setenv("ROADMAP_DATA_DIR", str(tmp_path / "data"))
    root = make(tmp_path, {"basics/alpha.yaml": node_yaml("alpha")}, labs=False)
    write_alpha_lab(tmp_path)
    run = run_lab(load_roadmap(root), "alpha", device="cpu", quick=True,
                  recorder=lambda r: None)
    assert run.started_at == run.finished_at == "2024-02-29T08:30:00+00:00"
    with open_store(f"sqlite:///{tmp_path / 'p.sqlite3'}") as store:
        change = store.set_status("local", "alpha", "learning")
    assert change.at == datetime(2024, 2, 29, 8, 30, tzinfo=UTC)


def test_bundled_files_are_found_from_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROADMAP_DIR", raising=False)
    root = config.resource_root()
    assert (config.bundled_roadmap_dir() / "sections.yaml").is_file()
    assert (config.labs_dir() / "kit.py").is_file()
    assert config.app_path().is_file() and config.app_path().parent == root
    assert root.is_absolute() and (root / "labs").is_dir()
    monkeypatch.setenv("ROADMAP_DIR", "~/elsewhere")
    assert config.bundled_roadmap_dir() == Path(os.path.expanduser("~/elsewhere"))
