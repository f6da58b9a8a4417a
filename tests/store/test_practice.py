"""Practice attempts: saved before the check, finished with the run, newest first."""

from __future__ import annotations

import pytest

from graph import NodeNotFound, ProgressError, Store, attempts, finish_attempt, save_attempt
from tests.store.fixtures import *  # noqa: F401,F403 - the fixtures


def test_attempts_are_kept_per_user_and_node_newest_first(store: Store) -> None:
    first = save_attempt(store, "ana", "intro", "def f(): return 1\n")
    second = save_attempt(store, "ana", "intro", "def f(): return 2\n")
    save_attempt(store, "bob", "intro", "def f(): return 3\n")
    save_attempt(store, "ana", "linear", "def g(): ...\n")
    finish_attempt(store, first.id, "fail")
    run = store.record_run("ana", {"node": "intro", "status": "pass", "solution": "learner",
                                   "started_at": "2025-03-01T10:00:00Z"})
    finish_attempt(store, second.id, "pass", run)
    got = attempts(store, "ana", "intro")
    assert [(a.code[-2], a.status, a.run_id) for a in got] == [("2", "pass", run),
                                                               ("1", "fail", None)]
    assert got[0].code_sha256 == second.code_sha256 != first.code_sha256
    assert [a.user for a in attempts(store, "bob", "intro")] == ["bob"]
    assert attempts(store, "ana", "intro", limit=1)[0].id == second.id


def test_an_alias_finds_the_same_attempts(store: Store) -> None:
    save_attempt(store, "ana", "gradients", "x = 1\n")  # an old id of autograd
    assert [a.node for a in attempts(store, "ana", "autograd")] == ["autograd"]


def test_bad_attempts_are_refused_with_a_reason(store: Store) -> None:
    with pytest.raises(NodeNotFound):
        save_attempt(store, "ana", "no-such-node", "x = 1\n")
    with pytest.raises(ProgressError, match="at most"):
        save_attempt(store, "ana", "intro", "x" * 1_000_001)
    a = save_attempt(store, "ana", "intro", "x = 1\n")
    with pytest.raises(ProgressError, match="unknown run status 'great'"):
        finish_attempt(store, a.id, "great")
    with pytest.raises(ProgressError, match="no practice attempt with id 999"):
        finish_attempt(store, 999, "pass")
