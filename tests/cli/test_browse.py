"""``roadmap validate|list|show|path|next|export``: exit codes, one clear line per problem."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import invoke, ok
from tests.factory import make, node_yaml


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


def test_console_script_bad_roadmap_has_no_traceback(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": "id: a\n  bad: [\n"})
    exe = Path(sys.executable).parent / "roadmap"
    p = subprocess.run([str(exe), "list", "-r", str(root)], capture_output=True, text=True)
    assert p.returncode == 1 and "YAML syntax error" in p.stderr
    assert "Traceback" not in p.stderr + p.stdout


def test_path_and_next_take_the_users_progress(env: str, roadmap_dir: Path) -> None:
    ok("user", "add", "ana")
    for node in ("intro", "tensors"):
        ok("progress", "set", node, "done", "-u", "ana", "-r", roadmap_dir)
    out = ok("next", "--user", "ana", "-r", roadmap_dir)
    assert "autograd" in out and "linear" in out and "tensors" not in out
    out = ok("path", "training", "--user", "ana", "-r", roadmap_dir)
    assert "3 steps" in out and "intro" not in out
    assert "unknown user id 'nobody'" in invoke("next", "--user", "nobody",
                                                "-r", roadmap_dir).output


def test_user_means_whose_progress_on_path_and_next(env: str, roadmap_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --user, path and next read ROADMAP_USER's progress, then the local profile's."""
    ok("progress", "set", "intro", "done", "-r", roadmap_dir)  # the local profile
    assert "intro" not in ok("next", "-r", roadmap_dir)
    assert "tensors" in ok("next", "-r", roadmap_dir)
    ok("user", "add", "eve")
    monkeypatch.setenv("ROADMAP_USER", "eve")
    assert "intro" in ok("next", "-r", roadmap_dir)  # eve has done nothing
    assert "intro" not in ok("path", "tensors", "-r", roadmap_dir, "--user", "local")
