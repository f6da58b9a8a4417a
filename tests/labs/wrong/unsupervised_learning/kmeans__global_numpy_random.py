"""Bug: draws the k-means++ seeds from numpy's global generator instead of the rng it is
given, so a run cannot be reproduced from its seed."""

import numpy as np
import torch


def kmeans(X, k, rng, iters=100):
    n = X.shape[0]
    centers = [X[int(np.random.randint(n))]]
    for _ in range(1, k):
        d2 = torch.cdist(X, torch.stack(centers)).min(1).values ** 2
        p = (d2 / d2.sum()).cpu().numpy()
        centers.append(X[int(np.random.choice(n, p=p / p.sum()))])
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
