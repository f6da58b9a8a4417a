"""Bug: sorts by (score, id) in reverse, so ties go to the larger id."""


def rrf(rankings, k=60):
    fused = {}
    for ranking in rankings:
        for rank, i in enumerate(ranking, start=1):
            fused[i] = fused.get(i, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda p: (p[1], p[0]), reverse=True)
