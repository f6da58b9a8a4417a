"""Start the app with `streamlit run` on a free local port, and a headless Chromium.

Shared by the e2e tests, ``benchmarks/bench_app.py`` and ``benchmarks/screenshots.py``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update"]

TICKER = """\
import time
for i in range(12):
    print(f"tick {time.time():.3f}", flush=True)
    time.sleep(0.5)
print("done", flush=True)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(env: dict[str, str], timeout: float = 60,
          app: Path = ROOT / "app.py") -> Iterator[str]:
    """Run the app (or another Streamlit file); yield its base URL; stop it (the whole
    process group) at the end."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(app),
           "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.fileWatcherType", "none"]
    log = open(env.get("ROADMAP_DATA_DIR", "/tmp") + "/streamlit.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start: see {log.name}")
            time.sleep(0.2)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 15)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        log.close()


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def graph_points(page: Any) -> Any:
    """The node markers of the Roadmap graph (edges and legend excluded)."""
    return page.locator(".stPlotlyChart .scatterlayer .trace .points path")


def hover_point(page: Any, index: int) -> tuple[float, float]:
    """Move the mouse onto the graph's node marker ``index`` and wait for its hover label.

    Plotly works out the point under the mouse on an animation frame after the move; a
    click before that (a person never clicks that fast) hits no point.
    """
    box = graph_points(page).nth(index).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y, steps=3)
    page.locator(".stPlotlyChart .hoverlayer .hovertext").first.wait_for(timeout=10_000)
    return x, y


def click_point(page: Any, index: int) -> None:
    """Hover the node marker ``index``, then click it."""
    x, y = hover_point(page, index)
    page.mouse.click(x, y)


def write_fixture_roadmap(tmp: Path) -> Path:
    """The AppTest roadmap plus a `ticker` node whose lab prints a timestamp every 0.5 s."""
    from tests.ui.conftest import write_roadmap

    root = write_roadmap(tmp)
    (tmp / "labs" / "ticker.py").write_text(TICKER)
    (root / "practice" / "ticker.yaml").write_text(
        "id: ticker\ntitle: Ticker\nsummary: Prints the time.\nlevel: beginner\n"
        "estimate_hours: 1\nprerequisites: []\nobjectives: [tick]\n"
        "lab: {script: labs/ticker.py, gpu: \"no\", timeout_s: 30}\n")
    return root
