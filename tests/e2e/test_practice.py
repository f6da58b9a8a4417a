"""Practice in a real headless Chromium, against `streamlit run` on the bundled roadmap: a
learner opens backpropagation, types a solution in the editor, checks it, sees PASS and the
★ on the Roadmap page; a wrong solution shows its failing check first; while a hostile
solution runs, the app keeps serving another user; the editor works offline."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.server import CHROMIUM, ROOT, graph_node, new_page, serve

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("e2e"),
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]
pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

USER = "e2e-learner"
EDITOR = "textarea[aria-label='Your solution (Python)']"
FORWARD = '''import torch


def mlp_forward(X, y, params):
    h = torch.tanh(X @ params["W1"] + params["b1"])
    logits = h @ params["W2"] + params["b2"]
    z = logits - logits.max(dim=1, keepdim=True).values
    logp = z - torch.log(torch.exp(z).sum(dim=1, keepdim=True))
    loss = -logp[torch.arange(len(y)), y].mean()
    return loss, {"X": X, "y": y, "h": h, "p": torch.exp(logp)}

'''
BACKWARD = '''
def mlp_backward(cache, params):
    X, y, h, p = cache["X"], cache["y"], cache["h"], cache["p"]
    d = p.clone()
    d[torch.arange(len(y)), y] -= 1
    d = d / len(y)
    dh = (d @ params["W2"].T) * (1 - h * h)
    return {"W1": X.T @ dh, "b1": dh.sum(0), "W2": h.T @ d, "b2": d.sum(0)}
'''
RIGHT = FORWARD + BACKWARD
WRONG = RIGHT.replace("    d = d / len(y)\n", "")  # forgets that the loss is a mean
LOOP = FORWARD.replace("    h = torch.tanh", "    while True:\n        pass\n    h = torch.tanh") \
    + BACKWARD


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("practice") / "data"
    data.mkdir()
    env = {"ROADMAP_DIR": str(ROOT / "roadmap"), "ROADMAP_DATA_DIR": str(data),
           "ROADMAP_DB_URL": str(data / "progress.sqlite3"), "ROADMAP_USER": USER}
    with serve(env, timeout=120) as url:
        yield url


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    with new_page(browser, height=1100, timeout_ms=60_000) as pg:
        yield pg


def open_practice(page: Any, url: str, node: str = "backpropagation") -> None:
    page.goto(f"{url}/node?node={node}")
    page.locator("h1", has_text="Backpropagation").wait_for(timeout=90_000)
    page.get_by_role("tab", name=re.compile("Practice")).click()
    start = page.locator(".st-key-practice_start button")
    editor = page.locator(EDITOR)
    start.or_(editor).first.wait_for()
    if start.count():
        start.click()
    editor.wait_for()


def type_solution(page: Any, code: str) -> None:
    """Replace the editor's text as a learner pasting or typing it (then leave the editor,
    as a click on Check does)."""
    editor = page.locator(EDITOR)
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)
    assert editor.input_value() == code


def check_and_wait(page: Any, limit_s: float = 240) -> str:
    """Click Check; wait for the live log, then for the result; return the result label."""
    page.locator(".st-key-practice_check button").click()
    page.locator("summary", has_text="checking your solution").first.wait_for()
    page.locator("[data-testid=stExpander] code", has_text="[runner]").first.wait_for()
    result = page.locator("summary", has_text=re.compile(r"\b(PASS|FAIL|ERROR|TIMEOUT)\b"))
    result.first.wait_for(timeout=limit_s * 1000)
    return str(result.first.inner_text())


def verified_on_roadmap(page: Any, node: str) -> bool:
    """The Roadmap page's graph marks ``node`` verified (its box's label says so)."""
    page.get_by_role("link", name=re.compile("^Roadmap$")).click()
    page.locator("h1", has_text="Roadmap").wait_for()
    box = graph_node(page, node)  # Playwright's locators enter the component's shadow root
    box.wait_for(timeout=90_000)
    return "verified" in (box.get_attribute("aria-label") or "")


def test_a_correct_solution_passes_and_the_roadmap_shows_the_star(page: Any, app_url: str
                                                                  ) -> None:
    open_practice(page, app_url)
    assert 'raise NotImplementedError("your code here")' in page.locator(EDITOR).input_value()
    type_solution(page, RIGHT)
    label = check_and_wait(page)
    assert "PASS" in label, label
    page.get_by_text("Verified: your own solution passed every graded check.").wait_for()
    rows = page.locator("[data-testid=stTable] tbody tr")
    rows.first.wait_for()
    assert rows.count() >= 5 and all("pass" in r.lower() for r in rows.all_inner_texts()[:5])
    assert verified_on_roadmap(page, "backpropagation")
    hosts = {re.sub(r"^\w+://([^/]+).*", r"\1", u) for u in page.requests
             if u.startswith(("http:", "https:", "ws:", "wss:"))}
    assert hosts == {app_url.split("://")[1]}, hosts  # the editor loads nothing from outside


def test_a_wrong_solution_shows_the_failing_check_first(page: Any, app_url: str) -> None:
    open_practice(page, app_url)
    type_solution(page, WRONG)
    label = check_and_wait(page)
    assert "FAIL" in label, label
    row = page.locator("[data-testid=stTable] tbody tr").first
    row.wait_for()
    first = row.inner_text()
    assert "fail" in first.lower() and "autograd" in first, first
    # the attempt is kept: the newest is listed first, with its result
    page.get_by_text("Your attempts").wait_for()
    assert page.locator("[class*='st-key-practice_restore_'] button").count() >= 1


def test_the_app_keeps_serving_while_a_hostile_solution_runs(browser: Any, page: Any,
                                                             app_url: str) -> None:
    open_practice(page, app_url)
    type_solution(page, LOOP)
    page.locator(".st-key-practice_check button").click()
    page.locator("[data-testid=stExpander] code", has_text="[runner] sandbox").first.wait_for()
    time.sleep(2)  # the loop is spinning now
    other = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        pg = other.new_page()
        t0 = time.monotonic()
        pg.goto(f"{app_url}/path")
        pg.locator("h1", has_text="Learning path").wait_for(timeout=60_000)
        pg.goto(f"{app_url}/node?node=calculus")
        pg.locator("h1", has_text="Calculus").wait_for(timeout=60_000)
        served_in = time.monotonic() - t0
    finally:
        other.close()
    assert served_in < 60
    page.locator(".st-key-practice_cancel button").click()
    page.locator("summary", has_text="CANCELLED").first.wait_for(timeout=60_000)


def test_the_editor_highlights_python_and_indents_with_spaces(page: Any, app_url: str) -> None:
    open_practice(page, app_url)
    editor = page.locator(EDITOR)
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("def f(x):")
    page.keyboard.press("Enter")  # keeps the indentation, one level more after a colon
    page.keyboard.type("return x  # twice")
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # four spaces, not a tab character
    page.keyboard.type("pass")
    assert editor.input_value() == "def f(x):\n    return x  # twice\n    pass"
    hl = page.locator(".ce-hl")
    assert hl.locator(".ce-kw", has_text="def").count() == 1
    assert hl.locator(".ce-fn", has_text="f").count() == 1
    assert hl.locator(".ce-com", has_text="# twice").count() == 1
    assert hl.locator(".ce-line").count() == 3
    box_ta, box_hl = editor.bounding_box(), hl.bounding_box()
    assert box_ta == box_hl  # the caret falls on the text it edits

