"""Bug: the covariance of the raw data, X^T X / (n - 1), without subtracting the mean."""

import torch


def pca(X, k):
    mean = X.mean(0)
    cov = X.T @ X / (X.shape[0] - 1)
    evals, evecs = torch.linalg.eigh(cov)
    order = torch.argsort(evals, descending=True)[:k]
    return mean, evecs[:, order].T, evals[order]
