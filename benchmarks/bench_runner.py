"""Lab runner backends: the Ray backend's overhead, a batch on each, and GPU queueing.

    python benchmarks/bench_runner.py [--rounds 5] [--batch] [--skip-ray]

1. Overhead of the Ray backend on a quick lab against the local runner: the same lab
   (``calculus --quick``) run ``--rounds`` times on each, interleaved, median wall time from
   ``run_lab`` called to its record returned. The Ray head is started here on 127.0.0.1.
2. ``--batch``: ``roadmap lab batch --all --quick`` wall time on the local runner and on
   Ray on this machine. Both are bounded by this machine's cores: reported, not a target.
3. Queueing of 50 learners who each check one GPU lab, on 1 and on 4 GPU workers: a
   discrete-event simulation (first come, first served, one lab per GPU, as Ray's scheduler
   runs ``num_gpus=1`` jobs), with service times drawn from the GPU labs' measured full-run
   durations on an H200 (``benchmarks/gpu/NVIDIA-H200/*.json``) plus the Ray backend's
   measured per-job overhead; learners arrive together (a class starting the lab) and
   spread over 10 minutes.

Writes ``benchmarks/results/runner.json``.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph import load_roadmap, run_lab  # noqa: E402
from graph.backends import backend_for  # noqa: E402

GPU_LABS = ("gpu_architecture", "cuda_environment", "device_management", "data_loading",
            "mixed_precision", "distributed_training", "profiling", "model_compression")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_ray(tmp: Path) -> tuple[str, dict[str, str]]:
    # the head runs on this machine: its workers use this interpreter (torch, the labs)
    os.environ.setdefault("ROADMAP_RAY_PYTHON", sys.executable)
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    dash = free_port()
    ray = Path(sys.executable).with_name("ray")
    subprocess.run([str(ray), "start", "--head", "--num-cpus", str(os.cpu_count() or 2),
                    "--port", str(free_port()), "--dashboard-host", "127.0.0.1",
                    "--dashboard-port", str(dash), "--include-dashboard", "true",
                    "--disable-usage-stats", "--temp-dir", str(tmp)],
                   check=True, capture_output=True, env=env, timeout=300)
    url = f"ray://127.0.0.1:{dash}"
    while not backend_for(url).status().answers:
        time.sleep(1)
    return url, env


def overhead(url: str, rounds: int) -> dict:
    rm = load_roadmap()
    times: dict[str, list[float]] = {"local": [], "ray": []}
    for i in range(rounds):
        for name, runner in (("local", "local"), ("ray", url)):
            t0 = time.perf_counter()
            r = run_lab(rm, "calculus", quick=True, runner=runner, recorder=lambda _: None)
            times[name].append(time.perf_counter() - t0)
            assert r.status == "pass", (name, r.message)
            print(f"  round {i + 1}: {name} {times[name][-1]:.2f} s", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"lab": "calculus --quick", "rounds": rounds, "median_s": med,
            "overhead_s": med["ray"] - med["local"], "ratio": med["ray"] / med["local"],
            "all_s": times}


def batch(url: str) -> dict:
    out = {}
    for name, runner in (("local", "local"), ("ray", url)):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "graph.cli", "lab", "batch", "--all",
                               "--quick", "--runner", runner], capture_output=True, text=True,
                              cwd=ROOT)
        out[name] = {"wall_s": time.perf_counter() - t0, "exit": proc.returncode,
                     "summary": proc.stdout.strip().splitlines()[-1:]}
        print(f"  batch --all --quick on {name}: {out[name]['wall_s']:.0f} s", flush=True)
    return out


def gpu_durations() -> list[float]:
    folder = ROOT / "benchmarks" / "gpu" / "NVIDIA-H200"
    found = []
    for lab in GPU_LABS:
        f = folder / f"{lab}.json"
        if f.is_file():
            d = json.loads(f.read_text())
            if not d.get("quick") and d.get("duration_s"):
                found.append(float(d["duration_s"]))
    return found


def simulate(durations: list[float], job_overhead: float, workers: int, learners: int,
             spread_s: float, seed: int = 0, trials: int = 200) -> dict:
    """FIFO queue, ``workers`` GPUs; returns mean/p95 wait and the makespan over trials."""
    rng = random.Random(seed)
    waits, spans = [], []
    for _ in range(trials):
        arrivals = sorted(rng.uniform(0, spread_s) for _ in range(learners))
        free = [0.0] * workers  # when each GPU is next free (a heap)
        heapq.heapify(free)
        end = 0.0
        for t in arrivals:
            start = max(t, heapq.heappop(free))
            service = rng.choice(durations) + job_overhead
            heapq.heappush(free, start + service)
            waits.append(start - t)
            end = max(end, start + service)
        spans.append(end)
    waits.sort()
    return {"workers": workers, "mean_wait_s": statistics.fmean(waits),
            "p95_wait_s": waits[int(0.95 * len(waits))], "makespan_s": statistics.fmean(spans)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--batch", action="store_true", help="also time lab batch --all --quick")
    ap.add_argument("--skip-ray", action="store_true", help="only the queueing simulation")
    args = ap.parse_args()
    results: dict = {"load_average_before": os.getloadavg()}
    job_overhead = 6.0  # seconds; replaced by the measured figure below when Ray runs
    if not args.skip_ray:
        tmp = Path(tempfile.mkdtemp(prefix="rl-bench-ray-"))
        url, env = start_ray(tmp)
        try:
            print("Ray backend overhead on a quick lab", flush=True)
            results["overhead"] = overhead(url, args.rounds)
            job_overhead = max(results["overhead"]["overhead_s"], 0.0)
            if args.batch:
                results["batch"] = batch(url)
        finally:
            subprocess.run([str(Path(sys.executable).with_name("ray")), "stop", "--force"],
                           capture_output=True, env=env)
    durations = gpu_durations()
    results["queue"] = {"learners": 50, "gpu_lab_durations_s": durations,
                        "job_overhead_s": job_overhead, "scenarios": []}
    for spread in (0.0, 600.0):
        for workers in (1, 4):
            row = simulate(durations, job_overhead, workers, 50, spread)
            row["arrivals_over_s"] = spread
            results["queue"]["scenarios"].append(row)
            print(f"  50 learners arriving over {spread:.0f} s on {workers} GPU(s): mean wait "
                  f"{row['mean_wait_s']:.0f} s, p95 {row['p95_wait_s']:.0f} s, all done after "
                  f"{row['makespan_s']:.0f} s", flush=True)
    results["load_average_after"] = os.getloadavg()
    out = ROOT / "benchmarks" / "results" / "runner.json"
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
