"""Bug: perturbs x in place (CS231n style) but never puts the old value back."""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=np.float64)
    for i in range(x.size):
        old = x.flat[i]
        x.flat[i] = old + h
        fp = f(x)
        x.flat[i] = old - h
        fm = f(x)
        grad.flat[i] = (fp - fm) / (2 * h)
    return grad
