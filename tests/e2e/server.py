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


@contextlib.contextmanager
def new_page(browser: Any, height: int = 1000, timeout_ms: int = 30_000) -> Iterator[Any]:
    """A page in a fresh browser context (1400 px wide) whose ``requests`` lists every URL
    it asked for; the context closes afterwards."""
    ctx = browser.new_context(viewport={"width": 1400, "height": height})
    pg = ctx.new_page()
    pg.set_default_timeout(timeout_ms)
    pg.requests = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    try:
        yield pg
    finally:
        ctx.close()


#: JS: whether the graph component (the one with widget key ``key``) shows ``n`` nodes,
#: each with its title as text, in a view with a height (the component draws inside an
#: open shadow root, which document.querySelectorAll does not enter)
GRAPH_DRAWN = """([n, key]) => {
  const host = document.querySelector(
    `.st-key-${key} [data-testid=stBidiComponentIsolated]`);
  const root = host && host.shadowRoot;
  if (!root) return false;
  const nodes = root.querySelectorAll('.gv-node');
  if (nodes.length !== n) return false;
  for (const g of nodes) if (!g.textContent.trim()) return false;
  const view = root.querySelector('.gv-view');
  return !!view && view.clientHeight > 0;
}"""


def wait_for_graph(page: Any, n: int, key: str = "rm_graph", timeout: float = 60_000) -> None:
    """Wait until the Roadmap graph shows ``n`` nodes with their titles."""
    page.wait_for_function(GRAPH_DRAWN, arg=[n, key], timeout=timeout)


def graph_node(page: Any, node_id: str) -> Any:
    """A node's box in the graph (Playwright's CSS locators enter open shadow roots)."""
    return page.locator(f'.gv-node[data-id="{node_id}"]')


def graph_titles(page: Any) -> dict[str, str]:
    """Node id to the title its box shows (the lines of its SVG text, joined)."""
    return dict(page.locator(".gv-node").evaluate_all(
        "els => Object.fromEntries(els.map(e => [e.dataset.id, "
        "[...e.querySelectorAll('tspan')].map(t => t.textContent).join(' ')]))"))


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
