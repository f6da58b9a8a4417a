"""``roadmap review``, ``progress show --format``, ``team show --format|--role`` and ``path
--role`` on a real lab, with the clock moved by ROADMAP_NOW, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import shlex
from pathlib import Path

import pytest

from graph import solution_path
from tests.cli.helpers import invoke, ok, one_error
from tests.factory import make, node_yaml


def _show(rm_dir: Path, user: str = "ana") -> dict[str, dict]:
    doc = json.loads(ok("progress", "show", "-u", user, "-r", rm_dir, "--format", "json"))
    assert isinstance(doc, list)
    return {e["node"]: e for e in doc}


def _review(rm_dir: Path, user: str = "ana") -> list[dict]:
    doc = json.loads(ok("review", "-u", user, "-r", rm_dir, "--format", "json"))
    assert isinstance(doc, list)
    return doc


def test_review_cycle_from_the_cli(env: str, rm_dir: Path, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ok("user", "add", "ana")
    mine = solution_path("ana", "alpha")
    mine.parent.mkdir(parents=True)
    mine.write_text("def add(a, b):\n    return b + a\n")
    monkeypatch.setenv("ROADMAP_NOW", "2025-01-01T00:00:00Z")
    out = ok("lab", "run", "alpha", "--quick", "--solution", mine, "-u", "ana", "-r", rm_dir)
    assert "verified" in out
    monkeypatch.setenv("ROADMAP_NOW", "2025-01-05T00:00:00Z")
    assert _review(rm_dir) == []
    assert "Nothing is due for review for ana on 2025-01-05" in ok("review", "-u", "ana",
                                                                   "-r", rm_dir)
    alpha = _show(rm_dir)["alpha"]
    assert (alpha["status"], alpha["evidence"], alpha["interval_days"]) == ("done", "verified", 7)
    assert alpha["retention"] == pytest.approx(2 ** (-4 / 7), abs=1e-4)
    assert alpha["due"].startswith("2025-01-06T03:") and alpha["lab_sha256"]
    # day 6: stale, and the queue says how to review it
    monkeypatch.setenv("ROADMAP_NOW", "2025-01-07T00:00:00Z")
    assert _show(rm_dir)["alpha"]["evidence"] == "stale"
    (item,) = _review(rm_dir)
    assert (item["node"], item["evidence"], item["seed"] != 0) == ("alpha", "stale", True)
    table = ok("review", "-u", "ana", "-r", rm_dir)
    assert "due for review: ana, 1 node(s)" in table and item["command"] in " ".join(
        table.split())
    args = shlex.split(item["command"])
    assert args[:4] == ["roadmap", "lab", "run", "alpha"] and str(mine) in args
    assert "verified" in ok(*args[1:], "-r", rm_dir)  # the printed command, as given
    assert _review(rm_dir) == []
    alpha = _show(rm_dir)["alpha"]
    assert (alpha["evidence"], alpha["interval_days"], alpha["reviews"]) == ("verified", 21, 1)
    # the lab is edited: the passes made against the old content need a re-check
    lab = tmp_path / "labs" / "alpha.py"
    lab.write_text(lab.read_text() + "\n# one more check to come\n")
    assert _show(rm_dir)["alpha"]["evidence"] == "invalidated"
    (item,) = _review(rm_dir)
    assert item["evidence"] == "invalidated"
    assert "re-check now (the lab changed)" in ok("progress", "show", "-u", "ana",
                                                  "-r", rm_dir)


def test_progress_show_csv_and_table(env: str, rm_dir: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ok("user", "add", "ana")
    ok("progress", "set", "beta", "done", "-u", "ana", "-r", rm_dir)
    rows = list(csv.DictReader(io.StringIO(ok("progress", "show", "-u", "ana", "-r", rm_dir,
                                              "-f", "csv"))))
    assert [(r["node"], r["status"], r["evidence"]) for r in rows] == [
        ("alpha", "todo", "none"), ("beta", "done", "claimed"), ("gamma", "todo", "none")]
    table = ok("progress", "show", "-u", "ana", "-r", rm_dir)
    assert "claimed" in table and "verified 0 · stale 0" in table
    assert "50%" in table  # basics: claimed 1 of 2
    line = one_error(invoke("progress", "show", "-u", "ana", "-r", rm_dir, "-f", "yaml"), 2)
    assert "unknown format 'yaml'; use table, json, csv" in line


def _team(rm_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for u in ("ana", "bob"):
        ok("user", "add", u)
    ok("team", "add", "ml", "-u", "ana")
    ok("team", "join", "ml", "-u", "bob")
    mine = solution_path("ana", "alpha")
    mine.parent.mkdir(parents=True)
    mine.write_text("def add(a, b):\n    return a + b\n")
    monkeypatch.setenv("ROADMAP_NOW", "2025-01-01T00:00:00Z")
    ok("lab", "run", "alpha", "--quick", "--solution", mine, "-u", "ana", "-r", rm_dir)
    ok("progress", "set", "beta", "done", "-u", "bob", "-r", rm_dir)


def test_team_export_coverage_columns(env: str, rm_dir: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _team(rm_dir, monkeypatch)
    rows = list(csv.DictReader(io.StringIO(ok("team", "show", "ml", "-r", rm_dir,
                                              "--format", "csv"))))
    cols = ("node", "verified", "stale", "invalidated", "inferred", "claimed", "none",
            "bus_factor_1", "stale_only", "nobody_covers", "verified_holders", "ana", "bob")
    assert [tuple(r[c] for c in cols) for r in rows] == [
        ("alpha", "1", "0", "0", "0", "0", "1", "yes", "no", "no", "ana", "verified", "none"),
        ("beta", "0", "0", "0", "0", "1", "1", "no", "no", "no", "", "none", "claimed"),
        ("gamma", "0", "0", "0", "0", "0", "2", "no", "no", "yes", "", "none", "none")]
    out = tmp_path / "ml.xlsx"
    assert "wrote" in ok("team", "show", "ml", "-r", rm_dir, "-f", "xlsx", "-o", out)
    from openpyxl import load_workbook

    ws = load_workbook(out).active
    assert ws is not None
    got = [[c.value for c in r] for r in ws.iter_rows()]
    assert got[0][:2] == ["node", "title"] and [r[0] for r in got[1:]] == [
        "alpha", "beta", "gamma"]
    assert got[1][got[0].index("bus_factor_1")] is True  # booleans stay booleans
    table = ok("team", "show", "ml", "-r", rm_dir, "--matrix")
    assert "bus factor 1 (one verified holder) (1): alpha (ana)" in table
    assert "nobody covers (1): gamma" in table and "★ verified" in table
    # a stale pass: held only by stale evidence
    monkeypatch.setenv("ROADMAP_NOW", "2025-02-01T00:00:00Z")
    assert "held only by stale evidence (1): alpha" in ok("team", "show", "ml", "-r", rm_dir)


def test_team_export_bad_output_writes_nothing(env: str, rm_dir: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _team(rm_dir, monkeypatch)
    target = tmp_path / "missing" / "ml.xlsx"
    line = one_error(invoke("team", "show", "ml", "-r", rm_dir, "-f", "xlsx", "-o", target))
    assert "the folder" in line and "missing does not exist; nothing was written" in line
    assert not target.parent.exists()
    assert "--format xlsx needs --output" in one_error(
        invoke("team", "show", "ml", "-r", rm_dir, "-f", "xlsx"), 2)
    assert "unknown format 'pdf'" in one_error(
        invoke("team", "show", "ml", "-r", rm_dir, "-f", "pdf"), 2)


def test_roles_path_and_team_gap(env: str, rm_dir: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (rm_dir / "roles").mkdir()
    (rm_dir / "roles" / "builder.yaml").write_text(
        "id: builder\ntitle: Builder\ntargets: [gamma]\n")
    _team(rm_dir, monkeypatch)
    out = ok("path", "--role", "builder", "-u", "ana", "-r", rm_dir)
    assert "path to role Builder: 2 steps, 4 h" in out and "beta" in out and "alpha" not in out
    assert "role Builder is already done" in ok("path", "--role", "builder", "-d", "gamma",
                                                "-r", rm_dir)
    gap = ok("team", "show", "ml", "-r", rm_dir, "--role", "builder")
    assert "gap to Builder (3 nodes)" in gap
    assert "unknown role id 'buildr'; did you mean builder?" in one_error(
        invoke("path", "--role", "buildr", "-r", rm_dir))
    assert "unknown role id 'buildr'" in one_error(
        invoke("team", "show", "ml", "--role", "buildr", "-r", rm_dir))
    assert "give a TARGET node or --role ROLE" in one_error(
        invoke("path", "gamma", "--role", "builder", "-r", rm_dir), 2)


def test_bad_clock(env: str, rm_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ok("user", "add", "ana")
    ok("team", "add", "ml", "-u", "ana")
    monkeypatch.setenv("ROADMAP_NOW", "next tuesday")
    for args in (("review",), ("progress", "show"), ("team", "show", "ml")):
        line = one_error(invoke(*args, "-u", "ana", "-r", rm_dir) if args[0] != "team"
                         else invoke(*args, "-r", rm_dir))
        assert "ROADMAP_NOW='next tuesday' is not an ISO 8601 time" in line, args


@pytest.mark.parametrize(("files", "needle"), [
    ({"roles/r.yaml": "id: r\ntitle: R\ntargets: [gama]\n"},
     "role 'r' names unknown node 'gama'; did you mean 'gamma'?"),
    ({"more/gamma.yaml": node_yaml("gamma", ["beta"], encompasses="{beta: 2}")},
     "field 'encompasses.beta': should be a weight from 0 to 1, got 2"),
    ({"more/gamma.yaml": node_yaml("gamma", ["beta"], encompasses="{alpha: 0.5}")},
     "field 'encompasses.alpha': 'alpha' is not a prerequisite of 'gamma'"),
])
def test_bad_roles_and_weights_fail_validation(tmp_path: Path, files: dict[str, str],
                                               needle: str) -> None:
    base = {"basics/alpha.yaml": node_yaml("alpha"),
            "basics/beta.yaml": node_yaml("beta", ["alpha"]),
            "more/gamma.yaml": node_yaml("gamma", ["beta"])}
    root = make(tmp_path, {**base, **files})
    r = invoke("validate", root)
    assert r.exit_code == 1 and needle in " ".join(r.output.split()), r.output
    assert "Traceback" not in r.output
