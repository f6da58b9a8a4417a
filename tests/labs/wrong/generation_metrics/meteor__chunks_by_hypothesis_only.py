"""Bug: a chunk breaks only where hypothesis positions jump; reference
adjacency is ignored."""


def meteor(hyp: list[str], refs: list[list[str]], alpha: float = 0.9, beta: float = 3.0,
           gamma: float = 0.5) -> float:
    best = 0.0
    for ref in refs:
        free: dict[str, list[int]] = {}
        for j, w in enumerate(ref):
            free.setdefault(w, []).append(j)
        match = []  # (hyp position, ref position)
        for i in range(len(hyp) - 1, -1, -1):
            if free.get(hyp[i]):
                match.append((i, free[hyp[i]].pop()))
        if not match:
            continue
        match.sort()
        m = len(match)
        chunks = 1 + sum(not b[0] == a[0] + 1
                         for a, b in zip(match, match[1:], strict=False))
        p, r = m / len(hyp), m / len(ref)
        fmean = p * r / (alpha * p + (1 - alpha) * r)
        best = max(best, fmean * (1 - gamma * (chunks / m) ** beta))
    return best
