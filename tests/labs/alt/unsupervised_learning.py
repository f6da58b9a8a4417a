"""Another idiom: k-means in float32 numpy (CS231n style), PCA from the SVD of the centred
data, and Mahalanobis scores through a Cholesky factor."""

import numpy as np
import torch


def kmeans(X, k, rng, iters=100):
    x = X.detach().cpu().numpy().astype(np.float32)
    n = len(x)
    idx = [int(rng.integers(n))]
    d2 = ((x - x[idx[0]]) ** 2).sum(1)
    while len(idx) < k:
        nxt = int(rng.choice(n, p=d2 / d2.sum()))
        idx.append(nxt)
        d2 = np.minimum(d2, ((x - x[nxt]) ** 2).sum(1))
    centers = x[idx].copy()

    def assign(c):
        return np.argmin(((x[:, None, :] - c[None]) ** 2).sum(-1), axis=1)

    labels = assign(centers)
    for _ in range(iters):
        for j in range(k):
            if np.any(labels == j):
                centers[j] = x[labels == j].mean(0)
        new = assign(centers)
        if np.array_equal(new, labels):
            break
        labels = new
    return torch.from_numpy(centers), torch.from_numpy(labels)


def pca(X, k):
    mean = X.mean(0)
    _, S, Vh = torch.linalg.svd(X - mean, full_matrices=False)  # singular values descending
    return mean, Vh[:k], S[:k] ** 2 / (X.shape[0] - 1)


def anomaly_scores(X_fit, X):
    mu = X_fit.mean(0)
    cov = torch.cov(X_fit.T, correction=0)  # maximum likelihood: divide by n
    L = torch.linalg.cholesky(cov)
    Z = torch.linalg.solve_triangular(L, (X - mu).T, upper=False)  # (d, m) whitened
    return (Z**2).sum(0)
