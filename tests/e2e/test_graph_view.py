"""The graph component in a real headless Chromium, on its demo app and the bundled roadmap."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest

from graph import learning_path, load_roadmap
from tests.e2e.server import CHROMIUM, ROOT, new_page, serve

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("e2e"),
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]
pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

APP = ROOT / "tests" / "e2e" / "graph_view_app.py"
RM = load_roadmap()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("graph-view")
    with serve({"ROADMAP_DATA_DIR": str(tmp)}, app=APP) as url:
        yield url


@pytest.fixture()
def page(browser: Any, app_url: str) -> Iterator[Any]:
    with new_page(browser) as pg:
        pg.goto(app_url + "/")
        pg.wait_for_function("n => document.querySelector('.stApp') && "
                             "[...document.querySelectorAll('*')].some(e => e.shadowRoot && "
                             "e.shadowRoot.querySelectorAll('.gv-node').length === n)",
                             arg=len(RM.nodes), timeout=60_000)
        yield pg


def titles(page: Any) -> dict[str, str]:
    """Node id to the title its box shows (the lines of its SVG text, joined)."""
    return page.locator(".gv-node").evaluate_all(
        "els => Object.fromEntries(els.map(e => [e.dataset.id, "
        "[...e.querySelectorAll('tspan')].map(t => t.textContent).join(' ')]))")


def squeeze(text: str) -> str:
    return text.replace(" ", "")


def node(page: Any, node_id: str) -> Any:
    return page.locator(f'.gv-node[data-id="{node_id}"]')


def test_every_title_is_text_and_nothing_comes_from_the_internet(page: Any,
                                                                 app_url: str) -> None:
    shown = titles(page)
    assert set(shown) == set(RM.nodes)
    for nid, text in shown.items():  # full titles, wrapped but never cut
        assert squeeze(text) == squeeze(RM.nodes[nid].title), nid
    page.get_by_text("Backpropagation", exact=True).wait_for()  # findable as text
    hosts = {re.sub(r"^\w+://([^/]+).*", r"\1", u) for u in page.requests
             if u.startswith(("http:", "https:", "ws:", "wss:"))}
    assert hosts == {app_url.split("://")[1]}, hosts
    assert not [u for u in page.requests if "plotly" in u.lower()]


def test_a_click_on_a_node_returns_its_id(page: Any) -> None:
    node(page, "backpropagation").click()
    page.get_by_text("clicked: backpropagation").wait_for()


def test_enter_on_a_focused_node_returns_its_id(page: Any) -> None:
    node(page, "cnn").focus()
    page.locator(".gv-tip", has_text="Convolutional").wait_for()  # focus shows the tooltip
    page.keyboard.press("Enter")
    page.get_by_text("clicked: cnn").wait_for()


def test_tab_reaches_the_nodes(page: Any) -> None:
    page.locator(".gv-view").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("() => { let a = document.activeElement;"
                            " while (a && a.shadowRoot && a.shadowRoot.activeElement)"
                            " a = a.shadowRoot.activeElement; return a && a.dataset.id; }")
    assert focused in RM.nodes


def test_search_dims_the_other_nodes(page: Any) -> None:
    page.get_by_label("Search", exact=True).fill("learning")
    page.get_by_label("Search", exact=True).press("Enter")
    hits = {n for n, nd in RM.nodes.items() if "learning" in nd.title.lower()}
    page.wait_for_function("n => [...document.querySelectorAll('*')].some(e => e.shadowRoot "
                           "&& e.shadowRoot.querySelectorAll('.gv-node.gv-dim').length === n)",
                           arg=len(RM.nodes) - len(hits))
    dimmed = set(page.locator(".gv-node.gv-dim").evaluate_all("es => es.map(e => e.dataset.id)"))
    assert dimmed == set(RM.nodes) - hits
    assert float(node(page, "supervised-learning").evaluate(
        "e => getComputedStyle(e).opacity")) == 1
    assert float(node(page, "cnn").evaluate("e => getComputedStyle(e).opacity")) < 0.5


def test_a_target_lights_its_learning_path(page: Any) -> None:
    page.get_by_label("Target", exact=True).click()
    page.get_by_role("option", name="attention-transformers", exact=True).click()
    done = {"calculus", "linear-algebra", "probability-statistics", "python-advanced",
            "agile-delivery"}
    steps = set(learning_path(RM, "attention-transformers", done).steps)
    page.locator(".gv-node.gv-target").wait_for()
    lit = set(page.locator(".gv-node.gv-on").evaluate_all("es => es.map(e => e.dataset.id)"))
    assert lit == steps
    assert page.locator(".gv-edge.gv-on").count() >= len(steps) - 1


def test_status_and_verified_marks_are_shapes(page: Any) -> None:
    assert "st-done" in node(page, "calculus").get_attribute("class")
    assert node(page, "calculus").locator(".gv-star").count() == 1
    assert node(page, "backpropagation").locator(".gv-star").count() == 0
    assert "st-skipped" in node(page, "agile-delivery").get_attribute("class")
    label = node(page, "calculus").get_attribute("aria-label")
    assert "done" in label and "verified" in label


def test_keys_pan_and_zoom(page: Any) -> None:
    world = page.locator(".gv-view > svg > g").first
    before = world.get_attribute("transform")
    page.locator(".gv-view").focus()
    page.keyboard.press("+")
    zoomed = world.get_attribute("transform")
    page.keyboard.press("ArrowLeft")
    panned = world.get_attribute("transform")
    scale = [float(re.search(r"scale\(([\d.]+)\)", t).group(1)) for t in (before, zoomed)]
    assert scale[1] > scale[0]
    assert panned != zoomed


def test_spanish_switch_changes_the_titles(page: Any) -> None:
    page.get_by_text("es", exact=True).click()
    page.get_by_text("Retropropagación", exact=True).wait_for()
    shown = titles(page)
    for nid, text in shown.items():
        assert squeeze(text) == squeeze(RM.nodes[nid].title_in("es")), nid
