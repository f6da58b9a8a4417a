"""The graph component's Python side: the data it draws, and its demo app under AppTest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph import cached_layout, load_roadmap
from ui.components.graph_view import (
    DEFAULT_LABELS,
    NodeInfo,
    graph_payload,
    roadmap_infos,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rm():
    return load_roadmap()


def test_payload_carries_every_node_with_its_marks(rm) -> None:
    nodes, sections = roadmap_infos(rm, "es", {"cnn": "done", "optimizers": "learning",
                                               "calculus": "bogus"}, {"cnn"})
    data = graph_payload(cached_layout(rm, "es"), nodes, sections)
    json.dumps(data)  # what the component gets is plain JSON
    by_id = {n["id"]: n for n in data["nodes"]}
    assert set(by_id) == set(rm.nodes)
    assert by_id["cnn"]["status"] == "done" and by_id["cnn"]["verified"] is True
    assert by_id["optimizers"]["status"] == "learning"
    assert by_id["calculus"]["status"] == "todo"  # an unknown status shows as to do
    assert by_id["backpropagation"]["title"] == rm.nodes["backpropagation"].title_in("es")
    assert by_id["backpropagation"]["unlocks"] == len(rm.succ["backpropagation"])
    assert by_id["backpropagation"]["hours"] == rm.nodes["backpropagation"].estimate_hours
    assert [s["title"] for s in data["sections"]] == [s.title_in("es") for s in sorted(
        rm.sections, key=lambda s: s.order)]
    assert data["match"] is None and data["path"] == [] and data["target"] is None
    assert len(data["edges"]) == len(rm.edges())


def test_payload_filters_paths_and_labels(rm) -> None:
    nodes, sections = roadmap_infos(rm)
    data = graph_payload(cached_layout(rm), nodes, sections, matches={"cnn", "nope"},
                         path=["calculus", "nope", "backpropagation"], target="nope",
                         labels={"verified": "verificado", "status": {"done": "hecho"}})
    assert data["match"] == ["cnn"]  # unknown ids are dropped
    assert data["path"] == ["calculus", "backpropagation"]
    assert data["target"] is None
    assert data["labels"]["verified"] == "verificado"
    assert data["labels"]["status"] == {**DEFAULT_LABELS["status"], "done": "hecho"}
    assert graph_payload(cached_layout(rm), nodes, sections, matches=[])["match"] == []


def test_a_node_without_info_still_shows_its_title(rm) -> None:
    lay = cached_layout(rm)
    data = graph_payload(lay, {"cnn": NodeInfo("CNN")}, [])
    by_id = {n["id"]: n for n in data["nodes"]}
    assert by_id["cnn"]["title"] == "CNN"
    assert by_id["calculus"]["title"] == " ".join(lay.nodes["calculus"].lines)
    assert len(data["sections"]) == len({n.section for n in rm.nodes.values()})


def test_demo_app_runs_under_apptest() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "tests" / "e2e" / "graph_view_app.py"),
                           default_timeout=60)
    at.run()
    assert not at.exception
    at.text_input(key="q").set_value("learning").run()
    assert not at.exception
    assert [t.value for t in at.text] == ["clicked: -"]


def test_payload_carries_search_keywords_controls_and_targets(rm) -> None:
    nodes, sections = roadmap_infos(rm, "en")
    data = graph_payload(cached_layout(rm), nodes, sections, controls=True,
                         targets=[("cnn", "CNN (cnn)"), ("nope", "Nope")])
    assert data["controls"] is True
    assert data["targets"] == [["cnn", "CNN (cnn)"]]  # unknown ids are dropped
    by_id = {n["id"]: n for n in data["nodes"]}
    words = by_id["backpropagation"]["keywords"].split("\n")
    node = rm.nodes["backpropagation"]
    assert words[0] == "backpropagation" and node.title_in("es").lower() in words
    assert {t.lower() for t in node.tags} <= set(words)
    plain = graph_payload(cached_layout(rm), {"cnn": NodeInfo("CNN")}, sections)
    assert plain["controls"] is False and plain["targets"] is None
    assert {n["id"]: n for n in plain["nodes"]}["cnn"]["keywords"] == "cnn"  # the title
