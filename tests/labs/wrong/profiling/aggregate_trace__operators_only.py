"""Bug: keeps only the "cpu_op" events, so the record_function ranges (the stages and the
profiler steps) vanish from the aggregation."""

from collections import defaultdict


def aggregate_trace(trace, cats=("cpu_op",)):
    by_tid = defaultdict(list)
    for e in trace["traceEvents"]:
        if e.get("ph") == "X" and e.get("cat") == "cpu_op":
            by_tid[(e.get("pid"), e.get("tid"))].append(e)
    stats = defaultdict(lambda: {"count": 0, "total_us": 0.0, "self_us": 0.0})
    for events in by_tid.values():
        events.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []
        for e in events:
            while stack and stack[-1][0] <= e["ts"]:
                _, name, child = stack.pop()
                stats[name]["self_us"] -= child
            if stack:
                stack[-1][2] += e["dur"]
            s = stats[e["name"]]
            s["count"] += 1
            s["total_us"] += e["dur"]
            s["self_us"] += e["dur"]
            stack.append([e["ts"] + e["dur"], e["name"], 0.0])
        for _, name, child in stack:
            stats[name]["self_us"] -= child
    return dict(stats)
