"""Bug: k-means++ weights by the distance D(x) that torch.cdist returns, not by D(x)^2."""

import torch


def kmeans(X, k, rng, iters=100):
    n = X.shape[0]
    centers = [X[int(rng.integers(n))]]
    for _ in range(1, k):
        d = torch.cdist(X, torch.stack(centers)).min(1).values  # should be squared
        p = (d / d.sum()).cpu().numpy()
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
