"""A deliberately wrong solution: forward difference (O(h) error) and an ascent step."""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=np.float64)
    for i in range(x.size):
        step = np.zeros_like(x, dtype=np.float64)
        step.flat[i] = h
        grad.flat[i] = (f(x + step) - f(x)) / h  # one-sided: error ~ h, not h^2
    return grad


def gradient_descent(grad_fn, x0, lr, steps):
    x, path = x0.astype(np.float64).copy(), [x0.astype(np.float64).copy()]
    for _ in range(steps):
        x = x - lr * 0.5 * grad_fn(x) if len(path) % 2 else x + lr * 0.1 * grad_fn(x)
        path.append(x.copy())
    return x, path
