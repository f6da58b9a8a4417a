"""Loading and validation: every kind of bad input is a clear, located, distinct error."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import (
    CycleError,
    DanglingReferenceError,
    DuplicateIdError,
    LabError,
    SchemaError,
    ValidationFailed,
    load_roadmap,
    read_roadmap,
)

from .factory import make, node_yaml


def problems(root: Path, strict: bool = False) -> list[str]:
    _, probs = read_roadmap(root, strict=strict)
    return [str(p) for p in probs]


def one_problem(root: Path, cls: type, *needles: str, strict: bool = False) -> str:
    _, probs = read_roadmap(root, strict=strict)
    assert len(probs) == 1, [str(p) for p in probs]
    assert isinstance(probs[0], cls), (type(probs[0]), str(probs[0]))
    for n in needles:
        assert n in str(probs[0]), (n, str(probs[0]))
    return str(probs[0])


def test_valid_roadmap_loads(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": node_yaml("a"), "more/b.yaml": node_yaml("b", ["a"])})
    rm = load_roadmap(root)
    assert list(rm.nodes) == ["a", "b"]
    assert rm.nodes["b"].section == "more"
    assert list(rm.graph.edges) == [("a", "b")]
    assert rm.warnings == []


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": "id: a\ntitle: [unclosed\nsummary: x\n"})
    msg = one_problem(root, SchemaError, "a.yaml:", "YAML syntax error")
    assert ":3" in msg or ":2" in msg


def test_document_not_a_mapping(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": "- just\n- a list\n"})
    one_problem(root, SchemaError, "a.yaml", "must be a YAML mapping", "list")


def test_empty_file(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": ""})
    one_problem(root, SchemaError, "a.yaml", "empty")


def test_unknown_key_with_hint_and_line(tmp_path: Path) -> None:
    text = node_yaml("a").replace("prerequisites:", "prerequisite:")
    root = make(tmp_path, {"basics/a.yaml": text})
    msg = one_problem(root, SchemaError, "a.yaml:6", "unknown key 'prerequisite'",
                      "did you mean 'prerequisites'")
    assert "field 'prerequisite'" in msg


def test_missing_required_field(tmp_path: Path) -> None:
    text = node_yaml("a").replace("level: beginner\n", "")
    root = make(tmp_path, {"basics/a.yaml": text})
    one_problem(root, SchemaError, "field 'level'", "required field is missing")


def test_wrong_type(tmp_path: Path) -> None:
    text = node_yaml("a").replace("estimate_hours: 2", "estimate_hours: lots")
    root = make(tmp_path, {"basics/a.yaml": text})
    one_problem(root, SchemaError, "a.yaml:5", "field 'estimate_hours'", "lots")


def test_bad_level_value(tmp_path: Path) -> None:
    text = node_yaml("a").replace("level: beginner", "level: expert")
    root = make(tmp_path, {"basics/a.yaml": text})
    one_problem(root, SchemaError, "field 'level'", "expert")


def test_id_not_kebab_case(tmp_path: Path) -> None:
    text = node_yaml("a").replace("id: a", "id: Bad_Id")
    root = make(tmp_path, {"basics/Bad_Id.yaml": text})
    one_problem(root, SchemaError, "field 'id'", "kebab-case", "Bad_Id")


def test_id_differs_from_file_name(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/b.yaml": node_yaml("a")})
    one_problem(root, SchemaError, "b.yaml", "'a' differs from the file name 'b'")


def test_duplicate_id_names_both_files(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": node_yaml("a"), "more/a.yaml": node_yaml("a")})
    msg = one_problem(root, DuplicateIdError, "duplicate id 'a'")
    assert "basics/a.yaml" in msg and "more/a.yaml" in msg


def test_dangling_prerequisite_with_suggestion(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/alpha.yaml": node_yaml("alpha"),
                           "basics/b.yaml": node_yaml("b", ["alpah"])})
    one_problem(root, DanglingReferenceError, "b.yaml", "field 'prerequisites'",
                "unknown id 'alpah'", "did you mean 'alpha'")


def test_dangling_related(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": node_yaml("a", related="[ghost]")})
    one_problem(root, DanglingReferenceError, "field 'related'", "'ghost'")


def test_self_prerequisite(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": node_yaml("a", ["a"])})
    one_problem(root, CycleError, "a.yaml", "names itself")


def test_cycle_prints_whole_path(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": node_yaml("a", ["c"]),
                           "basics/b.yaml": node_yaml("b", ["a"]),
                           "basics/c.yaml": node_yaml("c", ["b"]),
                           "basics/d.yaml": node_yaml("d", ["a"])})
    _, probs = read_roadmap(root)
    assert len(probs) == 1 and isinstance(probs[0], CycleError)
    cyc = probs[0].cycle
    assert sorted(cyc) == ["a", "b", "c"]
    text = str(probs[0])
    # the printed path closes on its first node and follows the edges
    printed = text.split("prerequisite cycle: ")[1].split(" (")[0].split(" -> ")
    assert printed[0] == printed[-1] and len(printed) == 4
    assert "d" not in printed


def test_lab_path_outside_labs(tmp_path: Path) -> None:
    text = node_yaml("a").replace("script: labs/a.py", "script: ../evil.py")
    root = make(tmp_path, {"basics/a.yaml": text})
    one_problem(root, SchemaError, "field 'lab.script'", "inside labs/")


@pytest.mark.parametrize("script", ["/etc/passwd.py", "labs/../x.py", "other/x.py", "labs/x.sh"])
def test_lab_path_variants_rejected(tmp_path: Path, script: str) -> None:
    text = node_yaml("a").replace("script: labs/a.py", f"script: {script}")
    root = make(tmp_path, {"basics/a.yaml": text})
    one_problem(root, SchemaError, "lab.script")


def test_alias_equal_to_other_id(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": node_yaml("a", aliases="[b]"),
                           "basics/b.yaml": node_yaml("b")})
    one_problem(root, DuplicateIdError, "field 'aliases'", "'b' is the id of another node")


def test_alias_repeated_across_nodes(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": node_yaml("a", aliases="[old]"),
                           "basics/b.yaml": node_yaml("b", aliases="[old]")})
    one_problem(root, DuplicateIdError, "'old' is also an alias of 'a'")


def test_alias_resolves(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": node_yaml("a", aliases="[old-a]")})
    rm = load_roadmap(root)
    assert rm.get("old-a").id == "a"


def test_empty_roadmap(tmp_path: Path) -> None:
    root = make(tmp_path, {})
    one_problem(root, SchemaError, "the roadmap is empty")


def test_missing_directory(tmp_path: Path) -> None:
    assert "does not exist" in problems(tmp_path / "nope")[0]


def test_too_many_resources(tmp_path: Path) -> None:
    res = "".join(f'\n  - {{type: article, title: R{i}, url: "https://example.org/{i}"}}'
                  for i in range(9))
    text = node_yaml("a").split("resources:")[0] + "resources:" + res + "\n" + \
        "lab: {script: labs/a.py}\n"
    root = make(tmp_path, {"basics/a.yaml": text})
    one_problem(root, SchemaError, "field 'resources'", "at most 8")


@pytest.mark.parametrize("url", ["ftp://example.org/x", "javascript:alert(1)", "example.org"])
def test_resource_url_must_be_http(tmp_path: Path, url: str) -> None:
    text = node_yaml("a").replace('"https://example.org/a"', f'"{url}"')
    root = make(tmp_path, {"basics/a.yaml": text})
    one_problem(root, SchemaError, "resources.0.url", "http(s)")


def test_unknown_section_folder(tmp_path: Path) -> None:
    root = make(tmp_path, {"misc/a.yaml": node_yaml("a")})
    one_problem(root, DanglingReferenceError, "folder 'misc' is not a section")


def test_missing_lab_is_warning_then_strict_error(tmp_path: Path) -> None:
    root = make(tmp_path, {"basics/a.yaml": node_yaml("a")}, labs=False)
    rm, probs = read_roadmap(root)
    assert probs == [] and rm is not None
    assert any("labs/a.py does not exist" in w for w in rm.warnings)
    one_problem(root, LabError, "labs/a.py does not exist", strict=True)


def test_every_problem_listed_not_only_first(tmp_path: Path) -> None:
    root = make(tmp_path, {
        "basics/a.yaml": node_yaml("a").replace("level: beginner", "level: x"),
        "basics/b.yaml": node_yaml("b", ["ghost"]),
        "basics/c.yaml": "[1, 2]\n",
    })
    with pytest.raises(ValidationFailed) as info:
        load_roadmap(root)
    assert len(info.value.problems) == 3


def test_yaml_bare_no_is_accepted_for_gpu(tmp_path: Path) -> None:
    text = node_yaml("a").replace('gpu: "no"', "gpu: no")
    root = make(tmp_path, {"basics/a.yaml": text})
    assert load_roadmap(root).nodes["a"].lab.gpu == "no"


def test_unsafe_yaml_tags_rejected(tmp_path: Path) -> None:
    text = node_yaml("a") + "x: !!python/object/apply:os.system ['echo pwned']\n"
    root = make(tmp_path, {"basics/a.yaml": text})
    one_problem(root, SchemaError, "YAML syntax error")


def test_merged_directories_extend(tmp_path: Path) -> None:
    base = make(tmp_path, {"basics/a.yaml": node_yaml("a")})
    team = tmp_path / "team"
    (team / "more").mkdir(parents=True)
    (team / "more" / "t.yaml").write_text(node_yaml("t", ["a"]))
    (team.parent / "labs" / "t.py").write_text("# lab\n")
    rm = load_roadmap(base, team)
    assert set(rm.nodes) == {"a", "t"} and ("a", "t") in rm.graph.edges
