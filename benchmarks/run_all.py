"""Run every benchmark in this folder (`make bench`); each writes benchmarks/results/*.json."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ["bench_graph.py", "bench_layout.py", "bench_progress.py", "bench_labs.py",
           "bench_app.py"]


def main() -> int:
    failed = []
    for name in BENCHES:
        path = HERE / name
        if not path.exists():
            print(f"== {name}: not present, skipped")
            continue
        print(f"== {name}", flush=True)
        if subprocess.call([sys.executable, str(path)]) != 0:
            failed.append(name)
    print("targets missed in: " + ", ".join(failed) if failed else "all targets met")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
