"""Bug: plain random initialisation, k distinct rows drawn uniformly, instead of k-means++."""

import torch


def kmeans(X, k, rng, iters=100):
    n = X.shape[0]
    centers = [X[int(i)] for i in rng.choice(n, size=k, replace=False)]
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
