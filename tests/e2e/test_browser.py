"""The app in a real headless Chromium (Debian's), against `streamlit run` on 127.0.0.1."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.server import (
    CHROMIUM,
    chromium,
    click_point,
    graph_points,
    serve,
    write_fixture_roadmap,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("e2e"),
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]
pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

NODES = 6  # the fixture roadmap: five AppTest nodes and the ticker


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("e2e")
    root = write_fixture_roadmap(tmp)
    (tmp / "data").mkdir()
    env = {"ROADMAP_DIR": str(root), "ROADMAP_DATA_DIR": str(tmp / "data"),
           "ROADMAP_DB_URL": str(tmp / "data" / "progress.sqlite3"), "ROADMAP_USER": "e2e"}
    with serve(env) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    pg.requests = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    ctx.close()


def _points_ready(page: Any, n: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('.stPlotlyChart .scatterlayer .trace .points path')"
        ".length === n", arg=n, timeout=60_000)
    idle(page)


def idle(page: Any) -> None:
    """Wait until the app has finished its run (the "running" widget is gone)."""
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=60_000)


def _labels(page: Any) -> list[str]:
    return page.locator(".stPlotlyChart .scatterlayer .textpoint").evaluate_all(
        "els => els.map(e => e.textContent)")


def test_roadmap_shows_every_node_offline(page: Any, app_url: str) -> None:
    page.goto(app_url + "/")
    _points_ready(page, NODES)
    assert graph_points(page).count() == NODES
    labels = _labels(page)
    assert {"Calculus", "Backpropagation", "Ticker"} <= set(labels)
    hosts = {re.sub(r"^\w+://([^/]+).*", r"\1", u) for u in page.requests
             if u.startswith(("http:", "https:", "ws:", "wss:"))}
    assert hosts == {app_url.split("://")[1]}, hosts  # nothing from the internet


@pytest.mark.parametrize("path", ["node?node=calculus", "path", "progress", "team", "system"])
def test_every_page_is_offline_with_material_icons(page: Any, app_url: str, path: str) -> None:
    """Each page fetches nothing from the internet (the favicon and the icons included), and
    its title's icon is a Material Symbol drawn with the font Streamlit ships."""
    page.goto(f"{app_url}/{path}")
    icon = page.locator("h1 [role=img][aria-label$=' icon']").first
    icon.wait_for()
    idle(page)
    assert "Material Symbols" in icon.evaluate("e => getComputedStyle(e).fontFamily")
    hosts = {re.sub(r"^\w+://([^/]+).*", r"\1", u) for u in page.requests
             if u.startswith(("http:", "https:", "ws:", "wss:"))}
    assert hosts == {app_url.split("://")[1]}, hosts


def test_click_opens_the_node(page: Any, app_url: str) -> None:
    page.goto(app_url + "/")
    _points_ready(page, NODES)
    names = _labels(page)
    click_point(page, names.index("Calculus"))
    try:
        page.locator("h1", has_text="Calculus").wait_for()
    except Exception:
        page.screenshot(path=str(Path(tempfile.gettempdir()) / "roadmap-click-failure.png"))
        raise
    assert "node=calculus" in page.url


def test_quick_lab_streams_and_passes(page: Any, app_url: str) -> None:
    page.goto(app_url + "/node?node=calculus")
    page.locator("h1", has_text="Calculus").wait_for()
    page.get_by_role("button", name=re.compile("Run lab")).click()
    # the log streams while the lab runs: its command line, then the lab's own lines
    page.locator("[data-testid=stExpander]", has_text="running calculus").wait_for()
    page.locator("code", has_text="--quick").first.wait_for()
    page.locator("summary", has_text="PASS").wait_for(timeout=90_000)
    page.locator("[data-testid=stDataFrame]").first.wait_for()


def test_spanish_switch_changes_titles(page: Any, app_url: str) -> None:
    page.goto(app_url + "/")
    _points_ready(page, NODES)
    page.get_by_text("Español").click()
    page.locator("h1", has_text="Mapa").wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.stPlotlyChart .textpoint')]"
        ".some(e => e.textContent === 'Cálculo')")
    assert page.locator("[data-testid=stSidebarNav]", has_text="Ruta de aprendizaje").count()


def test_unknown_node_in_url_is_friendly(page: Any, app_url: str) -> None:
    page.goto(app_url + "/node?node=calculas")
    page.get_by_text("There is no node").wait_for()
    page.get_by_role("button", name=re.compile("Calculus")).wait_for()


def test_screenshots_dir_exists() -> None:
    assert Path(__file__).resolve().parents[2].joinpath("docs", "screenshots").is_dir()
