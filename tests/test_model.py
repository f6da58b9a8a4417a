"""The record schema on its own: located errors, defaults, the lab-path rule, round trips."""

from __future__ import annotations

import pytest

from graph import LabSpec, Node, SchemaInvalid, Section

NODE = {"id": "a", "title": "A", "summary": "About A.", "level": "beginner",
        "estimate_hours": 2, "section": "basics"}


def errors_of(cls: type, data: object) -> list[tuple[tuple, str]]:
    with pytest.raises(SchemaInvalid) as info:
        cls.from_dict(data)
    return [(e["loc"], e["type"]) for e in info.value.errors]


def test_defaults_and_round_trip() -> None:
    node = Node.from_dict({**NODE, "lab": {"script": "labs/a.py", "gpu": False}})
    assert node.prerequisites == [] and node.lab == LabSpec("labs/a.py", "no", 120, [])
    assert Node.from_dict(node.to_dict()) == node


def test_every_problem_is_reported_with_its_location() -> None:
    bad = {**NODE, "tags": ["ok", 3, ""], "resources": [{"type": "blog", "url": "x"}],
           "colour": "red"}
    del bad["level"]
    assert sorted(errors_of(Node, bad), key=str) == sorted([
        (("tags", 1), "type_error"), (("tags", 2), "type_error"),
        (("resources", 0, "type"), "type_error"), (("resources", 0, "url"), "value_error"),
        (("resources", 0, "title"), "missing"), (("colour",), "extra_forbidden"),
        (("level",), "missing")], key=str)


@pytest.mark.parametrize("value", [True, "2", -1, 0, 1001, None])
def test_estimate_hours_must_be_a_positive_number(value: object) -> None:
    assert errors_of(Node, {**NODE, "estimate_hours": value}) == [
        (("estimate_hours",), "type_error")]


@pytest.mark.parametrize("script", ["labs/x.py", "labs/sub/x.py"])
def test_lab_script_inside_labs(script: str) -> None:
    assert LabSpec.from_dict({"script": script}).script == script


@pytest.mark.parametrize("script", ["../labs/x.py", "labs/../x.py", "/labs/x.py", "labs/x.txt",
                                    "labs/", "labs\\x.py", "labs//x.py", "labs/./x.py", "x.py"])
def test_lab_script_outside_labs_is_refused(script: str) -> None:
    assert errors_of(LabSpec, {"script": script}) == [(("script",), "value_error")]


def test_not_a_mapping_and_section_colour() -> None:
    assert errors_of(Node, ["a"]) == [((), "type_error")]
    assert errors_of(Section, {"id": "s", "title": "S", "colour": "blue"}) == [
        (("colour",), "value_error")]
    assert Section.from_dict({"id": "s", "title": "S"}).colour == "#888888"
