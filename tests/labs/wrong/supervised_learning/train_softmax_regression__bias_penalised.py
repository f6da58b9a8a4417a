"""Bug: applies the l2 penalty's gradient to the bias as well as to W."""

import torch


def train_softmax_regression(X, y, n_classes, lr, steps, l2):
    n, d = X.shape
    W = torch.zeros(d, n_classes, dtype=X.dtype, device=X.device)
    b = torch.zeros(n_classes, dtype=X.dtype, device=X.device)
    Y = torch.nn.functional.one_hot(y, n_classes).to(X.dtype)
    losses = []
    for _ in range(steps):
        logp = torch.log_softmax(X @ W + b, 1)
        losses.append(float(-(Y * logp).sum() / n + 0.5 * l2 * (W * W).sum()))
        G = (torch.exp(logp) - Y) / n
        W = W - lr * (X.T @ G + l2 * W)
        b = b - lr * (G.sum(0) + l2 * b)  # the bias is not penalised
    return W, b, losses
