"""Bug: returns eigh's eigenvector columns (d, k) where components are rows (k, d)."""

import torch


def pca(X, k):
    mean = X.mean(0)
    Xc = X - mean
    evals, evecs = torch.linalg.eigh(Xc.T @ Xc / (X.shape[0] - 1))
    order = torch.argsort(evals, descending=True)[:k]
    return mean, evecs[:, order], evals[order]
