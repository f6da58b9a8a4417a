"""A deliberately wrong solution: self time is taken to be the total time (children not
subtracted), and the slowest "stage" is looked for among all entries, so the whole
profiler step wins."""

from collections import defaultdict


def aggregate_trace(trace):
    stats = defaultdict(lambda: {"count": 0, "total_us": 0.0, "self_us": 0.0})
    for e in trace["traceEvents"]:
        if e.get("ph") == "X" and e.get("cat") in ("cpu_op", "user_annotation"):
            s = stats[e["name"]]
            s["count"] += 1
            s["total_us"] += e["dur"]
            s["self_us"] += e["dur"]  # bug: children's time not subtracted
    return dict(stats)


def find_bottleneck(stats):
    ops = {k: v for k, v in stats.items() if k.startswith("aten::")}
    return (max(stats, key=lambda k: stats[k]["total_us"]),  # bug: not only stage:: scopes
            max(ops, key=lambda k: ops[k]["self_us"]))
