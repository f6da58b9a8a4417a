"""The roadmap CLI: exit codes, one clear line per problem, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.cli import app

from .factory import make, node_yaml, write_alpha_lab

runner = CliRunner()
KIT = Path(__file__).resolve().parents[1] / "labs" / "kit.py"


@pytest.fixture()
def rm_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ROADMAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ROADMAP_USER", raising=False)
    files = {"basics/alpha.yaml": node_yaml("alpha"),
             "basics/beta.yaml": node_yaml("beta", ["alpha"]),
             "more/gamma.yaml": node_yaml("gamma", ["beta"])}
    root = make(tmp_path, files, labs=False)
    write_alpha_lab(tmp_path)
    return root


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_validate_ok(rm_dir: Path) -> None:
    r = invoke("validate", str(rm_dir))
    assert r.exit_code == 0, r.output
    assert "valid: 3 nodes, 2 prerequisite edges" in r.output


def test_validate_lists_every_problem(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": node_yaml("a", ["ghost"]),
                           "basics/b.yaml": node_yaml("b").replace("level: beginner", "level: x")})
    r = invoke("validate", str(root))
    assert r.exit_code == 1
    assert "'ghost'" in r.output and "field 'level'" in r.output and "2 problem(s)" in r.output
    assert "Traceback" not in r.output


def test_validate_strict_missing_lab(rm_dir: Path) -> None:
    assert invoke("validate", str(rm_dir)).exit_code == 0
    r = invoke("validate", str(rm_dir), "--strict")
    assert r.exit_code == 1 and "beta.py does not exist" in r.output


def test_usage_error_exit_2(rm_dir: Path) -> None:
    assert invoke("validate", "--no-such-flag").exit_code == 2
    assert invoke("export", "-r", str(rm_dir), "--format", "xml").exit_code == 2


def test_list_and_filters(rm_dir: Path) -> None:
    r = invoke("list", "-r", str(rm_dir))
    assert r.exit_code == 0 and "alpha" in r.output and "gamma" in r.output
    r = invoke("list", "-r", str(rm_dir), "--section", "more")
    assert "gamma" in r.output and "alpha" not in r.output
    r = invoke("list", "-r", str(rm_dir), "--section", "mroe")
    assert r.exit_code == 1 and "did you mean" in r.output


def test_show_and_unknown_id(rm_dir: Path) -> None:
    r = invoke("show", "beta", "-r", str(rm_dir))
    assert r.exit_code == 0 and "prerequisites: alpha" in r.output and "unlocks: gamma" in r.output
    r = invoke("show", "bta", "-r", str(rm_dir))
    assert r.exit_code == 1 and "did you mean" in r.output and "beta" in r.output


def test_path_and_next(rm_dir: Path) -> None:
    r = invoke("path", "gamma", "-r", str(rm_dir), "--done", "alpha")
    assert r.exit_code == 0 and "2 steps" in r.output
    assert r.output.index("beta") < r.output.index("gamma", r.output.index("beta"))
    r = invoke("next", "-r", str(rm_dir), "--done", "alpha")
    assert r.exit_code == 0 and "beta" in r.output
    r = invoke("next", "-r", str(rm_dir), "--done", "alpah")
    assert r.exit_code == 1 and "did you mean" in r.output


def test_export_json_and_dot(rm_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.json"
    assert invoke("export", "-r", str(rm_dir), "--format", "json", "-o", str(out)).exit_code == 0
    data = json.loads(out.read_text())
    assert [e for e in data["edges"]] == [["alpha", "beta"], ["beta", "gamma"]]
    r = invoke("export", "-r", str(rm_dir), "--format", "dot")
    assert r.exit_code == 0 and '"alpha" -> "beta";' in r.output


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


def test_console_script_bad_roadmap_has_no_traceback(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": "id: a\n  bad: [\n"})
    exe = Path(sys.executable).parent / "roadmap"
    p = subprocess.run([str(exe), "list", "-r", str(root)], capture_output=True, text=True)
    assert p.returncode == 1 and "YAML syntax error" in p.stderr
    assert "Traceback" not in p.stderr + p.stdout
