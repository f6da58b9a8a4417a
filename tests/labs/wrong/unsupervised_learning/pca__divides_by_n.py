"""Bug: the biased covariance (divide by n), where sklearn's explained variance divides by
n - 1."""

import torch


def pca(X, k):
    mean = X.mean(0)
    Xc = X - mean
    cov = Xc.T @ Xc / X.shape[0]
    evals, evecs = torch.linalg.eigh(cov)
    order = torch.argsort(evals, descending=True)[:k]
    return mean, evecs[:, order].T, evals[order]
