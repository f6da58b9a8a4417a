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


def test_layout_json_gives_centres_in_one_system_and_the_crossings(rm_dir: Path) -> None:
    data = json.loads(ok("layout", "-r", rm_dir, "--format", "json"))
    assert [n["id"] for n in data["nodes"]] == ["alpha", "beta", "gamma"]
    assert {"id", "x", "y"} <= set(data["nodes"][0])
    assert data["crossings"] == 0 and len(data["edges"]) == 2
    x = {n["id"]: n["x"] for n in data["nodes"]}
    assert x["alpha"] < x["beta"] < x["gamma"]  # each right of its prerequisite
    # every route starts at its source box's right side and ends at its target's left side
    box = {n["id"]: n for n in data["nodes"]}
    for e in data["edges"]:
        s, t = box[e["source"]], box[e["target"]]
        assert e["points"][0] == [s["x"] + s["w"] / 2, s["y"]]
        assert e["points"][-1] == [t["x"] - t["w"] / 2, t["y"]]


def test_layout_json_matches_the_engine_on_the_bundled_roadmap() -> None:
    from graph import crossings, layered_layout, load_roadmap

    data = json.loads(ok("layout", "--format", "json", "--lang", "es"))
    rm = load_roadmap()
    assert data["crossings"] == crossings(layered_layout(rm, "es"))
    assert {n["id"] for n in data["nodes"]} == set(rm.nodes)
    lines = {n["id"]: " ".join(n["lines"]) for n in data["nodes"]}
    assert lines["backpropagation"] == rm.nodes["backpropagation"].title_in("es")


def test_layout_table_lists_every_node_and_the_count(rm_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    out = ok("layout", "-r", rm_dir)
    assert "3 nodes in 3 columns, 2 edges, 0 crossings" in out
    assert out.index("alpha") < out.index("beta") < out.index("gamma")
    assert "Title of beta" in out and "lines" in out


def test_layout_refuses_an_unknown_format_or_language(rm_dir: Path) -> None:
    r = invoke("layout", "-r", rm_dir, "--format", "svg")
    assert r.exit_code == 2 and "unknown format 'svg'; use table or json" in r.output
    r = invoke("layout", "-r", rm_dir, "--lang", "fr")
    assert r.exit_code == 2 and "unknown language 'fr'; this roadmap has en" in r.output


def test_layout_names_a_pin_that_breaks_the_order(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": node_yaml("a"),
                           "basics/b.yaml": node_yaml("b", ["a"], position="[0, 0]")})
    r = invoke("layout", "-r", root)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "b.yaml" in r.output and "pinned to column 0" in r.output
