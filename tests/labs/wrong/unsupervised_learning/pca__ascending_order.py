"""Bug: keeps eigh's first k eigenpairs, which come in ascending order (the smallest
variances)."""

import torch


def pca(X, k):
    mean = X.mean(0)
    Xc = X - mean
    evals, evecs = torch.linalg.eigh(Xc.T @ Xc / (X.shape[0] - 1))
    return mean, evecs[:, :k].T, evals[:k]
