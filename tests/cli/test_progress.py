"""``roadmap progress``: statuses, history, export and import, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph import Store, current_user, done_for
from tests.cli.helpers import invoke, ok, one_error
from tests.factory import make, node_yaml


def test_progress_set_and_show(env: str, roadmap_dir: Path) -> None:
    ok("user", "add", "ana")
    out = ok("progress", "set", "intro", "done", "--user", "ana", "-r", roadmap_dir)
    assert "ana: intro todo → done" in out
    out = ok("progress", "set", "tensors", "learning", "-u", "ana", "--note", "ch. 2",
             "-r", roadmap_dir)
    assert "(note: ch. 2)" in out
    assert "already done" in ok("progress", "set", "intro", "done", "-u", "ana",
                                "-r", roadmap_dir)
    ok("progress", "set", "shipping", "skipped", "-u", "ana", "-r", roadmap_dir)  # old id
    show = ok("progress", "show", "--user", "ana", "-r", roadmap_dir)
    assert "progress of ana" in show
    assert "1/4" in show and "25%" in show  # basics: intro done of 4
    assert "1/2" in show and "50%" in show  # more: deploy skipped of 2
    assert "2/6" in show
    assert "Basics remaining (3): autograd, linear, tensors" in show
    assert "More remaining (1): training" in show
    history = ok("progress", "history", "-u", "ana")
    assert "intro" in history and "todo → done" in history and "(ch. 2)" in history


def test_progress_errors(env: str, roadmap_dir: Path) -> None:
    ok("user", "add", "ana")
    line = one_error(invoke("progress", "set", "intro", "donne", "-u", "ana",
                            "-r", roadmap_dir), code=2)
    assert "invalid status 'donne'" in line and "did you mean 'done'" in line
    line = one_error(invoke("progress", "set", "tensor", "done", "-u", "ana",
                            "-r", roadmap_dir))
    assert "unknown node id 'tensor'; did you mean tensors" in line
    line = one_error(invoke("progress", "set", "intro", "done", "-u", "anna",
                            "-r", roadmap_dir))
    assert "unknown user id 'anna'; did you mean ana?" in line
    assert "unknown user id 'anna'" in one_error(invoke("progress", "show", "-u", "anna",
                                                       "-r", roadmap_dir))


def test_current_user_env_and_default_profile(env: str, roadmap_dir: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert "local: intro todo → done" in ok("progress", "set", "intro", "done",
                                            "-r", roadmap_dir)
    ok("user", "add", "eve")
    monkeypatch.setenv("ROADMAP_USER", "eve")
    assert current_user(None) == "eve"
    assert "eve: linear todo → learning" in ok("progress", "set", "linear", "learning",
                                               "-r", roadmap_dir)
    with Store(env) as s:
        assert done_for(s, "local") == {"intro"}
        assert s.status("eve", "linear") == "learning"


def test_export_import_round_trip(env: str, roadmap_dir: Path, other_url: str,
                                  tmp_path: Path) -> None:
    ok("user", "add", "ana")
    ok("progress", "set", "intro", "done", "-u", "ana", "--note", "ok", "-r", roadmap_dir)
    ok("progress", "set", "linear", "learning", "-u", "ana", "-r", roadmap_dir)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert f"wrote {a}" in ok("progress", "export", "-u", "ana", "-o", a)
    stdout = ok("progress", "export", "-u", "ana")
    assert json.loads(stdout) == json.loads(a.read_text())
    out = ok("progress", "import", a, "--db", other_url, "-r", roadmap_dir)
    assert "imported into ana: 2 status(es), 2 event(s), 0 lab run(s)" in out
    ok("progress", "export", "-u", "ana", "-o", b, "--db", other_url)
    assert a.read_text() == b.read_text()
    assert "4 already present" in ok("progress", "import", a, "--db", other_url,
                                     "-r", roadmap_dir)


def test_import_errors(env: str, roadmap_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    assert "not JSON" in one_error(invoke("progress", "import", bad, "-r", roadmap_dir))
    doc = {"format": "roadmap-lab-progress", "version": 1, "user": {"name": "ana"},
           "statuses": [{"node": "intro", "status": "finished",
                         "updated_at": "2025-01-01T00:00:00Z"}],
           "events": [], "lab_runs": []}
    bad.write_text(json.dumps(doc))
    line = one_error(invoke("progress", "import", bad, "-r", roadmap_dir))
    assert "field 'statuses[0].status'" in line and "nothing was imported" in line
    doc["statuses"][0].update(status="done", node="quantum-magic")
    bad.write_text(json.dumps(doc))
    line = one_error(invoke("progress", "import", bad, "-r", roadmap_dir))
    assert "'quantum-magic' (statuses[0].node)" in line and "--allow-unknown" in line
    out = ok("progress", "import", bad, "--allow-unknown", "-r", roadmap_dir)
    assert "kept aside (not in this roadmap): quantum-magic" in out
    show = ok("progress", "show", "-u", "ana", "-r", roadmap_dir)
    assert "kept aside (not in this roadmap): quantum-magic" in show and "0/6" in show


def test_invalid_roadmap_is_reported(env: str, tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": node_yaml("a", ["ghost"])}, labs=False)
    r = invoke("progress", "show", "-r", root)
    assert r.exit_code == 1 and "unknown id 'ghost'" in r.output
    assert "Traceback" not in r.output


def test_status_help_lists_the_store_statuses() -> None:
    from graph import STATUSES
    from graph.cli.progress import STATUS_HELP

    assert STATUS_HELP == " | ".join(STATUSES)
