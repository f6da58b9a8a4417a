"""A plausible but wrong solution for the ci-cd lab (its checks must fail)."""


def job_order(needs):
    # bug: Kahn's algorithm that forgets to check for leftovers (a cycle passes silently)
    # and takes ready jobs in file order instead of alphabetically
    indeg = {j: len(ns) for j, ns in needs.items()}
    order, ready = [], [j for j in needs if indeg[j] == 0]
    while ready:
        j = ready.pop()
        order.append(j)
        for u, ns in needs.items():
            if j in ns:
                indeg[u] -= 1
                if indeg[u] == 0:
                    ready.append(u)
    return order


def find_cycle(needs):
    # bug: returns every job Kahn could not schedule, which includes jobs merely
    # downstream of the cycle
    done = set(job_order(needs))
    left = sorted(set(needs) - done)
    return left or None


def simulate(needs, minutes, runners, fails=()):
    # bug: a job starts when its first need is done (not all of them), and a failure only
    # skips its direct dependents
    res, pending = {}, list(needs)
    free = [0.0] * runners
    for j in sorted(pending):
        if any(res.get(n, (0, 0, ""))[2] in ("failure",) for n in needs[j]):
            res[j] = (None, None, "skipped")
            continue
        ready_at = min([res[n][1] for n in needs[j] if n in res and res[n][1] is not None],
                       default=0.0)
        k = min(range(runners), key=lambda i: free[i])
        start = max(ready_at, free[k])
        free[k] = start + minutes[j]
        res[j] = (start, free[k], "failure" if j in fails else "success")
    return res
