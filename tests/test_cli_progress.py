"""``roadmap user|team|progress`` and ``--user`` on path/next, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.cli import app
from graph.cli_progress import current_user, done_for
from graph.progress import Store
from tests.progress_fixtures import *  # noqa: F401,F403 - the fixtures

from .factory import make, node_yaml, write_alpha_lab

runner = CliRunner()
KIT = Path(__file__).resolve().parents[1] / "labs" / "kit.py"


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ROADMAP_DB_URL", db_url)
    monkeypatch.setenv("ROADMAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("ROADMAP_USER", raising=False)
    return db_url


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


def ok(*args: str | Path) -> str:
    r = invoke(*args)
    assert r.exit_code == 0, r.output
    return r.output


def one_error(r, code: int = 1) -> str:  # type: ignore[no-untyped-def]
    """The command failed with ``code`` and one clear line, no traceback."""
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output and r.exception is None or isinstance(
        r.exception, SystemExit), r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), r.output
    return lines[0]


def test_user_add_list_rename(env: str) -> None:
    assert "added user ana" in ok("user", "add", "ana", "--display-name", "Ana Pérez")
    ok("user", "add", "bob")
    listing = ok("user", "list")
    assert "ana" in listing and "Ana Pérez" in listing and "bob" in listing
    assert "renamed user bob to rob" in ok("user", "rename", "bob", "rob")
    assert "already exists" in one_error(invoke("user", "add", "ana"))
    assert "unknown user id 'bobb'" in one_error(invoke("user", "rename", "bobb", "x"))


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


def test_teams(env: str, roadmap_dir: Path) -> None:
    for u in ("ana", "bob", "cy"):
        ok("user", "add", u)
    assert "created team ml (admin: ana)" in ok("team", "add", "ml", "-u", "ana")
    assert "bob is a member of team ml" in ok("team", "join", "ml", "-u", "bob")
    ok("team", "join", "ml", "-u", "cy", "--role", "admin")
    ok("progress", "set", "intro", "done", "-u", "bob", "-r", roadmap_dir)
    ok("progress", "set", "tensors", "skipped", "-u", "cy", "-r", roadmap_dir)
    show = ok("team", "show", "ml", "-r", roadmap_dir, "--matrix")
    assert "team ml: 3 member(s)" in show
    assert "nobody has done (5): autograd, linear, tensors, deploy, training" in show
    assert "★ verified by a lab" in show
    assert "bob: done" in ok("team", "who", "intro", "--team", "ml", "-r", roadmap_dir)
    assert "Nobody on team ml has done linear" in ok("team", "who", "linear", "-t", "ml",
                                                     "-r", roadmap_dir)
    assert "did you mean" in one_error(invoke("team", "who", "lienar", "-r", roadmap_dir))
    assert "unknown team id 'mll'" in one_error(invoke("team", "join", "mll", "-u", "ana"))
    assert "invalid role 'boss'" in one_error(invoke("team", "join", "ml", "-u", "ana",
                                                     "--role", "boss"), code=2)
    assert "bob left team ml" in ok("team", "leave", "ml", "-u", "bob")


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


def test_bad_database_is_one_clear_line(env: str, tmp_path: Path) -> None:
    p = tmp_path / "junk.sqlite3"
    p.write_text("definitely not sqlite\n" * 50)
    line = one_error(invoke("user", "list", "--db", p))
    assert "is not a SQLite database" in line
    line = one_error(invoke("user", "list", "--db", "postgresql://x@127.0.0.1:1/none"))
    assert "cannot connect to the progress database" in line


def test_invalid_roadmap_is_reported(env: str, tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": node_yaml("a", ["ghost"])}, labs=False)
    r = invoke("progress", "show", "-r", root)
    assert r.exit_code == 1 and "unknown id 'ghost'" in r.output
    assert "Traceback" not in r.output


def test_lab_run_with_own_solution_is_verified(db_url: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("the runner's wiring is the same on every database")
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


def test_status_help_lists_the_store_statuses() -> None:
    from graph.cli_progress import STATUS_HELP
    from graph.progress import STATUSES

    assert STATUS_HELP == " | ".join(STATUSES)
