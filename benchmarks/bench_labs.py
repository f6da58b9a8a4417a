"""Time every lab in --quick mode on this machine, one after another, as a learner runs them.

$ python benchmarks/bench_labs.py [--section foundations] [name ...]

Prints each lab's wall time (interpreter and imports included) and status, the median, the
slowest, and the total per section; writes benchmarks/results/labs.json. Targets: each
quick lab <= 20 s; the 20 foundations labs together <= 240 s (issue 3).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph import load_roadmap  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="node ids (default: every node with a lab)")
    ap.add_argument("--section", default=None)
    args = ap.parse_args()
    rm = load_roadmap()
    nodes = [n for n in rm.nodes.values()
             if (not args.names or n.id in args.names)
             and (args.section is None or n.section == args.section)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in nodes:
            script = rm.lab_path(n.id)
            if script is None or not script.is_file():
                continue
            out = Path(tmp) / n.id
            t0 = time.perf_counter()
            p = subprocess.run([sys.executable, str(script), "--quick", "--json",
                                str(out / "r.json"), "--out", str(out)],
                               capture_output=True, text=True, cwd=tmp, timeout=300)
            dt = time.perf_counter() - t0
            status = "pass" if p.returncode == 0 else f"exit {p.returncode}"
            rows.append({"node": n.id, "section": n.section, "seconds": round(dt, 2),
                         "status": status})
            print(f"{n.id:32} {dt:6.1f} s  {status}", flush=True)
    if not rows:
        print("no labs found")
        return 1
    times = [r["seconds"] for r in rows]
    by_section: dict[str, float] = {}
    for r in rows:
        by_section[r["section"]] = by_section.get(r["section"], 0.0) + r["seconds"]
    slowest = max(rows, key=lambda r: r["seconds"])
    summary = {"labs": len(rows), "total_s": round(sum(times), 1),
               "median_s": round(statistics.median(times), 2),
               "slowest": slowest, "by_section_s": {k: round(v, 1) for k, v in by_section.items()},
               "over_20s": [r["node"] for r in rows if r["seconds"] > 20],
               "not_passing": [r["node"] for r in rows if r["status"] != "pass"]}
    print(json.dumps(summary, indent=1))
    res = ROOT / "benchmarks" / "results" / "labs.json"
    res.parent.mkdir(exist_ok=True)
    res.write_text(json.dumps({"summary": summary, "runs": rows}, indent=1) + "\n")
    return 0 if not summary["over_20s"] and not summary["not_passing"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
