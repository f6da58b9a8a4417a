"""Another idiom: each event's innermost enclosing range found with an index stack, times
accumulated in Counters, and the ranking done with sorted()."""

from collections import Counter, defaultdict

from profiling import CPU_CATS


def aggregate_trace(trace, cats=CPU_CATS):
    count, total, self_time = Counter(), Counter(), Counter()
    threads = defaultdict(list)
    for e in trace["traceEvents"]:
        if e.get("ph") == "X" and e.get("cat") in cats:
            threads[e.get("pid"), e.get("tid")].append(e)
    for evs in threads.values():
        evs = sorted(evs, key=lambda e: (e["ts"], -e["dur"]))
        children = [0.0] * len(evs)  # summed durations of each event's direct children
        open_ranges = []  # indices of the ranges enclosing the current event
        for i, e in enumerate(evs):
            while open_ranges and (evs[open_ranges[-1]]["ts"] + evs[open_ranges[-1]]["dur"]
                                   <= e["ts"]):
                open_ranges.pop()
            if open_ranges:
                children[open_ranges[-1]] += e["dur"]
            open_ranges.append(i)
        for e, kids in zip(evs, children, strict=True):
            count[e["name"]] += 1
            total[e["name"]] += e["dur"]
            self_time[e["name"]] += e["dur"] - kids
    return {name: {"count": count[name], "total_us": float(total[name]),
                   "self_us": float(self_time[name])} for name in count}


def find_bottleneck(stats):
    ranked = sorted(stats.items(), key=lambda kv: kv[1]["total_us"], reverse=True)
    stage = next((k for k, _ in ranked if k.startswith("stage::")), None)
    by_self = sorted(((v["self_us"], k) for k, v in stats.items()
                      if not k.startswith("stage::")), reverse=True)
    return stage, by_self[0][1]
