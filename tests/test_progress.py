"""The progress store, on SQLite and (with ROADMAP_TEST_PG_URL) on PostgreSQL."""

from __future__ import annotations

import copy
import functools
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

import graph.progress as gp
from graph.errors import NodeNotFound, ProgressError
from graph.progress import (
    Cell,
    ImportFileError,
    InvalidStatus,
    Store,
    UnknownNodesError,
    completions_over_time,
    done_for,
    section_progress,
    skill_matrix,
    uncovered_nodes,
    user_learning_path,
    user_next_up,
    who_can_help,
)
from tests.progress_fixtures import *  # noqa: F401,F403 - the fixtures
from tests.progress_fixtures import ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def run_dict(node: str, status: str = "pass", solution: str = "reference",
             started: str = "2025-03-01T10:00:00+00:00", **extra: object) -> dict:
    return {"node": node, "status": status, "started_at": started,
            "finished_at": "2025-03-01T10:00:05+00:00", "duration_s": 5.0, "device": "cpu",
            "quick": True, "solution": solution, "solution_sha256": None,
            "result": {"checks": [{"name": "a", "passed": True},
                                  {"name": "b", "passed": status == "pass"}]},
            "log_path": "/tmp/log.txt", "returncode": 0 if status == "pass" else 1, **extra}


# --------------------------------------------------------------------------- users, teams


def test_users_add_list_rename(store: Store) -> None:
    store.add_user("ana", "Ana Pérez")
    store.add_user("bob")
    assert [u.name for u in store.users()] == ["ana", "bob"]
    assert store.user("ana").display_name == "Ana Pérez"
    store.set_status("ana", "intro", "done")
    store.rename_user("ana", "ana.p")
    assert [u.name for u in store.users()] == ["ana.p", "bob"]
    assert store.statuses("ana.p")["intro"].status == "done"  # progress follows
    with pytest.raises(ProgressError, match="already exists"):
        store.add_user("bob")
    with pytest.raises(ProgressError, match="already exists"):
        store.rename_user("ana.p", "bob")
    with pytest.raises(ProgressError, match="invalid user name"):
        store.add_user("two words")


def test_unknown_user_suggests(store: Store) -> None:
    store.add_user("bobby")
    with pytest.raises(NodeNotFound, match=r"unknown user id 'bob'; did you mean bobby\?"):
        store.set_status("bob", "intro", "done")
    with pytest.raises(NodeNotFound, match="unknown user id 'bob'"):
        store.statuses("bob")


def test_default_profile_is_created_on_first_write(store: Store) -> None:
    assert store.statuses(gp.DEFAULT_USER) == {}
    assert store.users() == []
    store.set_status(gp.DEFAULT_USER, "intro", "learning")
    assert [u.name for u in store.users()] == [gp.DEFAULT_USER]


def test_current_user_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROADMAP_USER", raising=False)
    assert gp.current_user(None) == gp.DEFAULT_USER
    monkeypatch.setenv("ROADMAP_USER", "env-user")
    assert gp.current_user(None) == "env-user"
    assert gp.current_user("opt") == "opt"


def test_teams_roles_membership(store: Store) -> None:
    for u in ("ana", "bob", "cy"):
        store.add_user(u)
    team = store.add_team("ml", admin="ana")
    assert [(m.name, m.role) for m in team.members] == [("ana", "admin")]
    store.join_team("ml", "bob")
    store.join_team("ml", "cy", role="admin")
    assert [(m.name, m.role) for m in store.team("ml").members] == [
        ("ana", "admin"), ("cy", "admin"), ("bob", "member")]
    store.join_team("ml", "cy", role="member")  # a role change
    assert ("cy", "member") in [(m.name, m.role) for m in store.team("ml").members]
    store.leave_team("ml", "bob")
    assert "bob" not in [m.name for m in store.team("ml").members]
    assert store.teams() == ["ml"]
    with pytest.raises(InvalidStatus, match="invalid role 'owner'"):
        store.join_team("ml", "bob", role="owner")
    with pytest.raises(NodeNotFound, match=r"unknown team id 'mll'; did you mean ml\?"):
        store.join_team("mll", "bob")
    with pytest.raises(ProgressError, match="already exists"):
        store.add_team("ml")


# --------------------------------------------------------------------------- statuses


def test_set_status_appends_events(store: Store) -> None:
    store.add_user("ana")
    c1 = store.set_status("ana", "intro", "learning", note="chapter 1")
    assert (c1.old, c1.new, c1.changed) == (None, "learning", True)
    c2 = store.set_status("ana", "intro", "done")  # note kept
    assert (c2.old, c2.new, c2.note) == ("learning", "done", "chapter 1")
    assert not store.set_status("ana", "intro", "done").changed  # no-op: no event
    store.set_note("ana", "intro", "")
    evs = store.events("ana")
    assert [(e.kind, e.node, e.from_status, e.to_status, e.note) for e in evs] == [
        ("status", "intro", None, "learning", "chapter 1"),
        ("status", "intro", "learning", "done", None),
        ("note", "intro", "done", "done", ""),
    ]
    assert all(e.user == "ana" and e.at.tzinfo is not None for e in evs)
    assert evs[0].at <= evs[1].at <= evs[2].at
    st = store.statuses("ana")["intro"]
    assert (st.status, st.note, st.verified) == ("done", "", False)
    assert st.created_at <= st.updated_at


def test_statuses_advise_never_lock(store: Store) -> None:
    store.add_user("ana")
    store.set_status("ana", "training", "done")  # its prerequisites are all todo
    assert store.status("ana", "training") == "done"
    assert store.status("ana", "intro") == "todo"


def test_invalid_status_and_unknown_node(store: Store) -> None:
    store.add_user("ana")
    with pytest.raises(InvalidStatus, match=r"invalid status 'donne'.*did you mean 'done'"):
        store.set_status("ana", "intro", "donne")
    with pytest.raises(NodeNotFound, match=r"unknown node id 'tensor'; did you mean tensors"):
        store.set_status("ana", "tensor", "done")
    assert store.events("ana") == []


def test_alias_id_is_accepted_as_current_id(store: Store) -> None:
    store.add_user("ana")
    assert store.set_status("ana", "shipping", "done").node == "deploy"
    assert list(store.statuses("ana")) == ["deploy"]


# --------------------------------------------------------------------------- lab runs


def test_learner_pass_verifies_and_completes(store: Store) -> None:
    from graph.runner import LabRun

    store.add_user("ana")
    store.set_status("ana", "tensors", "learning")
    store.record_run("ana", run_dict("tensors", "pass", "reference"))
    store.record_run("ana", run_dict("tensors", "fail", "learner",
                                     started="2025-03-01T11:00:00+00:00"))
    assert store.verified("ana") == set()
    assert store.status("ana", "tensors") == "learning"
    run = LabRun(**{k: v for k, v in run_dict("tensors", "pass", "learner",
                                              started="2025-03-01T12:00:00+00:00").items()})
    run.user = "ana"
    store.record_run(None, run)  # the run's own user
    assert store.verified("ana") == {"tensors"}
    st = store.statuses("ana")["tensors"]
    assert (st.status, st.verified) == ("done", True)
    store.record_run("ana", run_dict("tensors", "pass", "learner",
                                     started="2025-03-01T13:00:00+00:00"))
    kinds = [(e.kind, e.from_status, e.to_status) for e in store.events("ana")]
    assert kinds.count(("verified", "learning", "done")) == 1  # one verified event
    runs = store.runs("ana", "tensors")
    assert [r.status for r in runs] == ["pass", "fail", "pass", "pass"]
    assert (runs[1].checks_passed, runs[1].checks_total) == (1, 2)
    assert runs[2].verified and not runs[0].verified
    assert runs[0].log_path == "/tmp/log.txt"
    assert store.last_runs("ana")["tensors"].started_at == runs[-1].started_at
    assert store.last_runs()["tensors"].user == "ana"


def test_same_second_runs_are_both_kept(store: Store) -> None:
    store.add_user("ana")
    store.record_run("ana", run_dict("intro"))
    store.record_run("ana", run_dict("intro"))  # the runner's stamps have 1 s resolution
    assert len(store.runs("ana")) == 2


def test_run_fields_are_checked(store: Store) -> None:
    store.add_user("ana")
    with pytest.raises(InvalidStatus, match="invalid lab run status 'passed'"):
        store.record_run("ana", run_dict("intro", "passed"))
    with pytest.raises(ProgressError, match="needs a 'node'"):
        store.record_run("ana", {"status": "pass"})


def test_lab_history_imported_once(store: Store, tmp_path: Path) -> None:
    from graph.runner import LabRun, history_recorder

    hist = tmp_path / "lab-history.jsonl"
    rec = history_recorder(hist)
    for i, node in enumerate(["intro", "gradients"]):  # an old id too
        rec(LabRun(**run_dict(node, "pass", "learner", started=f"2025-01-0{i + 1}T00:00:00Z",
                              user="ana")))
    with hist.open("a") as f:
        f.write("not json\n")
        f.write(json.dumps(run_dict("linear", "fail")) + "\n")  # no user: the current one
    r1 = store.import_lab_history(hist)
    assert (r1.imported, r1.duplicates, r1.bad_lines) == (3, 0, [3])
    assert store.verified("ana") == {"intro", "autograd"}
    assert len(store.runs(gp.current_user(None))) == 1
    assert store.import_lab_history(hist).imported == 0  # once
    with hist.open("a") as f:
        f.write(json.dumps(run_dict("deploy", user="ana")) + "\n")
        f.write(json.dumps(run_dict("tensors", user="ana"))[:20])  # being written
    r3 = store.import_lab_history(hist)
    assert (r3.imported, r3.bad_lines) == (1, [])
    assert [r.node for r in store.runs("ana")].count("tensors") == 0
    with hist.open("a") as f:
        f.write(json.dumps(run_dict("tensors", user="ana"))[20:] + "\n")
    assert store.import_lab_history(hist).imported == 1
    # the file replaced by a shorter one: read again, nothing duplicated
    hist.write_text(json.dumps(run_dict("deploy", user="ana")) + "\n")
    r5 = store.import_lab_history(hist)
    assert (r5.imported, r5.duplicates) == (0, 1)
    assert store.import_lab_history(tmp_path / "missing.jsonl").imported == 0


def test_store_recorder_and_fallback(db_url: str, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.runner import LabRun

    monkeypatch.setenv("ROADMAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ROADMAP_USER", "ana")
    gp.store_recorder(db_url)(LabRun(**run_dict("intro", "pass", "learner")))
    with Store(db_url) as s:
        assert s.verified("ana") == {"intro"}
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"not a database " * 200)
    with pytest.raises(ProgressError, match="not a SQLite database"):
        gp.store_recorder(str(bad))(LabRun(**run_dict("linear", started="2025-05-05T00:00:00Z")))
    with gp.open_store(db_url) as s:  # picks the run up from the history file
        assert [r.node for r in s.runs("ana")] == ["intro", "linear"]


# --------------------------------------------------------------------------- renames


def test_aliases_move_progress_when_the_store_opens(db_url: str, small_roadmap) -> None:
    with Store(db_url) as s:  # no roadmap: ids are taken as given
        for u in ("ana", "bob", "cy"):
            s.add_user(u)
        s.set_status("ana", "gradients", "done", note="old id")
        s.record_run("ana", run_dict("gradients", "pass", "learner"))
        s.set_status("bob", "autograd", "learning")
        s.set_status("cy", "gradients", "done", note="first")
        s.set_status("cy", "autograd", "learning", note="second")  # newer: it wins
        s.set_status("cy", "shipping", "skipped")
        before = len(s.events())
    with Store(db_url, roadmap=small_roadmap) as s:
        ana, cy = s.statuses("ana"), s.statuses("cy")
        assert list(ana) == ["autograd"]
        assert (ana["autograd"].status, ana["autograd"].note, ana["autograd"].verified) == (
            "done", "old id", True)
        assert s.statuses("bob")["autograd"].status == "learning"
        assert cy["autograd"].status == "learning"
        assert cy["autograd"].note == "second\nfirst"  # both notes kept
        assert cy["deploy"].status == "skipped"
        assert [r.node for r in s.runs("ana")] == ["autograd"]
        evs = s.events()
        assert len(evs) == before + 3  # one alias event per moved status
        assert not {e.node for e in evs} & {"gradients", "shipping"}
        assert done_for(s, "cy") == {"deploy"}
        # the timeline counts the merged node once: cy finished gradients, then the
        # merge kept the newer 'learning'; deploy was skipped
        assert completions_over_time(s, user="cy")[-1].cumulative == 1
    with Store(db_url, roadmap=small_roadmap) as s:  # opening again changes nothing
        assert len(s.events()) == before + 3


# --------------------------------------------------------------------------- queries


def test_section_progress_lists_what_remains(store: Store, small_roadmap) -> None:
    store.add_user("ana")
    store.set_status("ana", "intro", "done")
    store.set_status("ana", "linear", "skipped")
    store.set_status("ana", "tensors", "learning")
    store.record_run("ana", run_dict("deploy", "pass", "learner"))
    secs = section_progress(small_roadmap, store, "ana")
    assert [s.section for s in secs] == ["basics", "more"]
    b, m = secs
    assert (b.total, b.done, b.skipped, b.learning, b.finished) == (4, 1, 1, 1, 2)
    assert b.fraction == 0.5
    assert b.remaining == ["autograd", "tensors"]  # roadmap order
    assert (m.done, m.verified, m.remaining, m.fraction) == (1, 1, ["training"], 0.5)


def test_user_path_and_next_use_done_and_skipped(store: Store, small_roadmap) -> None:
    store.add_user("ana")
    store.set_status("ana", "intro", "done")
    store.set_status("ana", "tensors", "skipped")
    store.set_status("ana", "linear", "learning")  # not done: still on the path
    assert done_for(store, "ana") == {"intro", "tensors"}
    lp = user_learning_path(small_roadmap, store, "ana", "training")
    assert sorted(lp.steps[:-1]) == ["autograd", "linear"] and lp.steps[-1] == "training"
    assert {n.node_id for n in user_next_up(small_roadmap, store, "ana")} == {
        "autograd", "linear", "deploy"}


def _team(store: Store) -> None:
    for u in ("ana", "bob", "cy", "dan"):
        store.add_user(u)
    store.add_team("ml", admin="ana")
    store.join_team("ml", "bob")
    store.join_team("ml", "cy")
    store.set_status("ana", "intro", "done")
    store.set_status("bob", "intro", "done")
    store.set_status("bob", "tensors", "learning")
    store.record_run("bob", run_dict("linear", "pass", "learner"))
    store.set_status("cy", "tensors", "skipped")
    store.set_status("dan", "deploy", "done")  # not on the team


def test_skill_matrix(store: Store, small_roadmap) -> None:
    _team(store)
    m = skill_matrix(small_roadmap, store, "ml")
    assert m.members == ["ana", "bob", "cy"]
    assert m.nodes == list(small_roadmap.nodes)
    assert m.cell("bob", "intro") == Cell("done", False)
    assert m.cell("bob", "linear") == Cell("done", True)
    assert m.cell("cy", "tensors") == Cell("skipped", False)
    assert m.cell("ana", "deploy") == Cell("todo", False)
    assert len(m.row("ana")) == len(m.nodes)


def test_uncovered_and_who_can_help(store: Store, small_roadmap) -> None:
    _team(store)
    assert uncovered_nodes(small_roadmap, store, "ml") == [
        "autograd", "tensors", "deploy", "training"]  # skipped is not done
    helpers = who_can_help(small_roadmap, store, "intro", team="ml")
    assert sorted(h.user for h in helpers) == ["ana", "bob"]
    assert [h.user for h in who_can_help(small_roadmap, store, "linear")] == ["bob"]
    assert who_can_help(small_roadmap, store, "linear")[0].verified
    assert [h.user for h in who_can_help(small_roadmap, store, "shipping")] == ["dan"]
    assert who_can_help(small_roadmap, store, "shipping", team="ml") == []
    with pytest.raises(NodeNotFound, match="did you mean"):
        who_can_help(small_roadmap, store, "lienar")


def test_completions_over_time(store: Store, small_roadmap) -> None:
    def ev(day: int, node: str, frm: str | None, to: str) -> dict:
        return {"at": f"2025-04-0{day}T12:00:00Z", "kind": "status", "node": node,
                "from": frm, "to": to, "note": None}

    doc = _doc("ana", events=[ev(1, "intro", None, "done"), ev(1, "linear", None, "done"),
                              ev(2, "intro", "done", "learning"),
                              ev(2, "tensors", None, "skipped"),
                              ev(3, "linear", "done", "done"), ev(4, "deploy", None, "done"),
                              ev(5, "intro", "learning", "done")])
    store.import_user(doc)
    pts = completions_over_time(store, user="ana", roadmap=small_roadmap)
    assert [(p.day, p.completed, p.cumulative) for p in pts] == [
        (date(2025, 4, 1), 2, 2), (date(2025, 4, 4), 1, 3), (date(2025, 4, 5), 1, 4)]
    store.add_user("bob")
    store.add_team("t", admin="bob")
    assert completions_over_time(store, team="t") == []
    store.join_team("t", "ana")
    assert completions_over_time(store, team="t")[-1].cumulative == 4


# --------------------------------------------------------------------------- export/import


def _doc(user: str = "ana", statuses: list | None = None, events: list | None = None,
         runs: list | None = None) -> dict:
    return {"format": gp.EXPORT_FORMAT, "version": gp.EXPORT_VERSION,
            "user": {"name": user, "display_name": None,
                     "created_at": "2025-01-01T00:00:00.000000Z"},
            "statuses": statuses or [], "events": events or [], "lab_runs": runs or []}


def _populate(store: Store) -> None:
    store.add_user("ana", "Ana Pérez")
    store.add_user("bob")
    store.set_status("ana", "intro", "done", note="¡hecho! — with “quotes”\nand lines")
    store.set_status("ana", "tensors", "learning")
    store.set_status("ana", "tensors", "skipped", note="knew it")
    store.set_status("bob", "intro", "learning")
    store.record_run("ana", run_dict("autograd", "pass", "learner"))
    store.record_run("ana", run_dict("linear", "timeout", started="2025-03-02T00:00:00.5Z"))
    store.record_run("ana", {"node": "linear", "status": "error", "started_at": 1.7e9})


def test_export_import_export_is_identical(store: Store, other_url: str, small_roadmap,
                                           tmp_path: Path) -> None:
    _populate(store)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    store.export_file("ana", a)
    doc = json.loads(a.read_text())
    assert doc["version"] == gp.EXPORT_VERSION and doc["user"]["name"] == "ana"
    assert [s["node"] for s in doc["statuses"]] == ["autograd", "intro", "tensors"]
    assert len(doc["events"]) == 4 and len(doc["lab_runs"]) == 3
    with Store(other_url, roadmap=small_roadmap) as other:
        rep = other.import_file(a)
        assert (rep.statuses, rep.events, rep.lab_runs, rep.duplicates) == (3, 4, 3, 0)
        other.export_file("ana", b)
        assert b.read_text() == a.read_text()
        assert other.verified("ana") == {"autograd"}
        again = other.import_file(a)  # importing twice duplicates nothing
        assert (again.statuses, again.events, again.lab_runs, again.duplicates) == (0, 0, 0, 10)
        other.export_file("ana", b)
        assert b.read_text() == a.read_text()


def test_import_into_another_user_and_merge_newer(store: Store) -> None:
    store.add_user("bob")
    store.set_status("bob", "intro", "learning")
    newer = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    doc = _doc("ana", statuses=[
        {"node": "intro", "status": "done", "note": "", "updated_at": newer},
        {"node": "linear", "status": "done", "note": "", "updated_at": "2020-01-01T00:00:00Z"}])
    rep = store.import_user(doc, user="bob")
    assert rep.user == "bob" and rep.statuses == 2
    assert store.status("bob", "intro") == "done"
    older = _doc("ana", statuses=[{"node": "intro", "status": "todo",
                                   "updated_at": "2020-01-01T00:00:00Z"}])
    assert store.import_user(older, user="bob").duplicates == 1  # older: kept ours
    assert store.status("bob", "intro") == "done"


def test_import_maps_old_ids(store: Store) -> None:
    doc = _doc(statuses=[{"node": "shipping", "status": "done", "note": "x",
                          "updated_at": "2025-01-01T00:00:00Z"}],
               events=[{"at": "2025-01-01T00:00:00Z", "kind": "status", "node": "gradients",
                        "from": None, "to": "done"}])
    rep = store.import_user(doc)
    assert rep.renamed == {"shipping": "deploy", "gradients": "autograd"}
    assert list(store.statuses("ana")) == ["deploy"]


BAD_FIELDS = [
    (lambda d: d.update(version=2), "version", "unsupported version 2"),
    (lambda d: d.update(version="1"), "version", "unsupported version"),
    (lambda d: d.update(format="other"), "format", "not a Roadmap Lab progress file"),
    (lambda d: d.pop("events"), "events", "required field is missing"),
    (lambda d: d.update(statuss=[]), "statuss", "did you mean 'statuses'"),
    (lambda d: d["user"].pop("name"), "user.name", "required field is missing"),
    (lambda d: d.update(statuses={}), "statuses", "expected a list"),
    (lambda d: d["statuses"][1].update(status="donee"), "statuses[1].status",
     "'donee' is not one of todo, learning, done, skipped"),
    (lambda d: d["statuses"][0].update(updated_at="yesterday"), "statuses[0].updated_at",
     "not an ISO 8601 timestamp"),
    (lambda d: d["statuses"][0].update(note=5), "statuses[0].note", "expected a string"),
    (lambda d: d["statuses"][2].update(node="intro"), "statuses[2].node", "listed twice"),
    (lambda d: d["statuses"][1].update(node="Not An Id"), "statuses[1].node", "not a node id"),
    (lambda d: d["events"][0].update(kind=3), "events[0].kind", "is not one of"),
    (lambda d: d["events"][0].update(extra=1), "events[0].extra", "unknown field"),
    (lambda d: d["lab_runs"][0].update(quick="yes"), "lab_runs[0].quick", "true or false"),
    (lambda d: d["lab_runs"][0].update(duration_s="5"), "lab_runs[0].duration_s",
     "expected a number"),
    (lambda d: d["lab_runs"][0].update(returncode=1.5), "lab_runs[0].returncode",
     "expected an integer"),
]


@pytest.mark.parametrize("mutate,field,message", BAD_FIELDS,
                         ids=[f for _, f, _ in BAD_FIELDS])
def test_bad_import_names_the_field_and_changes_nothing(store: Store, tmp_path: Path,
                                                        mutate, field, message) -> None:
    _populate(store)
    good = store.export_user("ana")
    before = store.export_user("ana"), store.export_user("bob")
    bad = copy.deepcopy(good)
    bad["user"]["name"] = "bob"  # would merge into bob
    mutate(bad)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(ImportFileError) as exc:
        store.import_file(path)
    assert exc.value.field == field
    assert f"field {field!r}" in str(exc.value) and message in str(exc.value)
    assert str(path) in str(exc.value) and "nothing was imported" in str(exc.value)
    assert (store.export_user("ana"), store.export_user("bob")) == before


@pytest.mark.parametrize("content,message", [
    ("{not json", "not JSON (line 1, column 2"),
    ("[1, 2]", "expected an object, got a list"),
    ("", "not JSON"),
])
def test_import_not_json(store: Store, tmp_path: Path, content: str, message: str) -> None:
    p = tmp_path / "x.json"
    p.write_text(content)
    with pytest.raises(ImportFileError, match="nothing was imported") as exc:
        store.import_file(p)
    assert message in str(exc.value)
    with pytest.raises(ImportFileError, match="cannot read"):
        store.import_file(tmp_path / "missing.json")


def test_unknown_nodes_rejected_or_kept_aside(store: Store, small_roadmap) -> None:
    doc = _doc(statuses=[{"node": "intro", "status": "done", "updated_at": "2025-01-01T00:00Z"},
                         {"node": "quantum", "status": "done",
                          "updated_at": "2025-01-01T00:00Z"}],
               events=[{"at": "2025-01-01T00:00Z", "kind": "status", "node": "telepathy",
                        "to": "learning"}])
    with pytest.raises(UnknownNodesError) as exc:
        store.import_user(copy.deepcopy(doc), source="ana.json")
    assert exc.value.nodes == ["quantum", "telepathy"]
    assert "'quantum' (statuses[1].node)" in str(exc.value)
    assert "'telepathy' (events[0].node)" in str(exc.value)
    assert "--allow-unknown" in str(exc.value)
    assert store.users() == []  # nothing changed
    rep = store.import_user(copy.deepcopy(doc), allow_unknown=True)
    assert rep.unknown == ["quantum", "telepathy"] and rep.statuses == 2
    assert store.unknown_nodes("ana") == ["quantum"]  # kept aside, not dropped
    assert done_for(store, "ana") == {"intro"}
    assert sum(s.done for s in section_progress(small_roadmap, store, "ana")) == 1
    assert {s["node"] for s in store.export_user("ana")["statuses"]} == {"intro", "quantum"}


def test_import_failing_midway_changes_nothing(store: Store) -> None:
    store.add_user("ana")
    store.set_status("ana", "intro", "learning")
    before = store.export_user("ana")
    evs = [{"at": f"2025-01-01T00:00:{i % 60:02d}Z", "kind": "note", "node": "intro",
            "note": str(i)} for i in range(1200)]

    def boom(done: int, total: int) -> None:
        if done > 600:
            raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        store.import_user(_doc("ana", events=evs), on_progress=boom)
    assert store.export_user("ana") == before


# --------------------------------------------------------------------------- schema


def test_fresh_schema_matches_the_code(empty_db_url: str) -> None:
    with Store(empty_db_url) as s:
        assert s.schema_version == gp.SCHEMA_VERSION
        insp = sa.inspect(s.engine)
        for name, table in gp.METADATA.tables.items():
            assert {c["name"] for c in insp.get_columns(name)} == set(table.c.keys()), name
            assert {i["name"] for i in insp.get_indexes(name)} >= {
                i.name for i in table.indexes}, name


def test_older_database_is_migrated_when_opened(empty_db_url: str) -> None:
    engine = sa.create_engine(empty_db_url)
    now = datetime(2024, 6, 1, tzinfo=UTC)
    with engine.begin() as conn:
        assert gp._migrate(conn, upto=1) == [1]
        conn.execute(gp.users_t.insert().values(id=1, name="old", created_at=now))
        conn.execute(gp.progress_t.insert().values(user_id=1, node_id="intro", status="done",
                                                   note="v1", created_at=now, updated_at=now))
    with engine.connect() as conn:
        assert not sa.inspect(conn).has_table("lab_runs")
    engine.dispose()
    with Store(empty_db_url) as s:
        assert s.schema_version == 2
        assert s.statuses("old")["intro"].note == "v1"
        s.record_run("old", run_dict("intro", "pass", "learner"))
        assert s.verified("old") == {"intro"}


def test_newer_database_is_refused(empty_db_url: str) -> None:
    Store(empty_db_url).close()
    engine = sa.create_engine(empty_db_url)
    with engine.begin() as conn:
        conn.execute(gp.MIGRATION_TABLE.insert().values(
            version=99, description="future", applied_at=datetime.now(UTC)))
    engine.dispose()
    with pytest.raises(ProgressError, match="schema version 99, newer than"):
        Store(empty_db_url)


# --------------------------------------------------------------------------- faults


def test_file_that_is_not_a_database(tmp_path: Path) -> None:
    p = tmp_path / "progress.sqlite3"
    p.write_bytes(b"this is a text file, not SQLite\n" * 100)
    with pytest.raises(ProgressError, match=r"progress.sqlite3 is not a SQLite database"):
        Store(str(p))
    (tmp_path / "dir.sqlite3").mkdir()
    with pytest.raises(ProgressError, match="is a directory"):
        Store(str(tmp_path / "dir.sqlite3"))


def test_unreachable_postgresql() -> None:
    with pytest.raises(ProgressError, match="cannot connect to the progress database"):
        Store("postgresql://nobody@127.0.0.1:1/roadmap")
    with pytest.raises(ProgressError, match="unsupported database 'mysql'"):
        Store("mysql://x@localhost/db")


READ_ONLY_CHILD = r"""
import sys
from graph.errors import ProgressError
from graph.progress import Store
try:
    Store(sys.argv[1]).add_user("bob")
except ProgressError as exc:
    print(exc)
    raise SystemExit(3)
"""


@functools.cache
def _as_nobody() -> tuple[list[str], dict]:
    """An interpreter and subprocess options that run this project as an unprivileged user.

    Root may write any file, so a read-only file is only read-only to somebody else. The
    venv's interpreter may live under /root (pyenv); then a system Python of the same
    version is given the venv's packages.
    """
    if os.geteuid() != 0:
        return [sys.executable], {"env": ENV}
    site = [p for p in sys.path if p.endswith("site-packages") and p.startswith(sys.prefix)]
    env = {**ENV, "PYTHONPATH": os.pathsep.join([str(ROOT), *site])}
    kwargs = {"user": 65534, "group": 65534, "extra_groups": [], "env": env}
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for exe in (sys.executable, getattr(sys, "_base_executable", ""), f"/usr/bin/{version}"):
        if not exe:
            continue
        try:
            ok = subprocess.run([exe, "-c", "import graph.progress"], cwd="/", timeout=60,
                                capture_output=True, **kwargs).returncode == 0
        except OSError:
            ok = False
        if ok:
            return [exe], kwargs
    return [], {}


def _unprivileged_python() -> tuple[list[str], dict]:
    python, kwargs = _as_nobody()
    if not python:
        pytest.skip("no Python interpreter here can run the project as an unprivileged user")
    return python, kwargs


@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_database(what: str) -> None:
    python, kwargs = _unprivileged_python()
    d = Path(tempfile.mkdtemp(prefix="roadmap-ro-"))  # not under pytest's 0700 tmp dirs
    try:
        db = d / "progress.sqlite3"
        with Store(str(db)) as s:
            s.add_user("ana")
        db.chmod(0o444 if what == "file" else 0o644)
        d.chmod(0o777 if what == "file" else 0o755)
        proc = subprocess.run([*python, "-c", READ_ONLY_CHILD, str(db)], cwd="/",
                              capture_output=True, text=True, timeout=60, **kwargs)
        assert proc.returncode == 3, proc.stderr
        assert "read-only" in proc.stdout, proc.stdout
        assert str(db if what == "file" else d) in proc.stdout
    finally:
        d.chmod(0o755)
        for f in d.iterdir():
            f.unlink()
        d.rmdir()


def test_read_only_connection_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "progress.sqlite3"
    with Store(str(db)) as s:
        s.add_user("ana")
    with Store(f"sqlite:///file:{db}?mode=ro&uri=true") as ro:
        assert [u.name for u in ro.users()] == ["ana"]  # reading works
        with pytest.raises(ProgressError, match="is read-only: progress cannot be saved"):
            ro.add_user("bob")


FORK = multiprocessing.get_context("fork")  # children inherit the imports: quick to start


def _killed_import(url: str, path: str, mid) -> None:  # type: ignore[no-untyped-def]
    s = Store(url)

    def tick(done: int, total: int) -> None:
        if done * 2 >= total:  # halfway through the transaction: wait to be killed
            mid.set()
            time.sleep(120)

    s.import_file(path, on_progress=tick)


def test_sigkill_during_bulk_import_leaves_all_or_nothing(db_url: str, small_roadmap,
                                                          tmp_path: Path) -> None:
    nodes = list(small_roadmap.nodes)
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    doc = _doc("bulk",
               statuses=[{"node": n, "status": "done", "updated_at": t0.isoformat()}
                         for n in nodes],
               events=[{"at": (t0 + timedelta(seconds=i)).isoformat(), "kind": "status",
                        "node": nodes[i % len(nodes)], "from": "learning", "to": "done"}
                       for i in range(8000)],
               runs=[{"node": nodes[i % len(nodes)], "status": "pass",
                      "started_at": (t0 + timedelta(minutes=i)).isoformat()}
                     for i in range(1000)])
    f = tmp_path / "bulk.json"
    f.write_text(json.dumps(doc))
    with Store(db_url):
        pass
    mid = FORK.Event()
    proc = FORK.Process(target=_killed_import, args=(db_url, str(f), mid))
    proc.start()
    try:
        assert mid.wait(60), "the import never got halfway"
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(30)
        assert proc.exitcode == -signal.SIGKILL
    finally:
        if proc.is_alive():
            proc.kill()
            proc.join()
    with Store(db_url, roadmap=small_roadmap) as s:  # opens; none of the import
        assert s.users() == []
        assert s.events() == [] and s.runs() == []
        rep = s.import_file(f)  # and a whole import still works
        assert (rep.statuses, rep.events, rep.lab_runs) == (len(nodes), 8000, 1000)
        assert len(s.events("bulk")) == 8000


WRITER_NODES = ["intro", "tensors", "autograd", "linear", "training", "deploy"]


def _writer(url: str, wid: int, n: int, start, results) -> None:  # type: ignore[no-untyped-def]
    try:
        s = Store(url)
        start.wait()
        t0 = time.time()
        for j in range(n):
            user = f"w{wid}" if j % 2 == 0 else "shared"
            s.set_status(user, WRITER_NODES[j % len(WRITER_NODES)],
                         ("todo", "learning", "done", "skipped")[j % 4], note=f"{wid}:{j}")
        results.put((wid, t0, time.time(), None))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        results.put((wid, 0.0, 0.0, repr(exc)))


def concurrent_writers(url: str, writers: int = 8, n: int = 200) -> tuple[float, list[str]]:
    """Run ``writers`` processes of ``n`` status updates each; return (updates/s, errors).

    Each process updates its own user (even steps) and one shared user (odd steps).
    """
    with Store(url) as s:
        for w in range(writers):
            s.add_user(f"w{w}")
        s.add_user("shared")
    start, results = FORK.Barrier(writers + 1), FORK.Queue()
    procs = [FORK.Process(target=_writer, args=(url, w, n, start, results))
             for w in range(writers)]
    for p in procs:
        p.start()
    start.wait(timeout=60)
    got = [results.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(30)
    errors = [f"writer {w}: {e}" for w, _, _, e in got if e]
    spans = [(a, b) for _, a, b, e in got if not e]
    if not spans:
        return 0.0, errors
    elapsed = max(b for _, b in spans) - min(a for a, _ in spans)
    return writers * n / elapsed, errors


def test_eight_concurrent_writers_lose_nothing(db_url: str, tmp_path: Path) -> None:
    writers, n = 8, 200
    rate, errors = concurrent_writers(db_url, writers, n)
    assert errors == []
    nodes = WRITER_NODES
    with Store(db_url) as s:
        evs = s.events()
        assert len(evs) == writers * n
        assert sorted(e.note for e in evs) == sorted(f"{w}:{j}" for w in range(writers)
                                                     for j in range(n))
        for w in range(writers):  # each own user: the last write of each node
            expected = {nodes[j % len(nodes)]: f"{w}:{j}" for j in range(0, n, 2)}
            assert {k: v.note for k, v in s.statuses(f"w{w}").items()} == expected
        # the shared user's history is one unbroken chain per node: no lost update
        by_node: dict[str, list] = {}
        for e in evs:
            if e.user == "shared":
                by_node.setdefault(e.node, []).append(e)
        shared = s.statuses("shared")
        for node, chain in by_node.items():
            assert chain[0].from_status is None
            for prev, cur in zip(chain, chain[1:], strict=False):
                assert cur.from_status == prev.to_status
            assert shared[node].note == chain[-1].note
    print(f"\n8 writers x 200 updates on {db_url.split(':')[0]}: {rate:.0f} updates/s")
