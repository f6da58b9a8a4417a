"""Bug: weights each point by its squared distance to the *last* chosen centre instead of the
nearest one, so a far point near an earlier centre can still be drawn."""

import torch


def kmeans(X, k, rng, iters=100):
    n = X.shape[0]
    centers = [X[int(rng.integers(n))]]
    for _ in range(1, k):
        d2 = ((X - centers[-1]) ** 2).sum(1)  # should be the min over every chosen centre
        p = (d2 / d2.sum()).cpu().numpy()
        centers.append(X[int(rng.choice(n, p=p / p.sum()))])
    C = torch.stack(centers)
    labels = torch.cdist(X, C).argmin(1)
    for _ in range(iters):
        for j in range(k):
            if (labels == j).any():
                C[j] = X[labels == j].mean(0)
        new = torch.cdist(X, C).argmin(1)
        if torch.equal(new, labels):
            break
        labels = new
    return C, labels
