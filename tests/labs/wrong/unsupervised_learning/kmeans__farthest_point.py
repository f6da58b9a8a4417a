"""Bug: takes the farthest point as the next centre (farthest-point seeding) instead of
drawing it with probability proportional to D^2."""

import torch


def kmeans(X, k, rng, iters=100):
    n = X.shape[0]
    centers = [X[int(rng.integers(n))]]
    for _ in range(1, k):
        d2 = torch.cdist(X, torch.stack(centers)).min(1).values ** 2
        centers.append(X[int(torch.argmax(d2))])
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
