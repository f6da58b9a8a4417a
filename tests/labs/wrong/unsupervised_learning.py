"""A deliberately wrong solution: k-means that stops after one update (stale labels, no
convergence), PCA on uncentred data, and anomaly scores that ignore the covariance
(a sum of squared per-feature z-scores)."""

import torch


def kmeans(X, k, rng, iters=100):
    C = X[:k].clone()  # first k points as the start
    labels = torch.cdist(X, C).argmin(1)
    for j in range(k):  # bug: one update, and the labels are never recomputed
        if (labels == j).any():
            C[j] = X[labels == j].mean(0)
    return C, labels


def pca(X, k):
    mean = X.mean(0)
    cov = X.T @ X / (X.shape[0] - 1)  # bug: not centred
    evals, evecs = torch.linalg.eigh(cov)
    order = torch.argsort(evals, descending=True)[:k]
    return mean, evecs[:, order].T, evals[order]


def anomaly_scores(X_fit, X):
    mu, sd = X_fit.mean(0), X_fit.std(0)
    return (((X - mu) / sd) ** 2).sum(1)  # bug: treats the features as independent
