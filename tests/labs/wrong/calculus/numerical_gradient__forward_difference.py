"""Bug: a one-sided (forward) difference, whose error shrinks only like h."""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=np.float64)
    fx = f(x)
    for i in range(x.size):
        step = np.zeros_like(x, dtype=np.float64)
        step.flat[i] = h
        grad.flat[i] = (f(x + step) - fx) / h
    return grad
