"""The ledger in the app: the Review page checks a due node at a fresh seed, My progress
shows evidence and retention, the Team page its coverage and a role gap."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.ui.apptest import make_app, ok, texts, visible_text
from tests.ui.conftest import ROOT

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _store(tmp: Path):  # type: ignore[no-untyped-def]
    from graph import Store, load_roadmap

    rm = load_roadmap(tmp / "roadmap")
    return rm, Store(str(tmp / "data" / "progress.sqlite3"), roadmap=rm)


def _pass(store, rm, user: str, node: str, at: datetime, seed: int = 0) -> None:  # type: ignore[no-untyped-def]
    from graph import lab_files

    lab = lab_files(rm).get(node)  # None for a node without a lab
    store.record_run(user, {"node": node, "status": "pass", "solution": "learner",
                            "started_at": at.isoformat(), "finished_at": at.isoformat(),
                            "seed": seed, "quick": True, "device": "cpu",
                            "lab_sha256": lab.sha256 if lab else None})


def test_review_page_checks_a_due_node_at_a_fresh_seed(app_env: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from graph import reviews_due, solution_path, user_ledger

    labs = app_env / "labs"  # real files: the sandbox sees the labs folder, not a link's target
    (labs / "calculus.py").unlink()
    for name in ("calculus.py", "kit.py"):
        shutil.copyfile(ROOT / "labs" / name, labs / name)
    rm, store = _store(app_env)
    with store:
        store.add_user("local")
        _pass(store, rm, "local", "calculus", T0)
    monkeypatch.setenv("ROADMAP_NOW", (T0 + timedelta(days=10)).isoformat())
    at = ok(make_app("review"))
    body = texts(at)
    assert "1. Calculus" in body and "retention" in body and "leads to 3 nodes" in body
    check = at.button(key="review_check_calculus")
    assert check.disabled  # no solution file yet: the page says how to write one
    assert "roadmap lab start calculus" in body
    mine = solution_path("local", "calculus")
    mine.parent.mkdir(parents=True)
    shutil.copyfile(ROOT / "tests" / "labs" / "alt" / "calculus.py", mine)
    at = ok(make_app("review"))
    seed = int(at.button(key="review_check_calculus").label.split("seed ")[1].rstrip(")"))
    assert seed != 0
    at.button(key="review_check_calculus").click().run()
    deadline = time.monotonic() + 120
    while "Review of Calculus passed" not in texts(at):
        assert time.monotonic() < deadline, texts(at)[-2000:]
        time.sleep(0.5)
        at.run()
    assert "Nothing is due for review." in texts(ok(at))
    rm, store = _store(app_env)
    with store:
        run = store.runs("local", "calculus")[-1]
        assert (run.status, run.solution, run.seed) == ("pass", "learner", seed)
        e = user_ledger(rm, store, "local")["calculus"]
        assert (e.evidence, e.reviews, e.interval_days) == ("verified", 1, 21)
        assert reviews_due(rm, store, "local") == []
    assert "Coming up" in texts(ok(make_app("review")))


def test_progress_page_shows_evidence_and_retention(app_env: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    rm, store = _store(app_env)
    with store:
        store.add_user("local")
        _pass(store, rm, "local", "backpropagation", T0)
        store.set_status("local", "crashing-lab", "done")
    monkeypatch.setenv("ROADMAP_NOW", (T0 + timedelta(days=2)).isoformat())
    at = ok(make_app("progress"))
    table = at.dataframe[0].value
    rows = {r["node"]: r for r in table.to_dict("records")}
    assert rows["Backpropagation"]["evidence"] == "verified"
    assert rows["Backpropagation"]["retention"] == pytest.approx(2 ** (-2 / 7))
    assert rows["Calculus"]["evidence"] == "inferred"
    assert rows["Calculus"]["next review"] == "via backpropagation"
    assert rows["Crashing lab"]["evidence"] == "claimed"
    assert "verified 33% · claimed 0%" in texts(at)  # foundations: 1 of 3 verified
    monkeypatch.setenv("ROADMAP_NOW", (T0 + timedelta(days=9)).isoformat())
    at = ok(make_app("progress"))
    rows = {r["node"]: r for r in at.dataframe[0].value.to_dict("records")}
    assert rows["Backpropagation"]["evidence"] == "stale"
    assert rows["Backpropagation"]["next review"].startswith("due since 2025-01-06")


def test_team_page_coverage_and_role_gap(app_env: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    roles = app_env / "roadmap" / "roles"
    roles.mkdir()
    (roles / "trainer.yaml").write_text("id: trainer\ntitle: Trainer\n"
                                        "i18n: {es: {title: Entrenador}}\n"
                                        "targets: [slow-lab]\n")
    rm, store = _store(app_env)
    with store:
        for name in ("ana", "ben"):
            store.add_user(name)
        store.add_team("ml", admin="ana")
        store.join_team("ml", "ben")
        _pass(store, rm, "ana", "calculus", T0)
        _pass(store, rm, "ben", "linear-algebra", T0 - timedelta(days=30))
        store.set_status("ben", "backpropagation", "done")
    monkeypatch.setenv("ROADMAP_NOW", (T0 + timedelta(days=1)).isoformat())
    at = ok(make_app("team"))
    body = texts(at)
    assert "Bus factor 1" in body and "Calculus · **ana**" in body
    assert "Held only by stale evidence" in body and "Linear algebra (`linear-algebra`)" in body
    coverage = {r["node"]: r for r in at.dataframe[0].value.to_dict("records")}
    assert (coverage["Calculus"]["verified"], coverage["Calculus"]["verified by"]) == (1, "ana")
    assert (coverage["Linear algebra"]["stale"], coverage["Slow lab"]["none"]) == (1, 2)
    assert coverage["Backpropagation"]["claimed"] == 1
    gap = {r["Member"]: r for r in at.dataframe[1].value.to_dict("records")}
    # ben's done backpropagation counts its prerequisites: only slow-lab is left
    assert (gap["ana"]["steps left"], gap["ben"]["steps left"]) == (3, 1)
    assert (gap["ana"]["verified"], gap["ben"]["verified"]) == ("1/4", "0/4")
    heat = at.get("plotly_chart")[0]
    assert "ana · Calculus: verified" in "".join(visible_text(at)) and heat is not None
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download Excel"]
