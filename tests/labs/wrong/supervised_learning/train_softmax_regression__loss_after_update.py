"""Bug: records J after each update instead of at the start of the step, so the first value
is not the loss at W = 0."""

import torch


def train_softmax_regression(X, y, n_classes, lr, steps, l2):
    n, d = X.shape
    W = torch.zeros(d, n_classes, dtype=X.dtype, device=X.device)
    b = torch.zeros(n_classes, dtype=X.dtype, device=X.device)
    Y = torch.nn.functional.one_hot(y, n_classes).to(X.dtype)
    losses = []
    for _ in range(steps):
        G = (torch.softmax(X @ W + b, 1) - Y) / n
        W = W - lr * (X.T @ G + l2 * W)
        b = b - lr * G.sum(0)
        logp = torch.log_softmax(X @ W + b, 1)
        losses.append(float(-(Y * logp).sum() / n + 0.5 * l2 * (W * W).sum()))
    return W, b, losses
