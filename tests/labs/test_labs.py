"""Every lab passes in --quick mode, and fails when given a wrong or unfinished solution."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.starter import make_starter

from .conftest import LAB_FILES, WRONG, run_lab

pytestmark = pytest.mark.slow


def _describe(r) -> str:
    return (f"exit {r.returncode}\n--- stdout ---\n{r.stdout[-3000:]}"
            f"\n--- stderr ---\n{r.stderr[-3000:]}")


def test_quick_run_passes(lab_file: Path, tmp_path: Path) -> None:
    r = run_lab(lab_file, tmp_path)
    assert r.returncode == 0, _describe(r)
    assert r.result is not None and r.result["status"] == "pass", _describe(r)
    assert r.result["quick"] is True and r.result["device"] == "cpu"
    assert r.result["checks"] and all(c["passed"] for c in r.result["checks"])
    assert r.result["solution"] == "reference"
    for art in r.result["artifacts"]:
        assert Path(art["path"]).is_file(), f"artifact {art['path']} was not written"
    assert "PASS" in r.stdout


def test_wrong_solution_fails(lab_file: Path, tmp_path: Path) -> None:
    wrong = WRONG / lab_file.name
    assert wrong.is_file(), f"every lab needs a deliberately wrong solution at {wrong}"
    r = run_lab(lab_file, tmp_path, "--solution", str(wrong))
    assert r.returncode == 1, _describe(r)
    assert r.result["status"] == "fail" and r.result["solution"] == "learner"
    assert r.result["solution_sha256"]
    assert any(not c["passed"] for c in r.result["checks"])
    assert "Traceback" not in r.stdout + r.stderr, _describe(r)


def test_untouched_starter_fails_cleanly(lab_file: Path, tmp_path: Path) -> None:
    starter = tmp_path / "starter.py"
    starter.write_text(make_starter(lab_file, lab_file.stem.replace("_", "-")))
    r = run_lab(lab_file, tmp_path, "--solution", str(starter))
    assert r.returncode == 1, _describe(r)
    assert r.result["status"] == "fail"
    assert any("not implemented yet" in c["message"] for c in r.result["checks"]), _describe(r)
    assert "Traceback" not in r.stdout + r.stderr, _describe(r)


@pytest.mark.parametrize("name", ["distributed_training", "data_loading"])
def test_labs_that_start_processes_pass_with_default_thread_pools(name: str,
                                                                  tmp_path: Path) -> None:
    """A rank forked after torch's CPU thread pool started once hung here (OMP=1 hid it)."""
    r = run_lab(LAB_FILES[0].parent / f"{name}.py", tmp_path, one_thread=False, timeout=90)
    assert r.returncode == 0 and r.result["status"] == "pass", _describe(r)


def test_labs_were_found() -> None:
    assert LAB_FILES, "no lab scripts found under labs/"
