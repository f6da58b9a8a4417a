"""The Ray backend against a real Ray cluster started on 127.0.0.1 for these tests.

The fixture runs ``ray start --head`` with 4 logical CPUs and 2 logical GPUs (Ray counts
resources; the fake GPU labs here never touch CUDA), so two GPU labs can be shown to run
at once. The same checks as the local runner: a quick lab is recorded identically, a
learner's solution is verified, cancel and timeout stop the job, a crash is an error, an
unreachable cluster is a clear error within seconds, and ``lab batch`` records every run.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import Store, load_roadmap, run_lab
from graph.backends import backend_for
from tests.cli.helpers import invoke
from tests.test_runner import rm  # noqa: F401 - the fixture

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ray")]  # one cluster per run

ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'roadmap-lab[ray]')")
RAY = Path(sys.executable).with_name("ray")
ROOT = Path(__file__).resolve().parents[1]
FIELDS = ("node", "status", "device", "quick", "solution", "solution_sha256", "returncode",
          "checks_passed", "checks_total", "lab_sha256", "seed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def cluster() -> Iterator[str]:
    """A Ray head on 127.0.0.1 (one per test worker): yields its ``ray://`` address.

    ``ray start --block`` in a process group of its own, stopped by signalling that group:
    ``ray stop`` would stop every Ray process on the machine, another worker's too.
    """
    temp = Path(tempfile.mkdtemp(prefix="rl-ray-"))  # short: Ray's socket paths are long
    dash, port = free_port(), free_port()
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    log = open(temp / "head.log", "wb")  # noqa: SIM115 - closed after the head stops
    head = subprocess.Popen(
        [str(RAY), "start", "--head", "--block", "--num-cpus", "4", "--num-gpus", "2",
         "--port", str(port), "--dashboard-host", "127.0.0.1", "--dashboard-port", str(dash),
         "--include-dashboard", "true", "--disable-usage-stats", "--temp-dir", str(temp)],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"ray://127.0.0.1:{dash}"
    try:
        deadline = time.monotonic() + 120
        while not backend_for(url).status().answers:
            if head.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Ray head did not answer at {url}:\n"
                            f"{(temp / 'head.log').read_text(errors='replace')[-2000:]}")
            time.sleep(1)
        yield url
    finally:
        stop_group(head)
        log.close()
        shutil.rmtree(temp, ignore_errors=True)


def stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM the process group, SIGKILL what is left after 15 s."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            proc.poll()
            time.sleep(0.5)


@pytest.fixture(autouse=True)
def worker_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers (this machine) run the same interpreter as the tests."""
    monkeypatch.setenv("ROADMAP_RAY_PYTHON", sys.executable)


def test_a_quick_lab_through_ray_is_recorded_like_a_local_run(
        cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROADMAP_DATA_DIR", str(tmp_path / "data"))
    bundled = load_roadmap()
    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    with Store(url, roadmap=bundled) as store:
        local = run_lab(bundled, "calculus", quick=True, user="ana",
                        recorder=store_rec(store))
        remote = run_lab(bundled, "calculus", quick=True, user="bob", runner=cluster,
                         recorder=store_rec(store))
        assert local.status == remote.status == "pass", (remote.message, remote.tail[-20:])
        assert remote.where.startswith("ray:") and local.where == "local"
        (a,), (b,) = store.runs("ana"), store.runs("bob")
        assert {f: getattr(a, f) for f in FIELDS} == {f: getattr(b, f) for f in FIELDS}
    images = [x for x in remote.result["artifacts"] if x["kind"] == "image"]
    assert images and all(Path(x["path"]).is_file() for x in images)
    assert Path(images[0]["path"]).is_relative_to(Path(remote.log_path).parent)


def store_rec(store: Store):
    return lambda run: store.record_run(run.user, run)


def test_a_learner_solution_is_verified_through_ray(
        cluster: str, rm, tmp_path: Path) -> None:  # noqa: F811
    sol = tmp_path / "sol.py"
    sol.write_text("def double(x):\n    return x + x\n")
    r = run_lab(rm, "ok", quick=True, device="cpu", solution=sol, runner=cluster)
    assert r.status == "pass" and r.verified, (r.message, r.tail[-20:])
    assert r.solution_sha256 and r.lab_sha256
    from graph import sandbox_info

    assert r.sandbox == sandbox_info().mode  # the worker (this machine) sandboxed it


def test_cancel_and_timeout_stop_the_job(cluster: str, rm) -> None:  # noqa: F811
    cancel = threading.Event()
    lines: list[str] = []

    def cancel_when_running(line: str) -> None:
        lines.append(line)
        if line.startswith("child "):
            cancel.set()

    r = run_lab(rm, "hang", quick=True, device="cpu", runner=cluster, cancel=cancel,
                on_line=cancel_when_running, timeout_s=600)
    assert r.status == "cancelled", (r.status, r.message, lines[-10:])
    t0 = time.monotonic()
    r = run_lab(rm, "hang", quick=True, device="cpu", runner=cluster, timeout_s=3)
    assert r.status == "timeout" and "timeout of 3 s" in r.message, (r.status, r.message)
    assert time.monotonic() - t0 < 120


def test_a_crashing_lab_is_recorded_as_an_error(cluster: str, rm) -> None:  # noqa: F811
    r = run_lab(rm, "crash", quick=True, device="cpu", runner=cluster)
    assert r.status == "error" and "boom" in r.message, (r.status, r.message)


def test_an_unreachable_cluster_is_a_clear_error_within_seconds(rm) -> None:  # noqa: F811
    t0 = time.monotonic()
    r = run_lab(rm, "ok", quick=True, device="cpu", runner=f"ray://127.0.0.1:{free_port()}")
    assert r.status == "error" and "no Ray cluster answers at ray://127.0.0.1:" in r.message
    assert time.monotonic() - t0 < 15
    with pytest.raises(Exception, match="use 'local' or 'ray://HOST:PORT'"):
        backend_for("spark://x:1")


SLOW_GPU_LAB = """\
import os, time
print("gpu lab start @%f" % time.time(), "CUDA_VISIBLE_DEVICES=%s" % os.environ.get(
    "CUDA_VISIBLE_DEVICES"), flush=True)
time.sleep(8)
print("gpu lab end @%f" % time.time(), flush=True)
"""


def test_two_gpu_labs_run_at_the_same_time_on_two_gpus(cluster: str, tmp_path: Path) -> None:
    from tests.factory import make, node_yaml

    root = make(tmp_path, {"basics/gpu-slow.yaml": node_yaml("gpu-slow").replace(
        'gpu: "no"', 'gpu: "required"')}, labs=False)
    (tmp_path / "labs").mkdir()
    (tmp_path / "labs" / "gpu_slow.py").write_text(SLOW_GPU_LAB)
    slow = load_roadmap(root)
    runs: list = []
    threads = [threading.Thread(target=lambda: runs.append(run_lab(
        slow, "gpu-slow", device="cuda", runner=cluster))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    starts, ends, devices = [], [], set()
    for r in runs:
        log = Path(r.log_path).read_text()
        assert "(1 GPU)" in log and "gpu lab end" in log, log[-1500:]
        starts.append(_stamp(log, "gpu lab start"))
        ends.append(_stamp(log, "gpu lab end"))
        devices.add(log.split("CUDA_VISIBLE_DEVICES=")[1].split()[0])
    assert max(starts) < min(ends), "the two GPU labs did not overlap"
    assert len(devices) == 2, f"both jobs were given the same GPU: {devices}"


def _stamp(log: str, text: str) -> float:
    """When the worker printed ``text`` (the lab prints wall-clock times)."""
    for line in log.splitlines():
        if line.startswith(text):
            return float(line.split("@")[1].split()[0])
    raise AssertionError(f"{text!r} not in the log")


def test_lab_batch_over_six_labs_records_every_result(
        cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.factory import make, node_yaml, write_alpha_lab

    monkeypatch.setenv("ROADMAP_DATA_DIR", str(tmp_path / "data"))
    db = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    monkeypatch.setenv("ROADMAP_DB_URL", db)
    names = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    root = make(tmp_path, {f"basics/{n}.yaml": node_yaml(n) for n in names}, labs=False)
    write_alpha_lab(tmp_path)
    for n in names[1:]:
        (tmp_path / "labs" / f"{n}.py").write_text(
            (tmp_path / "labs" / "alpha.py").read_text().replace('"alpha"', f'"{n}"'))
    r = invoke("lab", "batch", "--all", "--quick", "--runner", cluster, "-r", str(root))
    assert r.exit_code == 0, r.output
    assert "6/6 passed" in r.output and r.output.count("ray:") >= 6
    with Store(db) as s:
        assert sorted(x.node for x in s.runs()) == sorted(names)
        assert all(x.status == "pass" for x in s.runs())

