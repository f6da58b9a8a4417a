#!/usr/bin/env bash
# Every lab on a CUDA machine, in one call (the device budget is short):
#   1. the section-4 (GPU performance) labs in full mode, one at a time, --device cuda;
#   2. every other lab with --device cuda --quick, four at a time.
# Writes results into $OUT (default benchmarks/gpu/out): gpu-<card>.tar.gz with every
# result JSON and log, and summary-<card>.txt. A global deadline keeps it inside the lease.
#
# $ PYTHONPATH=. bash benchmarks/gpu/run_on_gpu.sh
set -u
cd "$(dirname "$0")/../.."
OUT=${OUT:-benchmarks/gpu/out}
PY=${PY:-python3}
BUDGET_S=${BUDGET_S:-480}
start=$(date +%s)
card=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 | tr -c 'A-Za-z0-9\n' '-' | sed 's/-*$//')
card=${card:-unknown-gpu}
work=$(mktemp -d)/gpu-$card
mkdir -p "$work" "$OUT"
nvidia-smi > "$work/nvidia-smi.txt" 2>&1
$PY -c "import torch,sys; print('python', sys.version.split()[0], 'torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0))" > "$work/env.txt" 2>&1
summary="$work/summary.txt"
cat "$work/env.txt" > "$summary"
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1

run_one() {  # lab mode timeout
  local lab=$1 mode=$2 limit=$3 t0 rc
  t0=$EPOCHREALTIME
  if [ "$mode" = full ]; then
    timeout "$limit" $PY "labs/$lab.py" --device cuda --json "$work/$lab.json" --out "$work/$lab-out" > "$work/$lab.log" 2>&1
  else
    timeout "$limit" $PY "labs/$lab.py" --device cuda --quick --json "$work/$lab.json" --out "$work/$lab-out" > "$work/$lab.log" 2>&1
  fi
  rc=$?
  printf '%-28s %-5s rc=%-3s %6.1fs\n' "$lab" "$mode" "$rc" "$(awk "BEGIN{print $EPOCHREALTIME - $t0}")" >> "$summary"
}
export -f run_one
export PY work summary

for lab in gpu_architecture mixed_precision data_loading cuda_environment device_management \
           distributed_training profiling model_compression; do
  left=$(( BUDGET_S - ($(date +%s) - start) ))
  [ "$left" -lt 30 ] && { echo "$lab skipped: out of time" >> "$summary"; continue; }
  [ -f "labs/$lab.py" ] || { echo "$lab missing" >> "$summary"; continue; }
  run_one "$lab" full $(( left < 150 ? left : 150 ))
done

left=$(( BUDGET_S - ($(date +%s) - start) ))
others=$(ls labs/*.py | xargs -n1 basename | sed 's/\.py$//' | grep -vxE 'kit|__init__|gpu_architecture|mixed_precision|data_loading|cuda_environment|device_management|distributed_training|profiling|model_compression')
if [ "$left" -gt 40 ]; then
  echo "$others" | xargs -P 4 -I{} bash -c "run_one {} quick $(( left - 20 < 90 ? left - 20 : 90 ))"
else
  echo "other labs skipped: out of time" >> "$summary"
fi
rm -rf "$work"/*-out/*.pt 2>/dev/null
tar czf "$OUT/gpu-$card.tar.gz" -C "$(dirname "$work")" "gpu-$card"
cp "$summary" "$OUT/summary-$card.txt"
cat "$summary"
