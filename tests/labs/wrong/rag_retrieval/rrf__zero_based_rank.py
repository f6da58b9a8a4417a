"""Bug: counts ranks from 0, so the first id gets 1 / k."""


def rrf(rankings, k=60):
    fused = {}
    for ranking in rankings:
        for rank, i in enumerate(ranking):
            fused[i] = fused.get(i, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda p: (-p[1], p[0]))
