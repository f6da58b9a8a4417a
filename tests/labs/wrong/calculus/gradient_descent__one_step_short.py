"""Bug: off by one, the loop runs steps - 1 times."""

import numpy as np


def gradient_descent(grad_fn, x0, lr, steps):
    x, path = x0.astype(np.float64).copy(), [x0.astype(np.float64).copy()]
    for _ in range(1, steps):
        x = x - lr * grad_fn(x)
        path.append(x.copy())
    return x, path
