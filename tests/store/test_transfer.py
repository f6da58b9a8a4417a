"""Export, import (all or nothing, every error naming its field) and the runner's history."""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graph import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    Store,
    attempts,
    config,
    done_for,
    finish_attempt,
    save_attempt,
    section_progress,
)
from graph.errors import ImportFileError, UnknownNodesError
from tests.store.fixtures import *  # noqa: F401,F403 - the fixtures
from tests.store.test_store import run_dict


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
    assert len(store.runs(config.current_user())) == 1
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


def _doc(user: str = "ana", statuses: list | None = None, events: list | None = None,
         runs: list | None = None) -> dict:
    return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION,
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
    store.record_run("ana", run_dict("intro", "fail", "learner", lab_sha256="0f" * 32, seed=3))
    a = save_attempt(store, "ana", "intro", "def f():\n    return '¡ñ!'\n")
    finish_attempt(store, a.id, "fail")
    save_attempt(store, "ana", "intro", "def f():\n    return 1\n")


def test_export_import_export_is_identical(store: Store, other_url: str, small_roadmap,
                                           tmp_path: Path) -> None:
    _populate(store)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    store.export_file("ana", a)
    doc = json.loads(a.read_text())
    assert doc["version"] == EXPORT_VERSION and doc["user"]["name"] == "ana"
    assert [s["node"] for s in doc["statuses"]] == ["autograd", "intro", "tensors"]
    assert len(doc["events"]) == 4 and len(doc["lab_runs"]) == 4
    assert [(r["lab_sha256"], r["seed"]) for r in doc["lab_runs"] if r["node"] == "intro"] == [
        ("0f" * 32, 3)]
    assert [(x["status"], x["code"][-5:]) for x in doc["attempts"]] == [
        ("fail", "¡ñ!'\n"), (None, "rn 1\n")]
    with Store(other_url, roadmap=small_roadmap) as other:
        rep = other.import_file(a)
        assert (rep.statuses, rep.events, rep.lab_runs, rep.attempts, rep.duplicates) == (
            3, 4, 4, 2, 0)
        other.export_file("ana", b)
        assert b.read_text() == a.read_text()
        assert other.verified("ana") == {"autograd"}
        assert [x.code for x in attempts(other, "ana", "intro")] == [
            x.code for x in attempts(store, "ana", "intro")]
        again = other.import_file(a)  # importing twice duplicates nothing
        assert (again.statuses, again.events, again.lab_runs, again.attempts,
                again.duplicates) == (0, 0, 0, 0, 13)
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
    (lambda d: d.update(version=3), "version", "unsupported version 3"),
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


def test_a_version_1_file_still_imports(store: Store) -> None:
    doc = _doc(statuses=[{"node": "intro", "status": "done", "note": "",
                          "updated_at": "2025-01-01T00:00:00Z"}])
    doc["version"] = 1
    doc.pop("attempts", None)
    rep = store.import_user(doc)
    assert rep.statuses == 1 and rep.attempts == 0
