"""A deliberately wrong solution: least squares with no bias term (X not centred), and a
softmax-regression gradient summed over the batch instead of averaged (the step is n times
too large, so training blows up)."""

import numpy as np
import torch


def least_squares(X, y, l2=0.0):
    w = np.linalg.solve(X.T @ X + l2 * np.eye(X.shape[1]), X.T @ y)  # bug: forgot the intercept
    return w, 0.0


def train_softmax_regression(X, y, n_classes, lr, steps, l2):
    n, d = X.shape
    W = torch.zeros(d, n_classes, dtype=X.dtype, device=X.device)
    b = torch.zeros(n_classes, dtype=X.dtype, device=X.device)
    Y = torch.nn.functional.one_hot(y, n_classes).to(X.dtype)
    losses = []
    for _ in range(steps):
        logits = X @ W + b
        logp = torch.log_softmax(logits, 1)
        losses.append(float(-(Y * logp).sum() / n + 0.5 * l2 * (W * W).sum()))
        G = torch.exp(logp) - Y  # bug: not divided by n
        W -= lr * (X.T @ G + l2 * W)
        b -= lr * G.sum(0)
    return W, b, losses
