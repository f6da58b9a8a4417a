"""The app in headless Chromium, each figure the median of 5 rounds (after one warm-up).

1. Navigation to the Roadmap page until every node of the graph shows its title, in a
   new tab of a browser that has loaded the app before (its HTTP cache is warm), against
   a one-line Streamlit app measured in the same rounds (target: <= 1.5x its time);
   also in the app: a tab on a Node page, then the sidebar's Roadmap link.
2. A click on a node until the Node page shows its title (target: <= 1 s).
3. A lab's output line printed until it is visible in the page (target: <= 1.5 s): a lab
   prints its clock every 0.5 s and the page notes when each line appears.

The one-line app and the Roadmap run on two servers side by side and each round times
one after the other, so a change of load on a shared machine weighs on both alike; the
load average is recorded at the start and the end. 1 and 2 run on the bundled roadmap (a
copy without dangling ids while nodes are being written, as in screenshots.py), 3 on the
test roadmap with a `ticker` lab. Prints the figures, writes benchmarks/results/app.json
and exits 1 when a target is missed.

$ python benchmarks/bench_app.py            # everything
$ python benchmarks/bench_app.py --no-log   # 1 and 2 only (keeps the file's figure for 3)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from screenshots import demo_roadmap  # noqa: E402

from tests.e2e.server import (  # noqa: E402
    GRAPH_DRAWN,
    chromium,
    graph_node,
    serve,
    write_fixture_roadmap,
)
from ui.widgets import ICON  # noqa: E402

REPEAT = 5
RESULT = ROOT / "benchmarks" / "results" / "app.json"
TARGETS = {"nav_to_graph_vs_hello": 1.5, "click_to_node_s": 1.0, "line_to_page_s": 1.5}
NODE_ICON = ICON["node"].split("/")[1].rstrip(":")  # "location_on"
HELLO = "import streamlit as st\nst.title('hello')\n"
HELLO_SHOWN = "() => !!document.querySelector('h1')"
OBSERVER = """() => {
  window.__ticks = {};
  const seen = window.__ticks;
  const scan = () => {
    for (const m of document.body.innerText.matchAll(/tick (\\d+\\.\\d+)/g)) {
      if (!(m[1] in seen)) seen[m[1]] = Date.now() / 1000;
    }
  };
  new MutationObserver(scan).observe(document.body,
    {subtree: true, childList: true, characterData: true});
}"""


def node_heading(page: Any) -> Any:
    """The Node page's title: the heading that carries the page's Material icon."""
    return page.locator("h1", has=page.locator(f"[aria-label='{NODE_ICON} icon']")).first


def idle(page: Any) -> None:
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=120_000)


def env_for(tmp: Path, root: Path) -> dict[str, str]:
    data = tmp / "data"
    data.mkdir(exist_ok=True)
    return {"ROADMAP_DIR": str(root), "ROADMAP_DATA_DIR": str(data),
            "ROADMAP_DB_URL": str(data / "progress.sqlite3"), "ROADMAP_USER": "bench"}


def load() -> float:
    return round(os.getloadavg()[0], 2)


def bench_graph_and_click(browser: Any, repeat: int) -> dict[str, Any]:
    """Rounds of: the one-line app, the Roadmap page, a click on a node, the sidebar link."""
    from graph import load_roadmap

    tmp = Path(tempfile.mkdtemp(prefix="roadmap-bench-"))
    root = demo_roadmap(tmp)
    ids = sorted(load_roadmap(root).nodes)
    n = len(ids)
    (tmp / "hello.py").write_text(HELLO)
    hello, nav, click, in_app = [], [], [], []
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    with serve(env_for(tmp, root)) as url, serve({"ROADMAP_DATA_DIR": str(tmp)},
                                                 app=tmp / "hello.py") as hello_url:
        for i in range(repeat + 1):  # the first round warms the servers and the cache up
            page = ctx.new_page()
            t0 = time.perf_counter()
            page.goto(hello_url + "/")
            page.wait_for_function(HELLO_SHOWN, timeout=60_000)
            t_hello = time.perf_counter() - t0
            page.close()

            page = ctx.new_page()
            t0 = time.perf_counter()
            page.goto(url + "/")
            page.wait_for_function(GRAPH_DRAWN, arg=[n, "rm_graph"], timeout=120_000)
            t_nav = time.perf_counter() - t0
            idle(page)
            k = ids[(7 * i + 3) % n]
            t0 = time.perf_counter()
            graph_node(page, k).click()
            page.wait_for_url(f"**/node?node={k}", timeout=30_000)
            node_heading(page).wait_for(timeout=30_000)
            t_click = time.perf_counter() - t0
            page.close()

            # in the app: a tab opened on a Node page, then the sidebar's Roadmap link
            page = ctx.new_page()
            page.goto(url + f"/node?node={k}")
            node_heading(page).wait_for(timeout=60_000)
            idle(page)
            t0 = time.perf_counter()
            page.locator("[data-testid=stSidebarNavLink]").first.click()
            page.wait_for_function(GRAPH_DRAWN, arg=[n, "rm_graph"], timeout=120_000)
            t_in_app = time.perf_counter() - t0
            page.close()
            if i:
                hello.append(t_hello)
                nav.append(t_nav)
                click.append(t_click)
                in_app.append(t_in_app)
            print(f"  round {i}: one-line app {t_hello:.2f} s, graph {t_nav:.2f} s "
                  f"({t_nav / t_hello:.2f}x), click -> node {t_click:.2f} s, sidebar link -> "
                  f"graph {t_in_app:.2f} s, load {load()}" + (" (warm-up)" if not i else ""))
    ctx.close()
    return {"nodes": n, "hello_s": hello, "nav_to_graph_s": nav, "click_to_node_s": click,
            "in_app_nav_to_graph_s": in_app}


def bench_log_latency(browser: Any, repeat: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="roadmap-bench-"))
    root = write_fixture_roadmap(tmp)
    per_run = []
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    with serve(env_for(tmp, root)) as url:
        for i in range(repeat + 1):
            page = ctx.new_page()
            page.goto(url + "/node?node=ticker")
            page.locator("h1", has_text="Ticker").wait_for(timeout=120_000)
            idle(page)
            page.evaluate(OBSERVER)
            clicked = time.time()  # lines of an earlier run, still shown, are left out
            page.get_by_role("button", name="Run lab").click()
            page.get_by_text("running ticker").first.wait_for(timeout=60_000)
            page.locator("summary").filter(has_text="ERROR").or_(
                page.locator("summary").filter(has_text="PASS")).first.wait_for(
                timeout=60_000)
            ticks = page.evaluate("() => window.__ticks")
            lat = [shown - float(printed) for printed, shown in ticks.items()
                   if float(printed) >= clicked]
            if i and lat:
                per_run.append(statistics.median(lat))
            print(f"  round {i}: {len(lat)} lines, median {statistics.median(lat):.2f} s, "
                  f"max {max(lat):.2f} s" + (" (warm-up)" if not i else "") if lat else
                  f"  round {i}: no lines seen")
            page.close()
    ctx.close()
    return {"line_to_page_s": per_run}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=REPEAT, help="rounds after the warm-up")
    ap.add_argument("--no-log", action="store_true",
                    help="skip the lab output latency (the file keeps its last figure)")
    args = ap.parse_args(argv)
    before = load()
    with chromium() as browser:
        print("one-line app, graph and click:")
        a = bench_graph_and_click(browser, args.repeat)
        b: dict[str, Any] = {}
        if not args.no_log:
            print("lab output latency:")
            b = bench_log_latency(browser, args.repeat)
    old = json.loads(RESULT.read_text()) if RESULT.exists() else {}
    hello = statistics.median(a["hello_s"])
    nav = statistics.median(a["nav_to_graph_s"])
    click = statistics.median(a["click_to_node_s"])
    line = (round(statistics.median(b["line_to_page_s"]), 3) if b.get("line_to_page_s")
            else old.get("line_to_page_median_s") if args.no_log else None)
    result = {
        "machine": f"{platform.node()} ({platform.machine()}), {os.cpu_count()} CPUs, "
                   "headless Debian Chromium",
        "repeat": args.repeat,
        "roadmap_nodes": a["nodes"],
        "nav_to_graph_median_s": round(nav, 3),
        "baseline_streamlit_hello_median_s": round(hello, 3),
        "nav_to_graph_vs_hello": round(nav / hello, 2),
        "nav_to_graph_vs_hello_per_round": [
            round(x / h, 2) for x, h in zip(a["nav_to_graph_s"], a["hello_s"], strict=True)],
        "in_app_nav_to_graph_median_s": round(statistics.median(a["in_app_nav_to_graph_s"]), 3),
        "click_to_node_median_s": round(click, 3),
        "line_to_page_median_s": line,
        "line_to_page_measured_now": bool(b.get("line_to_page_s")),
        "load_average_1min": {"start": before, "end": load()},
        "targets": TARGETS,
        "samples": {**a, **b},
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=2))
    missed = [k for k, v in (("nav_to_graph_vs_hello", nav / hello),
                             ("click_to_node_s", click), ("line_to_page_s", line))
              if v is not None and v > TARGETS[k]]
    print("targets missed: " + ", ".join(missed) if missed else "all targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
