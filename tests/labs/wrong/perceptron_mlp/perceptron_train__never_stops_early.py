"""Bug: the early stop is missing, so it always runs max_epochs epochs."""

import numpy as np


def perceptron_train(X, y, lr=1.0, max_epochs=100):
    w, b, n_updates = np.zeros(X.shape[1]), 0.0, 0
    for _ in range(max_epochs):
        mistakes = 0
        for xi, yi in zip(X, y, strict=True):
            if yi * (xi @ w + b) <= 0:
                w = w + lr * yi * xi
                b = b + lr * yi
                mistakes += 1
        n_updates += mistakes
    return w, float(b), n_updates, max_epochs
