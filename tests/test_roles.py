"""Role profiles (``roadmap/roles/<id>.yaml``) and implicit-credit weights (``encompasses``):
loaded and validated like nodes, every bad input a clear error naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import (
    DanglingReferenceError,
    DuplicateIdError,
    NodeNotFound,
    load_roadmap,
    read_roadmap,
    role_path,
)

from .factory import make, node_yaml

ROLE = """\
id: {rid}
title: Trainer
summary: Trains models.
i18n: {{es: {{title: Entrenador}}}}
targets: {targets}
"""


def files(**roles: str) -> dict[str, str]:
    """a -> b -> c in two sections, plus the roles given as id -> targets."""
    out = {"basics/a.yaml": node_yaml("a"), "basics/b.yaml": node_yaml("b", ["a"]),
           "more/c.yaml": node_yaml("c", ["b"]), "more/d.yaml": node_yaml("d")}
    for rid, targets in roles.items():
        out[f"roles/{rid}.yaml"] = ROLE.format(rid=rid, targets=targets)
    return out


def problems(root: Path) -> list[str]:
    _, probs = read_roadmap(root)
    return [str(p) for p in probs]


def test_roles_load_beside_the_nodes_and_give_a_path(tmp_path: Path) -> None:
    rm = load_roadmap(make(tmp_path, files(trainer="[c, d]")))
    assert list(rm.nodes) == ["a", "b", "c", "d"]  # the roles folder is not a section
    role = rm.role("trainer")
    assert role.targets == ["c", "d"] and role.title_in("es") == "Entrenador"
    path = role_path(rm, "trainer", done={"a"})
    assert path.target == "trainer" and path.steps == ["b", "c", "d"] and path.hours == 6
    assert role_path(rm, "trainer", done={"c", "d"}).steps == []


def test_unknown_role_suggests_close_ids(tmp_path: Path) -> None:
    rm = load_roadmap(make(tmp_path, files(trainer="[c]")))
    with pytest.raises(NodeNotFound, match="unknown role id 'trainr'; did you mean trainer"):
        rm.role("trainr")


def test_a_role_naming_an_unknown_node_says_did_you_mean(tmp_path: Path) -> None:
    root = make(tmp_path, files(trainer="[c, bb]"))
    (msg,) = problems(root)
    assert "roles/trainer.yaml: field 'targets': role 'trainer' names unknown node 'bb'" in msg
    assert "did you mean 'b'?" in msg
    _, probs = read_roadmap(root)
    assert isinstance(probs[0], DanglingReferenceError)


@pytest.mark.parametrize(("targets", "needle"), [
    ("[]", "field 'targets': should name at least one node"),
    ("[c, c]", "field 'targets': 'c' is listed twice"),
    ("c", "field 'targets': should be a list"),
])
def test_bad_role_targets(tmp_path: Path, targets: str, needle: str) -> None:
    (msg,) = problems(make(tmp_path, files(trainer=targets)))
    assert "trainer.yaml" in msg and needle in msg


def test_role_file_errors_name_file_and_field(tmp_path: Path) -> None:
    f = files(trainer="[c]")
    f["roles/trainer.yaml"] += "level: hard\n"
    (msg,) = problems(make(tmp_path, f))
    assert "trainer.yaml:6: field 'level': unknown key 'level'" in msg
    f = files(other="[c]")
    f["roles/other.yaml"] = f["roles/other.yaml"].replace("id: other", "id: trainer")
    (tmp_path / "x").mkdir()
    (msg,) = problems(make(tmp_path / "x", f))
    assert "field 'id': 'trainer' differs from the file name 'other'" in msg


def test_duplicate_role_across_merged_folders(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = make(tmp_path / "one", files(trainer="[c]"))
    two = make(tmp_path / "two", {"more/e.yaml": node_yaml("e"),
                                  "roles/trainer.yaml": ROLE.format(rid="trainer",
                                                                    targets="[e]")})
    _, probs = read_roadmap(one, two)
    assert [type(p) for p in probs] == [DuplicateIdError]
    assert "duplicate role id 'trainer'" in str(probs[0])


def test_encompasses_sets_an_edge_weight(tmp_path: Path) -> None:
    f = files()
    f["more/c.yaml"] = node_yaml("c", ["b"], encompasses="{b: 0.8}")
    rm = load_roadmap(make(tmp_path, f))
    assert rm.credit_weight("b", "c") == 0.8 and rm.credit_weight("a", "b") == 0.5


@pytest.mark.parametrize(("value", "needle"), [
    ("{b: 1.5}", "field 'encompasses.b': should be a weight from 0 to 1, got 1.5"),
    ("{b: -0.1}", "field 'encompasses.b': should be a weight from 0 to 1, got -0.1"),
    ("{b: lots}", "field 'encompasses.b': should be a number from 0 to 1"),
    ("{a: 0.5}", "field 'encompasses.a': 'a' is not a prerequisite of 'c' (its "
                 "prerequisites: b)"),
    ("{bb: 0.5}", "'bb' is not a prerequisite of 'c' (its prerequisites: b); did you mean "
                  "'b'?"),
])
def test_bad_encompasses(tmp_path: Path, value: str, needle: str) -> None:
    f = files()
    f["more/c.yaml"] = node_yaml("c", ["b"], encompasses=value)
    (msg,) = problems(make(tmp_path, f))
    assert "c.yaml" in msg and needle in msg, msg


def test_bundled_roles_are_valid_and_reachable() -> None:
    rm = load_roadmap()
    assert len(rm.roles) >= 2
    for rid, role in rm.roles.items():
        path = role_path(rm, rid)
        assert set(role.targets) <= set(path.steps), rid
        assert role.title_in("es") != role.title, rid  # translated
