#!/usr/bin/env bash
# Every lab of sections 3-5 (frameworks-tools, gpu-performance, engineering-practice) on a
# CUDA machine, in one call that fits a short device lease (about 8 minutes on one H200):
#   1. the gpu-performance labs one at a time, --device cuda, full size (their timings are
#      judged against the card's data sheet, so nothing else runs beside them);
#   2. the other two sections' labs --device cuda --quick, four at a time.
# Each lab gets a deadline; a global budget (BUDGET_S) skips what would not fit.
#
# Writes $OUT/<card>/ (OUT defaults to benchmarks/out/gpu, which git ignores):
#   <lab>.json      the lab's result JSON (schema 2: checks, metrics, takeaway, environment)
#   <lab>/*.png     its plots, and its tables as JSON (big artifacts such as traces are left out)
#   logs/<lab>.log  its output (the last 200 KB)
#   meta.json       date, commit, card, driver, python/torch/CUDA, and per lab: mode, exit
#                   code, status, seconds, graded checks passed
#   summary.txt     the same, one line per lab
#
# $ PYTHONPATH=. COMMIT=$(git rev-parse HEAD) bash benchmarks/gpu/run_gpu_labs.sh
#
# COMMIT is read from git when the checkout has a .git folder; a copied tree without one
# records COMMIT from the environment (or "unknown"). PY picks the interpreter (python3).
set -u
cd "$(dirname "$0")/../.."
export PYTHONPATH=${PYTHONPATH:-.}
PY=${PY:-python3}
OUT=${OUT:-benchmarks/out/gpu}
BUDGET_S=${BUDGET_S:-460}    # whole script; the lease allows one 10-minute command
GPU_LIMIT_S=${GPU_LIMIT_S:-150}  # one gpu-performance lab at full size
QUICK_LIMIT_S=${QUICK_LIMIT_S:-120}  # one other lab in --quick mode
start=$(date +%s)

card=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 \
       | tr -c 'A-Za-z0-9\n' '-' | sed 's/-*$//')
card=${card:-unknown-gpu}
dest="$OUT/$card"
rm -rf "$dest"
mkdir -p "$dest/logs"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
commit=$(git rev-parse HEAD 2>/dev/null || echo "${COMMIT:-unknown}")
dirty=$(git status --porcelain 2>/dev/null | grep -qv '^??' && echo true || echo false)
nvidia-smi > "$dest/nvidia-smi.txt" 2>&1
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1
export PY dest scratch

labs_of() {  # lab scripts of a roadmap section folder, in file order
  grep -h '^ *script:' roadmap/"$1"/*.yaml | sed 's/.*script: *labs\/\([a-z_0-9]*\)\.py.*/\1/'
}

run_one() {  # lab mode limit -> result JSON, plots, log and one line of runs.tsv
  local lab=$1 mode=$2 limit=$3 t0 t1 rc flags=(--device cuda)
  [ "$mode" = quick ] && flags+=(--quick)
  t0=$(date +%s.%N)
  timeout --kill-after=10 "$limit" "$PY" "labs/$lab.py" "${flags[@]}" --json "$dest/$lab.json" \
    --out "$scratch/$lab" > "$scratch/$lab.log" 2>&1
  rc=$?
  t1=$(date +%s.%N)
  tail -c 200000 "$scratch/$lab.log" > "$dest/logs/$lab.log"
  if [ -d "$scratch/$lab" ]; then  # plots and tables only: traces can be megabytes
    mkdir -p "$dest/$lab"
    find "$scratch/$lab" -maxdepth 1 -type f \( -name '*.png' -o -name '*.json' \) \
      ! -name 'trace.json' ! -name 'doctor.json' -size -2M -exec cp {} "$dest/$lab/" \;
  fi
  printf '%s\t%s\t%s\t%s\n' "$lab" "$mode" "$rc" "$(awk "BEGIN{printf \"%.1f\", $t1 - $t0}")" \
    >> "$dest/runs.tsv"
}
export -f run_one

left() { echo $(( BUDGET_S - ($(date +%s) - start) )); }

for lab in $(labs_of gpu-performance); do  # one at a time: nothing runs beside a timing
  l=$(left)
  if [ "$l" -lt 40 ]; then printf '%s\tfull\tskipped\t0\n' "$lab" >> "$dest/runs.tsv"; continue; fi
  run_one "$lab" full $(( l - 20 < GPU_LIMIT_S ? l - 20 : GPU_LIMIT_S ))
done

others=$( (labs_of frameworks-tools; labs_of engineering-practice) | sort -u)
l=$(left)
if [ "$l" -gt 40 ]; then
  limit=$(( l - 20 < QUICK_LIMIT_S ? l - 20 : QUICK_LIMIT_S ))
  echo "$others" | xargs -P 4 -I{} bash -c "run_one {} quick $limit"
else
  for lab in $others; do printf '%s\tquick\tskipped\t0\n' "$lab" >> "$dest/runs.tsv"; done
fi

"$PY" - "$dest" "$commit" "$dirty" "$card" "$BUDGET_S" "$(( $(date +%s) - start ))" <<'EOF'
import datetime, json, platform, subprocess, sys
from pathlib import Path

dest, commit, dirty, card, budget, took = sys.argv[1:7]
dest = Path(dest)
try:
    import torch
    env = {"torch": torch.__version__, "cuda": torch.version.cuda,
           "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}
except ImportError:
    env = {"torch": None, "cuda": None, "gpu": None}
try:
    driver = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                            capture_output=True, text=True).stdout.strip() or None
except OSError:  # no nvidia-smi
    driver = None
labs = []
for line in (dest / "runs.tsv").read_text().splitlines():
    lab, mode, rc, seconds = line.split("\t")
    res = dest / f"{lab}.json"
    r = json.loads(res.read_text()) if res.is_file() else {}
    graded = [c for c in r.get("checks", []) if c.get("graded", True)]
    labs.append({"lab": lab, "mode": mode, "exit_code": rc, "seconds": float(seconds),
                 "status": r.get("status", "skipped" if rc == "skipped" else "no result"),
                 "graded_passed": sum(c["passed"] for c in graded), "graded": len(graded),
                 "failed": [c["name"] for c in r.get("checks", []) if not c["passed"]],
                 "error": (r.get("error") or "").strip().splitlines()[-1:]})
meta = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit, "uncommitted_changes": dirty == "true", "card": card,
        "driver": driver, "python": platform.python_version(), **env,
        "budget_s": int(budget), "took_s": int(took), "labs": labs}
(dest / "meta.json").write_text(json.dumps(meta, indent=1))
(dest / "runs.tsv").unlink()
lines = [f"{meta['date']} commit {commit} {card} driver {meta['driver']} torch {env['torch']} "
         f"CUDA {env['cuda']} python {meta['python']} ({took} s)"]
lines += [f"{x['lab']:28s} {x['mode']:5s} rc={x['exit_code']:<7s} {x['seconds']:6.1f}s "
          f"{x['status']:9s} graded {x['graded_passed']}/{x['graded']}"
          + (f"  failed: {', '.join(x['failed'])}" if x["failed"] else "")
          + (f"  error: {x['error'][0][:120]}" if x["error"] else "") for x in labs]
(dest / "summary.txt").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
