"""Bug: normalises the softmax over the batch (dim 0) instead of over the classes (dim 1)."""

import torch


def train_softmax_regression(X, y, n_classes, lr, steps, l2):
    n, d = X.shape
    W = torch.zeros(d, n_classes, dtype=X.dtype, device=X.device)
    b = torch.zeros(n_classes, dtype=X.dtype, device=X.device)
    Y = torch.nn.functional.one_hot(y, n_classes).to(X.dtype)
    losses = []
    for _ in range(steps):
        logp = torch.log_softmax(X @ W + b, 0)  # should be dim 1: one distribution per row
        losses.append(float(-(Y * logp).sum() / n + 0.5 * l2 * (W * W).sum()))
        G = (torch.exp(logp) - Y) / n
        W = W - lr * (X.T @ G + l2 * W)
        b = b - lr * G.sum(0)
    return W, b, losses
