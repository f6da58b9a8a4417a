"""The Store: users, teams, statuses, events, lab runs and renames, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import NodeNotFound, ProgressError, Store, completions_over_time, config, done_for
from graph.errors import InvalidStatus
from graph.store import open_store, store_recorder
from tests.store.fixtures import *  # noqa: F401,F403 - the fixtures


def run_dict(node: str, status: str = "pass", solution: str = "reference",
             started: str = "2025-03-01T10:00:00+00:00", **extra: object) -> dict:
    return {"node": node, "status": status, "started_at": started,
            "finished_at": "2025-03-01T10:00:05+00:00", "duration_s": 5.0, "device": "cpu",
            "quick": True, "solution": solution, "solution_sha256": None,
            "result": {"checks": [{"name": "a", "passed": True},
                                  {"name": "b", "passed": status == "pass"}]},
            "log_path": "/tmp/log.txt", "returncode": 0 if status == "pass" else 1, **extra}


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
    assert store.statuses(config.DEFAULT_USER) == {}
    assert store.users() == []
    store.set_status(config.DEFAULT_USER, "intro", "learning")
    assert [u.name for u in store.users()] == [config.DEFAULT_USER]


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


def test_store_recorder_and_fallback(db_url: str, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.runner import LabRun

    monkeypatch.setenv("ROADMAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ROADMAP_USER", "ana")
    store_recorder(db_url)(LabRun(**run_dict("intro", "pass", "learner")))
    with Store(db_url) as s:
        assert s.verified("ana") == {"intro"}
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"not a database " * 200)
    with pytest.raises(ProgressError, match="not a SQLite database"):
        store_recorder(str(bad))(LabRun(**run_dict("linear", started="2025-05-05T00:00:00Z")))
    with open_store(db_url) as s:  # picks the run up from the history file
        assert [r.node for r in s.runs("ana")] == ["intro", "linear"]


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
