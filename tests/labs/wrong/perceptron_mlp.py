"""A deliberately wrong solution: the perceptron ignores the label's sign in its update,
and the MLP forgets the hidden nonlinearity (two stacked linear layers are still linear)."""

import numpy as np


def perceptron_train(X, y, lr=1.0, max_epochs=100):
    w, b, n_updates = np.zeros(X.shape[1]), 0.0, 0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for xi, yi in zip(X, y, strict=True):
            if yi * (xi @ w + b) <= 0:
                w = w + lr * xi  # bug: should be lr * yi * xi
                b = b + lr * yi
                mistakes += 1
        n_updates += mistakes
        if mistakes == 0:
            return w, float(b), n_updates, epoch
    return w, float(b), n_updates, max_epochs


def mlp_forward(X, W1, b1, W2, b2):
    hidden = X @ W1 + b1  # bug: no tanh, so the network is linear and cannot solve XOR
    return hidden @ W2 + b2
