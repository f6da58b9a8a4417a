"""Bug: the mistake-free epoch is not counted in epochs_run."""

import numpy as np


def perceptron_train(X, y, lr=1.0, max_epochs=100):
    w, b, n_updates = np.zeros(X.shape[1]), 0.0, 0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for xi, yi in zip(X, y, strict=True):
            if yi * (xi @ w + b) <= 0:
                w = w + lr * yi * xi
                b = b + lr * yi
                mistakes += 1
        n_updates += mistakes
        if mistakes == 0:
            return w, float(b), n_updates, epoch - 1
    return w, float(b), n_updates, max_epochs
