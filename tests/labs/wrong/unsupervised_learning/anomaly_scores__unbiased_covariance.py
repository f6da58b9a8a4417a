"""Bug: torch.cov divides by n - 1, where the maximum-likelihood covariance divides by n."""

import torch


def anomaly_scores(X_fit, X):
    mu = X_fit.mean(0)
    cov = torch.cov(X_fit.T)  # (d, d), unbiased
    D = X - mu
    return (D @ torch.linalg.inv(cov) * D).sum(1)
