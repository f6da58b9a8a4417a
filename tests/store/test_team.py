"""Team queries: section progress, skill matrix, uncovered nodes, who can help, completions."""

from __future__ import annotations

from datetime import date

import pytest

from graph import (
    Cell,
    NodeNotFound,
    Store,
    completions_over_time,
    done_for,
    learning_path,
    next_up,
    section_progress,
    skill_matrix,
    uncovered_nodes,
    who_can_help,
)
from tests.store.fixtures import *  # noqa: F401,F403 - the fixtures
from tests.store.test_store import run_dict
from tests.store.test_transfer import _doc


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
    lp = learning_path(small_roadmap, "training", done_for(store, "ana"))
    assert sorted(lp.steps[:-1]) == ["autograd", "linear"] and lp.steps[-1] == "training"
    assert {n.node_id for n in next_up(small_roadmap, done_for(store, "ana"))} == {
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
