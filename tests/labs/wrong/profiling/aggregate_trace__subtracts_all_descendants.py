"""Bug: subtracts every descendant's duration from an event's self time, not only its direct
children's, so grandchildren are taken away twice."""

from collections import defaultdict

from profiling import CPU_CATS


def aggregate_trace(trace, cats=CPU_CATS):
    by_tid = defaultdict(list)
    for e in trace["traceEvents"]:
        if e.get("ph") == "X" and e.get("cat") in cats:
            by_tid[(e.get("pid"), e.get("tid"))].append(e)
    stats = defaultdict(lambda: {"count": 0, "total_us": 0.0, "self_us": 0.0})
    for events in by_tid.values():
        events.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []
        for e in events:
            while stack and stack[-1]["ts"] + stack[-1]["dur"] <= e["ts"]:
                stack.pop()
            for parent in stack:  # every open ancestor, not just the innermost
                stats[parent["name"]]["self_us"] -= e["dur"]
            s = stats[e["name"]]
            s["count"] += 1
            s["total_us"] += e["dur"]
            s["self_us"] += e["dur"]
            stack.append(e)
    return dict(stats)
