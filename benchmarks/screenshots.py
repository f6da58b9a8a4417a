"""Screenshots of every page of the app, for the README: docs/screenshots/<page>.png.

Runs the app with `streamlit run` on a temp database seeded with a demo profile and a
small team, on the bundled roadmap (the test roadmap when the bundled one does not load),
and drives Debian's headless Chromium through each page; then the Roadmap page again in
Streamlit's dark theme, with a search and a target (roadmap-dark.png).

$ python benchmarks/screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.server import (  # noqa: E402
    chromium,
    serve,
    wait_for_graph,
    write_fixture_roadmap,
)

OUT = ROOT / "docs" / "screenshots"


def demo_roadmap(tmp: Path) -> Path:
    """The bundled roadmap; while it has dangling ids (nodes still being written), a copy
    without them."""
    import shutil

    import yaml

    from graph import bundled_roadmap_dir, read_roadmap

    rm, problems = read_roadmap()
    if rm is not None and not problems:
        return bundled_roadmap_dir()
    print(f"the bundled roadmap has {len(problems)} problems: using a copy without "
          "dangling ids")
    src, root = bundled_roadmap_dir(), tmp / "roadmap"
    shutil.copytree(src, root)
    (tmp / "labs").symlink_to(ROOT / "labs")
    files = [f for f in root.rglob("*.yaml") if f.name != "sections.yaml"]
    ids = {yaml.safe_load(f.read_text())["id"] for f in files}
    for f in files:
        doc = yaml.safe_load(f.read_text())
        for key in ("prerequisites", "related"):
            if key in doc:
                doc[key] = [i for i in doc[key] if i in ids]
        f.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    rm, problems = read_roadmap(root)
    if rm is None or problems:
        print("still not loadable: using the test roadmap")
        shutil.rmtree(root)
        (tmp / "labs").unlink()
        return write_fixture_roadmap(tmp)
    return root


def seed(root: Path, data: Path) -> str:
    """A demo profile with progress, two teammates, a team; a quick lab run. Returns a node."""
    import os

    from graph import Store, load_roadmap, run_lab, store_recorder

    os.environ["ROADMAP_DATA_DIR"] = str(data)
    rm = load_roadmap(root)
    url = str(data / "progress.sqlite3")
    order = list(rm.nodes)
    with Store(url, roadmap=rm) as s:
        for name in ("local", "ana", "ben"):
            s.add_user(name)
        s.add_team("ml-team", admin="local")
        for name in ("ana", "ben"):
            s.join_team("ml-team", name)
        for k, n in enumerate(order[:10]):
            s.set_status("local", n, "done" if k < 7 else "learning")
        for n in order[::3][:12]:
            s.set_status("ana", n, "done")
        for n in order[1::4][:8]:
            s.set_status("ben", n, "done" if n != order[1] else "learning")
        s.set_note("local", order[0], "Revisit the chain rule with a worked example.")
        # lab passes with the learner's own solution: recent ones are verified (a star), a
        # pass months ago has faded (stale, due for review)
        now = datetime.now(UTC)
        passes = {"local": [(n, 2) for n in order[:2]] + [(order[2], 120)],
                  "ana": [(n, 5) for n in order[::3][:6]] + [(order[9], 200)],
                  "ben": [(n, 1) for n in order[1::4][:4]] + [(order[5], 90)]}
        for user, runs in passes.items():
            for n, days_ago in runs:
                s.record_run(user, {"node": n, "status": "pass", "solution": "learner",
                                    "started_at": (now - timedelta(days=days_ago)).isoformat(),
                                    "duration_s": 2.0, "device": "cpu", "quick": True,
                                    "seed": 0, "result": {}})
    lab_node = "calculus" if "calculus" in rm.nodes else order[0]
    run_lab(rm, lab_node, quick=True, device="cpu", user="local", recorder=store_recorder(url))
    return lab_node


def far_target(root: Path, data: Path) -> str:
    """The node with the longest path left for the demo profile (ties: the first id)."""
    from graph import Store, done_for, learning_path, load_roadmap

    rm = load_roadmap(root)
    with Store(str(data / "progress.sqlite3"), roadmap=rm) as s:
        done = done_for(s, "local", rm)
    return max(sorted(rm.nodes), key=lambda n: len(learning_path(rm, n, done).steps))


def shoot(page: Any, name: str) -> None:
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)
    time.sleep(1.0)  # let charts finish their transitions
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]')"
                           "?.scrollHeight || 1000")
    page.set_viewport_size({"width": 1400, "height": max(900, min(int(height) + 40, 3600))})
    time.sleep(0.8)
    page.screenshot(path=str(OUT / f"{name}.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})
    print("wrote", OUT / f"{name}.png")


def practice(page: Any, url: str, node: str) -> None:
    """The Practice tab: the starter replaced by a solution with one bug, checked: the
    failing check first, with its hint."""
    import re

    from tests.ui.conftest import CALCULUS_WRONG

    page.goto(url + f"/node?node={node}")
    page.get_by_role("tab", name=re.compile("Practice")).click()
    page.locator(".st-key-practice_start button").click()
    editor = page.locator("textarea[aria-label='Your solution (Python)']")
    editor.wait_for()
    if node == "calculus":
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
        page.keyboard.insert_text(CALCULUS_WRONG)
    page.locator(".st-key-practice_check button").click()
    page.locator("summary", has_text=re.compile(r"\b(PASS|FAIL|ERROR)\b")).first.wait_for()
    page.locator("[data-testid=stTable]").first.wait_for()
    editor.click()  # the editor focused, as while writing
    page.keyboard.press("Control+Home")
    shoot(page, "practice")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="roadmap-shots-"))
    data = tmp / "data"
    data.mkdir()
    from graph import load_roadmap

    root = demo_roadmap(tmp)
    node = seed(root, data)
    n = len(load_roadmap(root).nodes)
    env = {"ROADMAP_DIR": str(root), "ROADMAP_DATA_DIR": str(data),
           "ROADMAP_DB_URL": str(data / "progress.sqlite3"), "ROADMAP_USER": "local"}
    with serve(env) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(90_000)
        page.goto(url + "/")
        wait_for_graph(page, n)
        shoot(page, "roadmap")
        page.goto(url + f"/node?node={node}")
        page.locator("[data-testid=stDataFrame]").first.wait_for()
        shoot(page, "node")
        practice(page, url, "calculus" if node == "calculus" else node)
        page.get_by_role("link", name="Learning path").click()
        page.get_by_text("Next up").wait_for()
        shoot(page, "learning-path")
        page.get_by_role("link", name="My progress").click()
        page.get_by_text("Completions over time").wait_for()
        shoot(page, "progress")
        page.get_by_role("link", name="Review").click()
        page.locator("h1", has_text="Review").wait_for()
        shoot(page, "review")
        page.get_by_role("link", name="Team").click()
        page.locator(".stPlotlyChart").first.wait_for()
        shoot(page, "team")
        page.get_by_role("link", name="System").click()
        page.get_by_text("Database").wait_for()
        page.wait_for_function("() => !document.body.innerText.includes('Checking torch')",
                               timeout=120_000)
        shoot(page, "system")
        page.get_by_text("Español").click()
        page.get_by_role("link", name="Mapa").click()
        page.locator("h1", has_text="Mapa").wait_for()
        wait_for_graph(page, n)
        shoot(page, "roadmap-es")
    # the dark theme (Streamlit's setting, read from the environment), a search, a target
    with serve({**env, "STREAMLIT_THEME_BASE": "dark"}) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(90_000)
        page.goto(url + "/")
        wait_for_graph(page, n)
        page.get_by_label("Light the path to").select_option(far_target(root, data))
        page.locator(".gv-node.gv-target").wait_for()
        page.get_by_label("Search title or tag").fill("learning")
        shoot(page, "roadmap-dark")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
