"""The app in headless Chromium: three timings, each the median of 5 (after one warm-up).

1. navigation to the Roadmap page until every node of the graph is drawn (target <= 2 s),
   (a) in a new tab of a browser that has loaded the app before (its HTTP cache is warm),
   (b) in the app: a tab opened on a Node page, then the sidebar's Roadmap link;
2. a click on a node until the Node page shows its title (target <= 1 s);
3. a lab's output line printed until it is visible in the page (target <= 1.5 s): a lab
   prints its clock every 0.5 s and the page notes when each line appears.

Two baselines put the first figure in context: a one-line Streamlit app, and a Streamlit
app with one three-point st.plotly_chart (the floor for any page showing a Plotly chart).

Runs on the bundled roadmap (a copy without dangling ids while nodes are being written,
as in screenshots.py) for 1 and 2, and on the test roadmap with a `ticker` lab for 3.
Prints the figures and writes benchmarks/results/app.json.

$ python benchmarks/bench_app.py
"""

from __future__ import annotations

import json
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
    chromium,
    hover_point,
    serve,
    write_fixture_roadmap,
)
from ui.widgets import ICON  # noqa: E402

REPEAT = 5
NODE_ICON = ICON["node"].split("/")[1].rstrip(":")  # "location_on"
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


def bench_graph_and_click(browser: Any) -> dict[str, Any]:
    from graph import load_roadmap

    tmp = Path(tempfile.mkdtemp(prefix="roadmap-bench-"))
    root = demo_roadmap(tmp)
    ids = sorted(load_roadmap(root).nodes)
    n = len(ids)
    nav, click, in_app = [], [], []
    drawn = ("n => document.querySelectorAll('.stPlotlyChart .scatterlayer .trace "
             ".points path').length === n")
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    with serve(env_for(tmp, root)) as url:
        for i in range(REPEAT + 1):  # the first round warms the server and the cache up
            page = ctx.new_page()
            t0 = time.perf_counter()
            page.goto(url + "/")
            page.wait_for_function(drawn, arg=n, timeout=120_000)
            t_nav = time.perf_counter() - t0
            idle(page)
            k = (3 * i + 1) % n
            x, y = hover_point(page, k)
            t0 = time.perf_counter()
            page.mouse.click(x, y)
            page.wait_for_url("**/node?node=*", timeout=30_000)
            node_heading(page).wait_for(timeout=30_000)
            t_click = time.perf_counter() - t0
            page.close()
            # in-app navigation: a tab opened on a Node page, then the sidebar's Roadmap
            # link (Plotly's bundle has not run in this tab yet: the worst case)
            page = ctx.new_page()
            page.goto(url + f"/node?node={ids[k]}")
            node_heading(page).wait_for(timeout=60_000)
            idle(page)
            t0 = time.perf_counter()
            page.locator("[data-testid=stSidebarNavLink]").first.click()
            page.wait_for_function(drawn, arg=n, timeout=120_000)
            t_in_app = time.perf_counter() - t0
            page.close()
            if i:
                nav.append(t_nav)
                click.append(t_click)
                in_app.append(t_in_app)
            print(f"  round {i}: graph {t_nav:.2f} s, click -> node {t_click:.2f} s, "
                  f"sidebar link -> graph {t_in_app:.2f} s" + (" (warm-up)" if not i else ""))
    ctx.close()
    return {"nodes": n, "nav_to_graph_s": nav, "click_to_node_s": click,
            "in_app_nav_to_graph_s": in_app}


def bench_log_latency(browser: Any) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="roadmap-bench-"))
    root = write_fixture_roadmap(tmp)
    per_run = []
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    with serve(env_for(tmp, root)) as url:
        for i in range(REPEAT + 1):
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


BASELINES = {
    # name: (app source, JS condition for "visible")
    "hello": ("import streamlit as st\nst.title('hello')\n",
              "() => !!document.querySelector('h1')"),
    # the floor for any page with a Plotly chart: Streamlit's PlotlyChart bundle (4.7 MB
    # of JS) is fetched and run when the first chart arrives
    "plotly": ("import plotly.graph_objects as go\nimport streamlit as st\nst.title('hello')\n"
               "st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2], "
               "mode='markers')))\n",
               "() => document.querySelectorAll("
               "'.stPlotlyChart .scatterlayer .trace .points path').length === 3"),
}


def bench_baseline(browser: Any, name: str) -> list[float]:
    """A one-file Streamlit app: navigation until its content shows (median of REPEAT)."""
    source, visible = BASELINES[name]
    tmp = Path(tempfile.mkdtemp(prefix="roadmap-bench-"))
    (tmp / "app.py").write_text(source)
    times = []
    ctx = browser.new_context()
    with serve({"ROADMAP_DATA_DIR": str(tmp)}, app=tmp / "app.py") as url:
        for i in range(REPEAT + 1):
            page = ctx.new_page()
            t0 = time.perf_counter()
            page.goto(url + "/")
            page.wait_for_function(visible, timeout=60_000)
            if i:
                times.append(time.perf_counter() - t0)
            page.close()
    ctx.close()
    print(f"  {name}: {[round(t, 2) for t in times]}")
    return times


def main() -> int:
    with chromium() as browser:
        print("baselines (one-file Streamlit apps):")
        hello = bench_baseline(browser, "hello")
        floor = bench_baseline(browser, "plotly")
        print("graph and click:")
        a = bench_graph_and_click(browser)
        print("lab output latency:")
        b = bench_log_latency(browser)
    result = {
        "machine": f"{platform.node()} ({platform.machine()}), {__import__('os').cpu_count()}"
                   " CPUs, headless Debian Chromium",
        "repeat": REPEAT,
        "roadmap_nodes": a["nodes"],
        "nav_to_graph_median_s": round(statistics.median(a["nav_to_graph_s"]), 3),
        "in_app_nav_to_graph_median_s": round(statistics.median(a["in_app_nav_to_graph_s"]), 3),
        "click_to_node_median_s": round(statistics.median(a["click_to_node_s"]), 3),
        "line_to_page_median_s": (round(statistics.median(b["line_to_page_s"]), 3)
                                  if b["line_to_page_s"] else None),
        "baseline_streamlit_hello_median_s": round(statistics.median(hello), 3),
        "baseline_streamlit_plotly_3_points_median_s": round(statistics.median(floor), 3),
        "load_average_1min": round(__import__("os").getloadavg()[0], 2),
        "targets_s": {"nav_to_graph": 2.0, "click_to_node": 1.0, "line_to_page": 1.5},
        "samples": {**a, **b},
    }
    out = ROOT / "benchmarks" / "results" / "app.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
