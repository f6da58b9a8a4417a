"""``roadmap team``: members, roles, the skill matrix, who can help."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import invoke, ok, one_error


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
    # a claim covers a node (bob's intro); a skip does not (cy's tensors)
    assert "nobody covers (5): autograd, linear, tensors, deploy, training" in show
    assert "★ verified  ☆ stale" in show
    assert "bob: done" in ok("team", "who", "intro", "--team", "ml", "-r", roadmap_dir)
    assert "Nobody on team ml has done linear" in ok("team", "who", "linear", "-t", "ml",
                                                     "-r", roadmap_dir)
    assert "did you mean" in one_error(invoke("team", "who", "lienar", "-r", roadmap_dir))
    assert "unknown team id 'mll'" in one_error(invoke("team", "join", "mll", "-u", "ana"))
    assert "invalid role 'boss'" in one_error(invoke("team", "join", "ml", "-u", "ana",
                                                     "--role", "boss"), code=2)
    assert "bob left team ml" in ok("team", "leave", "ml", "-u", "bob")
