"""The app in a real headless Chromium (Debian's), against `streamlit run` on 127.0.0.1."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph import load_roadmap
from tests.e2e.server import (
    CHROMIUM,
    graph_node,
    graph_titles,
    new_page,
    serve,
    wait_for_graph,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("e2e"),
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]
pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

RM = load_roadmap()  # the bundled roadmap, which the app serves here


DONE, LEARNING = "calculus", "linear-algebra"  # the e2e profile's progress (calculus verified)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from graph import Store

    tmp = tmp_path_factory.mktemp("e2e")
    (tmp / "data").mkdir()
    db = str(tmp / "data" / "progress.sqlite3")
    with Store(db, roadmap=RM) as s:
        s.add_user("e2e")
        s.set_status("e2e", DONE, "done")
        s.set_status("e2e", LEARNING, "learning")
        s.record_run("e2e", {"node": DONE, "status": "pass", "solution": "learner",
                             "started_at": "2026-01-02T10:00:00+00:00", "duration_s": 1.0,
                             "device": "cpu", "quick": True, "result": {}})
    env = {"ROADMAP_DATA_DIR": str(tmp / "data"), "ROADMAP_DB_URL": db, "ROADMAP_USER": "e2e"}
    with serve(env) as url:
        yield url


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    with new_page(browser) as pg:
        yield pg


def idle(page: Any) -> None:
    """Wait until the app has finished its run (the "running" widget is gone)."""
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=60_000)


def roadmap(page: Any, app_url: str) -> None:
    """Open the Roadmap page and wait until every node shows its title."""
    page.goto(app_url + "/")
    wait_for_graph(page, len(RM.nodes))
    idle(page)


def squeeze(text: str) -> str:
    return text.replace(" ", "")


def hosts(page: Any) -> set[str]:
    return {re.sub(r"^\w+://([^/]+).*", r"\1", u) for u in page.requests
            if u.startswith(("http:", "https:", "ws:", "wss:"))}


def test_roadmap_shows_every_title_as_text_offline_without_plotly(page: Any,
                                                                 app_url: str) -> None:
    roadmap(page, app_url)
    shown = graph_titles(page)
    assert set(shown) == set(RM.nodes) and len(shown) >= 56
    for nid, text in shown.items():  # full titles, wrapped but never cut
        assert squeeze(text) == squeeze(RM.nodes[nid].title), nid
    page.get_by_text("Backpropagation", exact=True).wait_for()  # findable as text
    assert hosts(page) == {app_url.split("://")[1]}  # nothing from the internet
    # Streamlit's Plotly bundle is a file of its own (PlotlyChart.<hash>.js): never fetched
    import streamlit

    bundles = list((Path(streamlit.__file__).parent / "static").rglob("PlotlyChart*.js"))
    assert bundles, "the check below would not find Plotly's bundle"
    assert not [u for u in page.requests if "plotly" in u.lower()]


def test_click_on_a_node_opens_its_page(page: Any, app_url: str) -> None:
    roadmap(page, app_url)
    graph_node(page, "calculus").click()
    try:
        page.locator("h1", has_text=RM.nodes["calculus"].title).wait_for()
    except Exception:
        page.screenshot(path=str(Path(tempfile.gettempdir()) / "roadmap-click-failure.png"))
        raise
    assert "node=calculus" in page.url


def test_enter_on_a_focused_node_opens_it(page: Any, app_url: str) -> None:
    roadmap(page, app_url)
    graph_node(page, "cnn").focus()
    page.locator(".gv-tip", has_text=RM.nodes["cnn"].title).wait_for()  # the focus shows it
    page.keyboard.press("Enter")
    page.locator("h1", has_text=RM.nodes["cnn"].title).wait_for()
    assert "node=cnn" in page.url


def dimmed(page: Any) -> set[str]:
    return set(page.locator(".gv-node.gv-dim").evaluate_all("es => es.map(e => e.dataset.id)"))


def wait_dimmed(page: Any, n: int) -> None:
    page.wait_for_function(
        "n => document.querySelector('[data-testid=stBidiComponentIsolated]').shadowRoot"
        ".querySelectorAll('.gv-node.gv-dim').length === n", arg=n)


def test_search_dims_the_nodes_it_does_not_find(page: Any, app_url: str) -> None:
    roadmap(page, app_url)
    assert dimmed(page) == set()
    page.get_by_label("Search title or tag").fill("attention")  # no rerun: as you type
    found = {n.id for n in RM.nodes.values()
             if any("attention" in h.lower() for h in [n.id, n.title, *n.tags,
                                                      *(x.title for x in n.i18n.values())])}
    assert found and found != set(RM.nodes)
    wait_dimmed(page, len(RM.nodes) - len(found))
    assert dimmed(page) == set(RM.nodes) - found
    page.get_by_text(f"{len(found)} of {len(RM.nodes)} nodes match").wait_for()
    kept = sorted(found)[0]
    assert float(graph_node(page, kept).evaluate("e => getComputedStyle(e).opacity")) == 1
    other = sorted(set(RM.nodes) - found)[0]
    assert float(graph_node(page, other).evaluate("e => getComputedStyle(e).opacity")) < 0.5
    page.get_by_label("Search title or tag").fill("retropropagación")  # the Spanish title
    wait_dimmed(page, len(RM.nodes) - 1)
    page.keyboard.press("Enter")  # Enter goes to the first match; Enter again opens it
    page.keyboard.press("Enter")
    page.locator("h1", has_text=RM.nodes["backpropagation"].title).wait_for()


def test_section_and_status_chips_filter(page: Any, app_url: str) -> None:
    roadmap(page, app_url)
    assert "st-done" in graph_node(page, DONE).get_attribute("class")  # from the store
    assert graph_node(page, DONE).locator(".gv-star").count() == 1
    assert "st-learning" in graph_node(page, LEARNING).get_attribute("class")
    chip = page.locator("button.gv-chip[data-kind=status][data-value=done]")
    chip.click()
    assert chip.get_attribute("aria-pressed") == "true"
    wait_dimmed(page, len(RM.nodes) - 1)
    assert dimmed(page) == set(RM.nodes) - {DONE}
    page.locator("button.gv-chip[data-kind=status][data-value=learning]").click()
    wait_dimmed(page, len(RM.nodes) - 2)  # a second status adds its nodes
    chip.click()
    page.locator("button.gv-chip[data-kind=status][data-value=learning]").click()
    wait_dimmed(page, 0)  # pressed again: no filter
    section = sorted(RM.sections, key=lambda s: s.order)[2]
    page.locator("button.gv-chip[data-kind=section]", has_text=section.title).click()
    inside = {n.id for n in RM.nodes.values() if n.section == section.id}
    wait_dimmed(page, len(RM.nodes) - len(inside))
    assert dimmed(page) == set(RM.nodes) - inside


def test_a_target_lights_its_learning_path(page: Any, app_url: str) -> None:
    from graph import learning_path

    roadmap(page, app_url)
    page.get_by_label("Light the path to").select_option("attention-transformers")
    page.locator(".gv-node.gv-target").wait_for()
    lit = set(page.locator(".gv-node.gv-on").evaluate_all("es => es.map(e => e.dataset.id)"))
    assert lit == set(learning_path(RM, "attention-transformers", {DONE}).steps)
    assert DONE not in lit
    assert page.locator(".gv-node.gv-target").get_attribute("data-id") == \
        "attention-transformers"
    page.get_by_text(f"Path to {RM.nodes['attention-transformers'].title}").wait_for()
    page.get_by_label("Light the path to").select_option("")  # no target
    page.locator(".gv-node.gv-target").wait_for(state="detached")


def test_spanish_switch_changes_the_titles(page: Any, app_url: str) -> None:
    roadmap(page, app_url)
    page.get_by_text("Español").click()
    page.locator("h1", has_text="Mapa").wait_for()
    page.wait_for_function(  # the graph is redrawn with the Spanish titles
        "t => [...document.querySelector('[data-testid=stBidiComponentIsolated]').shadowRoot"
        ".querySelectorAll('.gv-node[data-id=backpropagation] tspan')]"
        ".map(e => e.textContent).join('').replaceAll(' ', '') === t",
        arg=squeeze(RM.nodes["backpropagation"].title_in("es")))
    shown = graph_titles(page)
    assert set(shown) == set(RM.nodes)
    for nid, text in shown.items():
        assert squeeze(text) == squeeze(RM.nodes[nid].title_in("es")), nid
    assert page.locator("[data-testid=stSidebarNav]", has_text="Ruta de aprendizaje").count()


@pytest.mark.parametrize("path", ["node?node=calculus", "path", "progress", "team", "system"])
def test_every_page_is_offline_with_material_icons(page: Any, app_url: str, path: str) -> None:
    """Each page fetches nothing from the internet (the favicon and the icons included), and
    its title's icon is a Material Symbol drawn with the font Streamlit ships."""
    page.goto(f"{app_url}/{path}")
    icon = page.locator("h1 [role=img][aria-label$=' icon']").first
    icon.wait_for()
    idle(page)
    assert "Material Symbols" in icon.evaluate("e => getComputedStyle(e).fontFamily")
    assert hosts(page) == {app_url.split("://")[1]}


def test_quick_lab_streams_and_passes(page: Any, app_url: str) -> None:
    page.goto(app_url + "/node?node=calculus")
    page.locator("h1", has_text="Calculus").wait_for()
    page.get_by_role("button", name=re.compile("Run lab")).click()
    # the log streams while the lab runs: its command line, then the lab's own lines
    page.locator("[data-testid=stExpander]", has_text="running calculus").wait_for()
    page.locator("code", has_text="--quick").first.wait_for()
    page.locator("summary", has_text="PASS").wait_for(timeout=90_000)
    page.locator("[data-testid=stDataFrame]").first.wait_for()


def test_unknown_node_in_url_is_friendly(page: Any, app_url: str) -> None:
    page.goto(app_url + "/node?node=calculas")
    page.get_by_text("There is no node").wait_for()
    page.get_by_role("button", name=re.compile("Calculus")).wait_for()


def test_screenshots_dir_exists() -> None:
    assert Path(__file__).resolve().parents[2].joinpath("docs", "screenshots").is_dir()
