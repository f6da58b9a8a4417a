"""Profiling: PyTorch Profiler, Chrome/Perfetto and TensorBoard traces, Nsight Systems.

Guessing where time goes is usually wrong; a profiler measures it. ``torch.profiler``
records every operator (and, on a GPU, every kernel and memory copy) with its start and
duration; ``record_function("name")`` adds your own labelled ranges. Two numbers matter per
op: total time (including the ops it calls) and self time (total minus its children). A
scope with a large total points at the slow stage; the op with the largest self time is the
work to fix. The trace is a Chrome-trace JSON (open it in https://ui.perfetto.dev or
chrome://tracing); ``tensorboard_trace_handler`` writes the same format into a TensorBoard
log folder.

Nsight Systems sees the whole process: CPU threads, CUDA API calls, kernels, copies and
NVTX ranges on one timeline. Typical use:
``nsys profile -t cuda,nvtx,osrt -o report python labs/profiling.py --device cuda`` then
``nsys stats report.nsys-rep`` (summary tables) or open the report in the Nsight Systems
GUI; wrap code in ``torch.autograd.profiler.emit_nvtx()`` or ``torch.cuda.nvtx.range(...)``
so PyTorch ops appear as named NVTX ranges, and limit the capture with
``--capture-range=cudaProfilerApi`` plus ``torch.cuda.profiler.start()/stop()``.

On a GPU the host-side ranges only show how long launching took; the device's own events
(category "kernel", and "gpu_user_annotation" for your record_function ranges) hold the time
the work took.

This lab plants a bottleneck (an L1 ``torch.cdist`` over all token pairs) in a small model,
profiles a few training steps and exports a Chrome trace and a TensorBoard trace. You
re-derive per-op counts, total and self times from the raw trace (checked against the
profiler's own ``key_averages``) and find the bottleneck from your own aggregation: the
planted stage and op must come out on top (on a GPU, from the device events).

$ python labs/profiling.py --quick
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from dataclasses import dataclass

import kit
import matplotlib
import torch
from torch import nn
from torch.profiler import ProfilerActivity, profile, record_function, schedule

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("aggregate_trace", "find_bottleneck")
PLANTED_STAGE = "stage::distances"
CPU_CATS = ("cpu_op", "user_annotation", "cuda_runtime", "cuda_driver")  # host-side ranges
GPU_WORK = ("kernel", "gpu_memcpy", "gpu_memset")  # what the device spent its time on
GPU_RANGES = ("gpu_user_annotation",)  # your record_function ranges, on the device timeline


@dataclass
class Config:
    batch: int = 4  # sequences per step
    tokens: int = 4096  # tokens per sequence: cdist is O(tokens^2 * width), the MLP linear
    width: int = 64  # hidden size
    steps: int = 6  # wait 1 + warm-up 1 + 4 recorded steps


class Planted(nn.Module):
    """embed -> (planted) all-pairs L1 distances that rescale each token -> MLP."""

    def __init__(self, d: int) -> None:
        super().__init__()
        self.inp = nn.Linear(16, d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, T, 16) -> (B, T, 1)
        with record_function("model::forward"):  # a range around the stages, not a stage
            with record_function("stage::embed"):
                h = self.inp(x)  # (B, T, d)
            with record_function(PLANTED_STAGE):  # the bottleneck: no mm fast path for p=1
                with torch.no_grad():  # distances are treated as constants
                    dist = torch.cdist(h, h, p=1)  # (B, T, T)
                h = h * (1 + 1 / (1 + dist.mean(-1, keepdim=True)))  # crowded tokens scaled up
            with record_function("stage::mlp"):
                return self.mlp(h)


def aggregate_trace(trace: dict, cats: tuple = CPU_CATS) -> dict[str, dict]:
    """Per-name count, total and self time (us) of the ranges in a Chrome trace.

    Use the complete events (``"ph": "X"``) whose ``"cat"`` is in ``cats``: by default the
    host-side "cpu_op", "user_annotation", "cuda_runtime" and "cuda_driver" (operators, your
    record_function ranges and, on a GPU, CUDA API calls such as cudaLaunchKernel); with
    ``GPU_WORK`` or ``GPU_RANGES``, the device timeline's kernels and copies, or its ranges.
    Ranges nest per process and thread (``pid``, ``tid``; a GPU stream is a tid); an event's
    self time is its duration minus the durations of its direct children (events of the
    categories chosen). Returns ``{name: {"count", "total_us", "self_us"}}``.
    """
    by_tid = defaultdict(list)
    for e in trace["traceEvents"]:
        if e.get("ph") == "X" and e.get("cat") in cats:
            by_tid[(e.get("pid"), e.get("tid"))].append(e)
    stats = defaultdict(lambda: {"count": 0, "total_us": 0.0, "self_us": 0.0})
    for events in by_tid.values():
        events.sort(key=lambda e: (e["ts"], -e["dur"]))  # parents before their children
        stack = []  # open ranges: [end, name, children's time]
        for e in events:
            while stack and stack[-1][0] <= e["ts"]:
                end, name, child = stack.pop()
                stats[name]["self_us"] -= child
            if stack:
                stack[-1][2] += e["dur"]
            s = stats[e["name"]]
            s["count"] += 1
            s["total_us"] += e["dur"]
            s["self_us"] += e["dur"]
            stack.append([e["ts"] + e["dur"], e["name"], 0.0])
        for _end, name, child in stack:
            stats[name]["self_us"] -= child
    return dict(stats)


def self_nested(trace: dict) -> set[str]:
    """Names of ranges that directly contain a range of the same name (aten::mean calling
    aten::mean). key_averages merges such pairs, so their counts and totals differ."""
    out, by_tid = set(), defaultdict(list)
    for e in trace["traceEvents"]:
        if e.get("ph") == "X" and e.get("cat") in CPU_CATS:
            by_tid[(e.get("pid"), e.get("tid"))].append(e)
    for events in by_tid.values():
        stack = []
        for e in sorted(events, key=lambda e: (e["ts"], -e["dur"])):
            while stack and stack[-1]["ts"] + stack[-1]["dur"] <= e["ts"]:
                stack.pop()
            if stack and stack[-1]["name"] == e["name"]:
                out.add(e["name"])
            stack.append(e)
    return out


def find_bottleneck(stats: dict[str, dict]) -> tuple[str | None, str]:
    """From an aggregation: (the "stage::" range with the largest total time, or None when
    there is none; the entry with the largest self time among all the other names).

    The other names are operators (or, on the device, kernels) and the profiler's own
    ranges (ProfilerStep#..., Optimizer...), whose self time is only the gaps between ops.
    """
    stages = {k: v for k, v in stats.items() if k.startswith("stage::")}
    rest = {k: v for k, v in stats.items() if not k.startswith("stage::")}
    return (max(stages, key=lambda k: stages[k]["total_us"]) if stages else None,
            max(rest, key=lambda k: rest[k]["self_us"]))


def body(lab: kit.Lab) -> None:
    cuda = lab.device == "cuda"
    cfg = Config() if cuda else Config(tokens=lab.pick(256, 768), steps=lab.pick(4, 6))
    dev = lab.torch_device
    model = Planted(cfg.width).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    x = torch.randn(cfg.batch, cfg.tokens, 16, device=dev)

    def train_step() -> None:
        opt.zero_grad(set_to_none=True)
        model(x).square().mean().backward()
        opt.step()

    lab.section(f"profile {cfg.steps - 2} training steps on {lab.device}")
    tb_dir = lab.out / "tensorboard"
    shutil.rmtree(tb_dir, ignore_errors=True)
    on_ready = torch.profiler.tensorboard_trace_handler(str(tb_dir))  # export_chrome_trace
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])
    with profile(activities=acts, schedule=schedule(wait=1, warmup=1, active=cfg.steps - 2),
                 on_trace_ready=on_ready, record_shapes=True) as prof:
        for _ in range(cfg.steps):
            train_step()
            prof.step()
    if cuda:
        torch.cuda.synchronize()
    table = prof.key_averages()
    sort = "self_device_time_total" if cuda else "self_cpu_time_total"
    if cuda and not hasattr(table[0], sort):  # torch < 2.4 spelled it self_cuda_time_total
        sort = "self_cuda_time_total"
    lab.log(table.table(sort_by=sort, row_limit=8, max_name_column_width=48))

    lab.section("trace files")
    tb_files = sorted(tb_dir.glob("*.pt.trace.json"))
    lab.check_equal("TensorBoard trace files written", len(tb_files), 1, str(tb_dir),
                    graded=False)
    trace_path = lab.save_file("trace.json", kind="trace")  # the same Chrome-trace JSON
    shutil.copyfile(tb_files[0], trace_path)
    trace = json.loads(trace_path.read_text())
    n_events = len(trace.get("traceEvents", []))
    lab.check_ge("Chrome trace: events written", n_events, 10, f"{trace_path}", graded=False)
    lab.note(f"open {trace_path} in https://ui.perfetto.dev or chrome://tracing; "
             f"Nsight Systems: nsys profile -t cuda,nvtx,osrt -o report python "
             f"labs/profiling.py --device cuda")

    lab.section("re-derive the profile from the raw trace (vs key_averages)")
    oracle = {e.key: {"count": e.count, "total_us": e.cpu_time_total,
                      "self_us": e.self_cpu_time_total} for e in table}
    stats, kernels, ranges = {}, {}, {}  # your aggregations: host; device work, device ranges
    with lab.guard("aggregate_trace runs"):
        stats = aggregate_trace(trace)
        names = [k for k in oracle if k.startswith("aten::")  # a GPU mirrors the stages
                 or (k.startswith("stage::") and not cuda)]  # on the device: not comparable
        lab.check_close("self time per op and stage = key_averages (us)",
                        [stats.get(k, {}).get("self_us", 0.0) for k in names],
                        [oracle[k]["self_us"] for k in names], rtol=0.01, atol=2.0,
                        hint="subtract only the direct children's durations")
        names = [k for k in names if k not in self_nested(trace)]  # merged by key_averages
        lab.check_equal("counts per op and stage = key_averages (wrong ones)",
                        {k: (stats.get(k, {}).get("count"), oracle[k]["count"]) for k in names
                         if stats.get(k, {}).get("count") != oracle[k]["count"]}, {},
                        hint="count the user_annotation ranges (record_function) too")
        lab.check_close("total time per op and stage = key_averages (us)",
                        [stats.get(k, {}).get("total_us", 0.0) for k in names],
                        [oracle[k]["total_us"] for k in names], rtol=0.01, atol=2.0)
        if cuda:
            kernels, ranges = aggregate_trace(trace, GPU_WORK), aggregate_trace(trace, GPU_RANGES)

    with lab.shown():
        lab.section(f"the planted bottleneck tops the profiler's own table ({sort})")
        top = max((e for e in table if e.key.startswith("aten::")),
                  key=lambda e: getattr(e, sort))
        lab.check(f"top operator by {sort} is the planted cdist", "cdist" in top.key,
                  "aten::_cdist_forward", top.key)
    aten = [e for e in table if e.key.startswith("aten::")]  # kernels are listed apart
    share = sum(getattr(e, sort) for e in aten if "cdist" in e.key) / max(
        sum(getattr(e, sort) for e in aten), 1e-9)
    lab.metric("planted_share_of_self_time", share)

    lab.section("find the bottleneck from your aggregation" + (" of the device events"
                                                                if cuda else ""))
    found = None
    with lab.guard("find_bottleneck runs"):
        if not cuda:
            found = find_bottleneck(stats)
            lab.check_equal("slowest stage (largest total time)", found[0], PLANTED_STAGE,
                            hint="only the stage:: ranges are stages")
            lab.check("largest self time: the cdist kernel's op, aten::_cdist_forward",
                      "_cdist_forward" in found[1], "aten::_cdist_forward", found[1],
                      hint="self time, not total: aten::cdist only calls _cdist_forward")
        else:
            found = (find_bottleneck(ranges)[0] if ranges else None, find_bottleneck(kernels)[1])
            lab.check("largest self time among the device's kernels: the cdist kernel",
                      "cdist" in found[1].lower(), "a cdist kernel", found[1])
            if found[0] is not None:
                lab.check_equal("slowest stage on the device (gpu_user_annotation)", found[0],
                                PLANTED_STAGE)
            else:
                lab.note("this trace has no gpu_user_annotation ranges: stage not judged")

    mine = kernels or stats
    fig, ax = plt.subplots(figsize=(7, 3.6))
    if mine:  # your aggregation, top self times
        top10 = sorted(mine, key=lambda k: mine[k]["self_us"], reverse=True)[:10]
        ax.barh([k[:60] for k in top10][::-1], [mine[k]["self_us"] / 1e3 for k in top10][::-1],
                color=["tab:red" if "cdist" in k else "tab:blue" for k in top10][::-1])
    ax.set(xlabel="self time (ms), from your aggregation of the trace",
           title="top entries by self time (planted in red)")
    lab.savefig(fig, "top_ops.png")
    if found is not None:
        lab.conclude(f"Your aggregation of the raw trace matched key_averages and put "
                     f"{found[0] or 'the planted stage'} and {found[1][:60]} on top: the "
                     f"planted cdist took {share:.0%} of the operators' self time on "
                     f"{lab.device}.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("profiling", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
