"""Bug: a single update of the centres, whose labels are never recomputed (no loop)."""

import torch


def kmeans(X, k, rng, iters=100):
    n = X.shape[0]
    centers = [X[int(rng.integers(n))]]
    for _ in range(1, k):
        d2 = torch.cdist(X, torch.stack(centers)).min(1).values ** 2
        p = (d2 / d2.sum()).cpu().numpy()
        centers.append(X[int(rng.choice(n, p=p / p.sum()))])
    C = torch.stack(centers)
    labels = torch.cdist(X, C).argmin(1)
    if iters > 0:
        for j in range(k):
            if (labels == j).any():
                C[j] = X[labels == j].mean(0)
    return C, labels
