"""Bug: an event's self time is taken to be its whole duration (children not subtracted)."""

from collections import defaultdict

from profiling import CPU_CATS


def aggregate_trace(trace, cats=CPU_CATS):
    stats = defaultdict(lambda: {"count": 0, "total_us": 0.0, "self_us": 0.0})
    for e in trace["traceEvents"]:
        if e.get("ph") == "X" and e.get("cat") in cats:
            s = stats[e["name"]]
            s["count"] += 1
            s["total_us"] += e["dur"]
            s["self_us"] += e["dur"]
    return dict(stats)
