"""Engine benchmarks: cold `roadmap validate`, a 10,000-node roadmap, path and next-up queries.

$ python benchmarks/bench_graph.py        # prints the figures, writes results/graph.json

Targets (issue 2): validate median of 5 cold processes <= 0.5 s; 10k-node load + validate
<= 1.5 x libyaml's parse of the same files; learning_path and next_up <= 50 ms each.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from graph import learning_path, load_roadmap, next_up
from graph.loader import SafeLoader

HERE = Path(__file__).resolve().parent
N_NODES, EDGES_PER_NODE = 10_000, 3


def cold_validate(runs: int = 5) -> list[float]:
    exe = Path(sys.executable).parent / "roadmap"
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([str(exe), "validate"], capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
    return times


def generate(root: Path, n: int = N_NODES, seed: int = 0, *,
             prereqs: tuple[int, int] = (EDGES_PER_NODE, EDGES_PER_NODE),
             window: int = 200, blocks: bool = False, far: float = 0.0) -> None:
    """Write n nodes in 5 sections; node i takes prereqs[0]..prereqs[1] prerequisites among
    the ``window`` nodes before it (each one, with probability ``far``, among all of them).

    Sections go round-robin (node i in section i % 5), or with ``blocks`` in five runs of
    consecutive nodes, as a real roadmap's sections are.
    """
    rng = random.Random(seed)
    root.mkdir(parents=True)
    (root / "sections.yaml").write_text(yaml.safe_dump({"sections": [
        {"id": f"s{k}", "title": f"Section {k}", "order": k} for k in range(5)]}))
    for k in range(5):
        (root / f"s{k}").mkdir()
    for i in range(n):
        lo = max(0, i - window)
        k = prereqs[0] if prereqs[0] == prereqs[1] else rng.randint(*prereqs)
        want = min(k, i - lo)  # (no draw for a fixed count: the default graph stays the same)
        picks = set(rng.sample(range(lo, i), want))
        if far and i:
            picks = {rng.randrange(i) if rng.random() < far else j for j in picks}
        pre = sorted({f"n{j}" for j in picks})
        node = {
            "id": f"n{i}", "title": f"Node {i}", "summary": f"Generated node number {i}.",
            "i18n": {"es": {"title": f"Nodo {i}", "summary": f"Nodo generado {i}."}},
            "level": "intermediate", "estimate_hours": 1 + i % 7, "prerequisites": pre,
            "objectives": ["know it", "use it"],
            "resources": [{"type": "article", "title": "About", "url": f"https://example.org/{i}"}],
            "tags": ["generated"], "aliases": [],
            "lab": {"script": f"labs/n{i}.py", "gpu": "no", "timeout_s": 60, "requires": []},
        }
        section = i * 5 // n if blocks else i % 5
        (root / f"s{section}" / f"n{i}.yaml").write_text(yaml.safe_dump(node, sort_keys=False))


def time_best(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> int:
    results: dict[str, float | int | bool] = {}
    cold = cold_validate()
    results["validate_cold_median_s"] = statistics.median(cold)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "roadmap"
        generate(root)
        files = sorted(root.glob("*/*.yaml"))

        def parse_only() -> None:
            for f in files:
                yaml.load(f.read_text(encoding="utf-8"), Loader=SafeLoader)  # noqa: S506

        parse_s, load_s = [], []
        for _ in range(3):  # interleaved, so that a slow spell of the VM hits both alike
            parse_s.append(time_best(parse_only, 1))
            load_s.append(time_best(lambda: load_roadmap(root), 1))
        results["libyaml_parse_s"], results["load_validate_s"] = min(parse_s), min(load_s)
        rm = load_roadmap(root)
        results["nodes"], results["edges"] = len(rm.nodes), rm.graph.number_of_edges()
        results["load_over_parse"] = results["load_validate_s"] / results["libyaml_parse_s"]
        deepest = f"n{N_NODES - 1}"
        results["learning_path_ms"] = 1000 * time_best(lambda: learning_path(rm, deepest), 5)
        results["learning_path_steps"] = len(learning_path(rm, deepest).steps)
        half = {f"n{i}" for i in range(N_NODES // 2)}
        rm2 = load_roadmap(root)
        results["next_up_first_call_ms"] = 1000 * time_best(lambda: next_up(rm2, half), 1)
        results["next_up_ms"] = 1000 * time_best(lambda: next_up(rm2, half), 5)
    targets = {
        "validate_cold_median_s": results["validate_cold_median_s"] <= 0.5,
        "load_over_parse": results["load_over_parse"] <= 1.5,
        "learning_path_ms": results["learning_path_ms"] <= 50,
        "next_up_first_call_ms": results["next_up_first_call_ms"] <= 50,
    }
    for k, v in results.items():
        mark = "" if k not in targets else ("  [target met]" if targets[k] else "  [TARGET MISSED]")
        print(f"{k:>24}: {v:.4g}{mark}" if isinstance(v, float) else f"{k:>24}: {v}{mark}")
    out = HERE / "results" / "graph.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"results": results, "targets_met": targets}, indent=1) + "\n")
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
